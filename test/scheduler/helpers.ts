/** Builders for state-machine tests: workers, graphs, and reading instructions by kind. */
import { SchedulerState, type Instruction } from "../../src/scheduler/state.js";
import type { ComputeTasksMsg, RegisterWorkerMsg, WireTask } from "../../src/protocol/messages.js";

export function worker(address: string, nthreads = 1, name = address): RegisterWorkerMsg {
  return { op: "register-worker", address, name, nthreads, memoryLimit: 1e9, pid: 1, host: "h", metadata: {}, keys: [] };
}

export function task(key: string, deps: string[] = [], extra: Partial<WireTask> = {}): WireTask {
  return { key, op: "inc", args: deps.map((d) => ({ $ref: d })), ...(deps.length ? { deps } : {}), ...extra };
}

export function newState(opts: ConstructorParameters<typeof SchedulerState>[0] = {}): SchedulerState {
  let t = 0;
  return new SchedulerState({ now: () => t++, ...opts });
}

/** Keys sent to each worker in compute-tasks. */
export function computed(ins: Instruction[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const i of ins) if (i.to === "worker" && i.msg.op === "compute-tasks") (out[i.address] ??= []).push(...(i.msg as ComputeTasksMsg).tasks.map((t) => t.key));
  return out;
}

export function ofOp<T>(ins: Instruction[], op: string): { target: string; msg: T }[] {
  return ins.filter((i) => i.msg.op === op).map((i) => ({ target: i.to === "worker" ? i.address : i.clientId, msg: i.msg as T }));
}

export function finish(s: SchedulerState, address: string, keys: string[], nbytes = 8, duration = 0.001): void {
  s.taskFinished(address, keys.map((key) => ({ key, nbytes, type: "number", duration, start: 0 })));
}
