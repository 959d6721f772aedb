/**
 * Results in memory: a task finishing, replicas announced by workers, and the last copy being lost.
 */
import type { TaskState, WorkerState } from "./entities.js";
import { location, notifyWanters } from "./outbox.js";
import { ready, removeFromProcessing } from "./queueing.js";
import { needed, undoDeps } from "./refcounts.js";
import type { SchedulerState } from "./state.js";
import { recommend, setState } from "./transitions.js";

/** `ts` finished on `ws`: store it, wake its dependents, tell the clients that want it. */
export function toMemory(st: SchedulerState, ts: TaskState, ws: WorkerState): void {
  removeFromProcessing(st, ts);
  setState(st, ts, "memory");
  st.counters.tasksFinished++;
  ts.whoHas = [ws];
  ws.hasWhat.add(ts);
  ws.nbytes += Math.max(0, ts.nbytes);
  ts.suspicious = null;
  undoDeps(st, ts);
  if (ts.dependents !== null) {
    for (const dt of ts.dependents) {
      if (dt.state !== "waiting") continue;
      dt.waitingOn--;
      if (dt.waitingOn === 0) ready(st, dt);
    }
  }
  if (ts.nWanted > 0) {
    const loc = location(ts);
    notifyWanters(st._clientMemory, ts, loc);
  }
  if (!needed(ts)) recommend(st, ts, "free");
}

/** `ws` holds a copy of `ts` (a replica, or a value announced before it was computed). */
export function addReplica(st: SchedulerState, ts: TaskState, ws: WorkerState, nbytes: number, type: string | undefined): void {
  if (ts.state !== "memory") {
    // A worker (re)announced a value we were about to compute: take it.
    if (ts.state === "processing") removeFromProcessing(st, ts);
    else if (ts.state === "queued") {
      /* lazily skipped by the queue */
    }
    ts.nbytes = nbytes;
    ts.type = type;
    undoDeps(st, ts);
    setState(st, ts, "memory");
    ts.whoHas = [ws];
    ws.hasWhat.add(ts);
    ws.nbytes += Math.max(0, nbytes);
    if (ts.dependents !== null) {
      for (const dt of ts.dependents) {
        if (dt.state !== "waiting") continue;
        dt.waitingOn--;
        if (dt.waitingOn === 0) ready(st, dt);
      }
    }
    return;
  }
  if (ts.whoHas === null) ts.whoHas = [];
  if (!ts.whoHas.includes(ws)) {
    ts.whoHas.push(ws);
    ws.hasWhat.add(ts);
    ws.nbytes += Math.max(0, nbytes);
  }
}

/** The last copy of a result is gone: forget where it was; recompute it if still needed. */
export function lose(st: SchedulerState, ts: TaskState): void {
  ts.whoHas = null;
  setState(st, ts, "released");
  if (ts.nWanted > 0) {
    notifyWanters(st._clientLost, ts, ts.key);
  }
  if (ts.dependents !== null) {
    for (const dt of ts.dependents) {
      if (dt.state === "waiting") dt.waitingOn++;
      else if (dt.state === "processing" || dt.state === "queued") {
        recommend(st, dt, "released");
        recommend(st, dt, "waiting");
      }
    }
  }
  if (needed(ts)) recommend(st, ts, "waiting");
  else if (ts.dependents === null || ts.dependents.size === 0) recommend(st, ts, "forgotten");
}

export function recordDuration(ts: TaskState, duration: number): void {
  if (!(duration >= 0)) return;
  const p = ts.prefix;
  p.durationAverage = p.durationAverage < 0 ? duration : 0.5 * p.durationAverage + 0.5 * duration;
}
