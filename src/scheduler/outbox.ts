/**
 * The scheduler's outbox: messages batched per worker and per client, and `flush` turning them into instructions.
 */
import type { Key } from "../graph/spec.js";
import type { ComputeTask, ComputeTasksMsg, KeyLocation } from "../protocol/messages.js";
import type { ClientState, TaskState, WorkerState } from "./entities.js";
import { fillQueue } from "./queueing.js";
import { retireStep } from "./retirement.js";
import type { Instruction, SchedulerState } from "./state.js";

/** Everything to send, batched: one message per kind per destination. */
export function flush(st: SchedulerState): Instruction[] {
  retireStep(st); // first: a retirement it postpones takes tasks in fillQueue
  fillQueue(st);
  const out: Instruction[] = [];
  for (const [ws, keys] of st._free) out.push({ to: "worker", address: ws.address, msg: { op: "free-keys", keys } });
  st._free.clear();
  for (const [ws, list] of st._compute) {
    const tasks: ComputeTask[] = [];
    const whoHas: Record<Key, string[]> = {};
    const nbytes: Record<Key, number> = {};
    let functions: unknown[] | undefined;
    let fnIndex: Map<unknown, number> | undefined;
    for (const ts of list) {
      if (ts.processingOn !== ws || ts.state !== "processing") continue;
      const ct: ComputeTask = { key: ts.key, priority: ts.priority };
      // The worker holds these while the task runs (resources limit concurrency there).
      if (ts.restrictions?.resources) ct.resources = { ...ts.restrictions.resources };
      if (ts.hasData) ct.data = ts.data;
      else {
        ct.op = ts.op!;
        ct.args = ts.args!;
        if (ts.fn !== undefined) {
          functions ??= [];
          fnIndex ??= new Map();
          let i = fnIndex.get(ts.fn);
          if (i === undefined) {
            i = functions.length;
            functions.push(ts.fn);
            fnIndex.set(ts.fn, i);
          }
          ct.fn = i;
        }
      }
      if (ts.deps !== null) {
        const deps: Key[] = new Array(ts.deps.length);
        for (let i = 0; i < ts.deps.length; i++) {
          const dep = ts.deps[i]!;
          deps[i] = dep.key;
          if (dep.whoHas !== null && !dep.whoHas.includes(ws)) {
            whoHas[dep.key] = dep.whoHas.map((w) => w.address);
            nbytes[dep.key] = dep.nbytes;
          }
        }
        ct.deps = deps;
      }
      tasks.push(ct);
    }
    if (tasks.length > 0) {
      const msg: ComputeTasksMsg = { op: "compute-tasks", tasks, whoHas, nbytes };
      if (functions !== undefined) msg.functions = functions;
      out.push({ to: "worker", address: ws.address, msg });
    }
  }
  st._compute.clear();
  for (const [ws, keys] of st._steal) out.push({ to: "worker", address: ws.address, msg: { op: "steal-request", keys } });
  st._steal.clear();
  for (const [ws, whoHas] of st._acquire) out.push({ to: "worker", address: ws.address, msg: { op: "acquire-replicas", whoHas } });
  st._acquire.clear();
  for (const [address, reason] of st._close) out.push({ to: "worker", address, msg: { op: "close-worker", reason } });
  st._close.clear();
  for (const [cs, keys] of st._clientMemory) out.push({ to: "client", clientId: cs.id, msg: { op: "keys-in-memory", keys } });
  st._clientMemory.clear();
  for (const [cs, errors] of st._clientErred) out.push({ to: "client", clientId: cs.id, msg: { op: "keys-erred", errors } });
  st._clientErred.clear();
  for (const [cs, keys] of st._clientLost) out.push({ to: "client", clientId: cs.id, msg: { op: "keys-lost", keys } });
  st._clientLost.clear();
  if (st._clusterChanged) {
    st._clusterChanged = false;
    const cluster = st.clusterSummary();
    for (const cs of st.clients.values()) out.push({ to: "client", clientId: cs.id, msg: { op: "cluster-changed", cluster } });
  }
  return out;
}

/** Tell `ws` to drop these keys (batched into one free-keys message). */
export function freeOn(st: SchedulerState, ws: WorkerState, keys: readonly Key[]): void {
  let list = st._free.get(ws);
  if (!list) st._free.set(ws, (list = []));
  for (const k of keys) list.push(k);
}

/** Queue `item` for client `cs` in one of the per-client boxes. */
export function pushClient<T>(box: Map<ClientState, T[]>, cs: ClientState, item: T): void {
  let list = box.get(cs);
  if (!list) box.set(cs, (list = []));
  list.push(item);
}

/** Queue `item` for every client that wants `ts`. */
export function notifyWanters<T>(box: Map<ClientState, T[]>, ts: TaskState, item: T): void {
  if (ts.wanter !== null) pushClient(box, ts.wanter, item);
  if (ts.wanters !== null) for (const cs of ts.wanters) pushClient(box, cs, item);
}

/** Where a result lives, as clients are told. */
export function location(ts: TaskState): KeyLocation {
  const loc: KeyLocation = { key: ts.key, workers: ts.whoHas ? ts.whoHas.map((w) => w.address) : [], nbytes: ts.nbytes };
  if (ts.type !== undefined) loc.type = ts.type;
  return loc;
}
