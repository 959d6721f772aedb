/**
 * Who needs a task: clients wanting it (wanters) and tasks waiting on it (waiters).
 */
import type { ClientState, TaskState } from "./entities.js";
import type { SchedulerState } from "./state.js";
import { recommend } from "./transitions.js";

/** Some client wants it or some task waits on it. */
export function needed(ts: TaskState): boolean {
  return ts.nWanted > 0 || ts.nWaiters > 0;
}

/** Client `cs` wants `ts` (counted once per client). */
export function want(cs: ClientState, ts: TaskState): void {
  if (ts.wanter === cs || (ts.wanters !== null && ts.wanters.has(cs))) return;
  if (ts.nWanted === 0) ts.wanter = cs;
  else {
    if (ts.wanters === null) {
      ts.wanters = new Set();
      if (ts.wanter !== null) ts.wanters.add(ts.wanter);
      ts.wanter = null;
    }
    ts.wanters.add(cs);
  }
  ts.nWanted++;
}

/** Removes `cs` from the task's wanters; true if it was one. */
export function dropWanter(ts: TaskState, cs: ClientState): boolean {
  if (ts.wanter === cs) {
    ts.wanter = null;
    return true;
  }
  if (ts.wanters !== null && ts.wanters.delete(cs)) {
    if (ts.wanters.size === 0) ts.wanters = null;
    return true;
  }
  return false;
}

/** One wanter fewer: free the task if nothing needs it any more. */
export function unwant(st: SchedulerState, ts: TaskState): void {
  ts.nWanted--;
  if (ts.nWanted > 0 || ts.nWaiters > 0) return;
  recommend(st, ts, "free");
}

/** This task stops counting on its dependencies' values. */
export function undoDeps(st: SchedulerState, ts: TaskState): void {
  if (!ts.holdsDeps || ts.deps === null) return;
  ts.holdsDeps = false;
  for (const dep of ts.deps) {
    dep.nWaiters--;
    if (dep.nWaiters === 0 && dep.nWanted === 0) {
      if (dep.state === "memory" || dep.state === "waiting" || dep.state === "queued" || dep.state === "processing") {
        recommend(st, dep, "free");
      }
    }
  }
}
