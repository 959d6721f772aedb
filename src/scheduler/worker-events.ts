/**
 * Worker events on the scheduler state: workers joining and leaving, heartbeats, results and errors,
 * steal answers, and keys gained or lost on a worker (lost-data recovery).
 */
import type { Key } from "../graph/spec.js";
import { KILLED_WORKER_CODE } from "../util/errors.js";
import type { ErredTask, FinishedTask, KeyLocation, RegisterWorkerMsg, WorkerMetrics } from "../protocol/messages.js";
import { WorkerState } from "./entities.js";
import { freeOn } from "./outbox.js";
import { assign, checkSaturation, removeFromProcessing, retryUnrunnable } from "./queueing.js";
import { needed, undoDeps } from "./refcounts.js";
import { addReplica, lose, recordDuration, toMemory } from "./replicas.js";
import type { SchedulerState } from "./state.js";
import { drain, recommend, setState } from "./transitions.js";

/** Returns a reason when the worker is refused (duplicate name or address). */
export function addWorker(st: SchedulerState, msg: RegisterWorkerMsg): string | null {
  if (st.workers.has(msg.address)) return `a worker at ${msg.address} is already registered`;
  if (st.workersByName.has(msg.name)) return `a worker named '${msg.name}' is already registered; give each worker a unique --name`;
  const ws = new WorkerState({
    address: msg.address,
    name: msg.name,
    nthreads: Math.max(1, msg.nthreads | 0),
    memoryLimit: msg.memoryLimit,
    pid: msg.pid,
    host: msg.host,
    metadata: msg.metadata,
    now: st.now(),
  });
  st.workers.set(ws.address, ws);
  st.workersByName.set(ws.name, ws);
  st.unsaturated.add(ws);
  const stale: Key[] = [];
  for (const kl of msg.keys) {
    const ts = st.tasks.get(kl.key);
    if (ts !== undefined && (ts.state === "memory" || (ts.state !== "forgotten" && needed(ts) && ts.state !== "erred"))) {
      addReplica(st, ts, ws, kl.nbytes, kl.type);
    } else stale.push(kl.key);
  }
  if (stale.length > 0) freeOn(st, ws, stale);
  st._clusterChanged = true;
  if (st.unrunnable.size > 0) retryUnrunnable(st);
  drain(st);
  return null;
}

/**
 * A worker left. Its processing tasks go back to waiting (suspicious unless `graceful`), results
 * that lived only there are recomputed if still needed, and tasks that needed them wait again.
 */
export function removeWorker(st: SchedulerState, address: string, opts: { graceful?: boolean } = {}): void {
  const ws = st.workers.get(address);
  if (!ws) return;
  ws.status = "closed";
  st.workers.delete(address);
  if (st.workersByName.get(ws.name) === ws) st.workersByName.delete(ws.name);
  st.unsaturated.delete(ws);
  st.retiring.delete(ws);
  // Replicas it was asked to take from retiring workers never came: ask someone else.
  for (const r of st.retiring.values()) {
    for (const [ts, recipient] of r.requested) if (recipient === ws) r.requested.delete(ts);
  }
  st._compute.delete(ws);
  st._free.delete(ws);
  st._steal.delete(ws);
  st._acquire.delete(ws);
  if (!opts.graceful) st.counters.workersLost++;
  for (const ts of ws.processing) {
    ts.processingOn = null;
    ts.stealTo = null;
    if (!opts.graceful) (ts.suspicious ??= []).push(ws.address);
    undoDeps(st, ts);
    setState(st, ts, "released");
    if (ts.suspicious !== null && ts.suspicious.length >= st.allowedFailures) {
      ts.error = {
        name: "KilledWorker",
        code: KILLED_WORKER_CODE,
        key: ts.key,
        message:
          `task '${ts.key}' was processing on ${ts.suspicious.length} workers that all died ` +
          `(${ts.suspicious.join(", ")}); it may be crashing or exhausting memory on its workers ` +
          `(allowed failures: ${st.allowedFailures})`,
      };
      recommend(st, ts, "erred");
    } else recommend(st, ts, "waiting");
  }
  ws.processing.clear();
  ws.occupancy = 0;
  // Thieves that died: their steals are void.
  for (const ts of st.tasks.values()) if (ts.stealTo === ws) ts.stealTo = null;
  for (const ts of ws.hasWhat) {
    const holders = ts.whoHas;
    if (holders === null) continue;
    const i = holders.indexOf(ws);
    if (i >= 0) holders.splice(i, 1);
    if (holders.length === 0) lose(st, ts);
  }
  ws.hasWhat.clear();
  ws.nbytes = 0;
  st._clusterChanged = true;
  drain(st);
}

export function heartbeat(st: SchedulerState, address: string, metrics: WorkerMetrics): boolean {
  const ws = st.workers.get(address);
  if (!ws) return false;
  ws.lastSeen = st.now();
  ws.metrics = metrics;
  if (metrics.paused && ws.status === "running") {
    ws.status = "paused";
    st.unsaturated.delete(ws);
  } else if (!metrics.paused && ws.status === "paused") {
    ws.status = "running";
    checkSaturation(st, ws);
  }
  return true;
}

export function taskFinished(st: SchedulerState, address: string, done: readonly FinishedTask[]): void {
  const ws = st.workers.get(address);
  if (!ws) return;
  for (const f of done) {
    const ts = st.tasks.get(f.key);
    if (ts === undefined || ts.state === "forgotten") {
      freeOn(st, ws, [f.key]);
      continue;
    }
    recordDuration(ts, f.duration);
    if (ts.state === "processing" && ts.processingOn === ws) {
      ts.nbytes = f.nbytes;
      ts.type = f.type;
      ws.executedCount++;
      toMemory(st, ts, ws);
    } else if (ts.state === "memory") {
      // A second copy (e.g. a steal raced with the run): keep it as a replica.
      addReplica(st, ts, ws, f.nbytes, f.type);
    } else {
      // Finished somewhere we no longer expect it (released, moved): the worker drops it.
      freeOn(st, ws, [f.key]);
    }
  }
  drain(st);
}

export function taskErred(st: SchedulerState, address: string, erred: readonly ErredTask[]): void {
  const ws = st.workers.get(address);
  if (!ws) return;
  for (const e of erred) {
    const ts = st.tasks.get(e.key);
    if (ts === undefined || ts.state !== "processing" || ts.processingOn !== ws) continue;
    recordDuration(ts, e.duration);
    if (ts.retries > 0) {
      ts.retries--;
      recommend(st, ts, "released");
      recommend(st, ts, "waiting");
    } else {
      ts.error = { ...e.error, key: e.error.key ?? ts.key };
      recommend(st, ts, "erred");
    }
  }
  drain(st);
}

/** Steal answers: released keys move to the thief chosen when the steal was requested. */
export function stealResponse(st: SchedulerState, address: string, released: readonly Key[], kept: readonly Key[]): void {
  const victim = st.workers.get(address);
  for (const key of kept) {
    const ts = st.tasks.get(key);
    if (ts) ts.stealTo = null;
  }
  for (const key of released) {
    const ts = st.tasks.get(key);
    if (ts === undefined) continue;
    const thief = ts.stealTo;
    ts.stealTo = null;
    if (ts.state !== "processing" || ts.processingOn !== victim || victim === undefined) continue;
    removeFromProcessing(st, ts);
    if (thief !== null && thief.status === "running" && st.workers.get(thief.address) === thief) {
      assign(st, ts, thief);
      st.counters.stealsDone++;
    } else {
      undoDeps(st, ts);
      setState(st, ts, "released");
      recommend(st, ts, "waiting");
    }
  }
  drain(st);
}

/**
 * `address` asked `from` for `keys` and `from` did not have them; `address` dropped its tasks that
 * needed them, so those go back to waiting (and the keys are recomputed if no copy is left).
 */
export function missingData(st: SchedulerState, address: string, keys: readonly Key[], from: string): void {
  const ws = st.workers.get(address);
  const holder = st.workers.get(from);
  for (const key of keys) {
    const ts = st.tasks.get(key);
    if (ts === undefined) continue;
    if (holder !== undefined && ts.whoHas !== null) {
      const i = ts.whoHas.indexOf(holder);
      if (i >= 0) {
        ts.whoHas.splice(i, 1);
        holder.hasWhat.delete(ts);
        holder.nbytes -= Math.max(0, ts.nbytes);
        if (ts.whoHas.length === 0 && ts.state === "memory") lose(st, ts);
      }
    }
    if (ts.dependents !== null && ws !== undefined) {
      for (const dt of ts.dependents) {
        if (dt.state === "processing" && dt.processingOn === ws) {
          recommend(st, dt, "released");
          recommend(st, dt, "waiting");
        }
      }
    }
  }
  drain(st);
}

/** A worker now holds replicas (after acquire-replicas). */
export function addKeys(st: SchedulerState, address: string, keys: readonly KeyLocation[]): void {
  const ws = st.workers.get(address);
  if (!ws) return;
  const stale: Key[] = [];
  for (const kl of keys) {
    const ts = st.tasks.get(kl.key);
    if (ts !== undefined && ts.state === "memory") addReplica(st, ts, ws, kl.nbytes, kl.type);
    else stale.push(kl.key);
  }
  if (stale.length > 0) freeOn(st, ws, stale);
  drain(st);
}

/** A worker dropped keys on its own (e.g. memory pressure): they are lost there. */
export function releaseWorkerData(st: SchedulerState, address: string, keys: readonly Key[]): void {
  const ws = st.workers.get(address);
  if (!ws) return;
  for (const key of keys) {
    const ts = st.tasks.get(key);
    if (ts === undefined || ts.whoHas === null) continue;
    const i = ts.whoHas.indexOf(ws);
    if (i < 0) continue;
    ts.whoHas.splice(i, 1);
    ws.hasWhat.delete(ts);
    ws.nbytes -= Math.max(0, ts.nbytes);
    if (ts.whoHas.length === 0 && ts.state === "memory") lose(st, ts);
  }
  drain(st);
}
