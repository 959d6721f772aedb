/**
 * Task state transitions: the table keyed "from>to", the recommendation work list that drains it, and
 * the transition functions. A pair without an entry goes through `released`, as in Dask.
 */
import type { WireError } from "../protocol/messages.js";
import type { TaskState, TaskStateName } from "./entities.js";
import { freeOn, notifyWanters } from "./outbox.js";
import { ready, removeFromProcessing } from "./queueing.js";
import { needed, undoDeps } from "./refcounts.js";
import type { SchedulerState } from "./state.js";
import { InternalError } from "../util/errors.js";

type TransitionFn = (st: SchedulerState, ts: TaskState) => void;

/**
 * A target state, or "free": release (or forget) the task only if, when the work list reaches it,
 * nothing needs it any more. Releases for lack of need use "free", so that a task needed again in
 * the meantime (a dependent rescheduled, a client asking again) is not dropped by a stale decision.
 */
export type Recommendation = TaskStateName | "free";

/** Queue a transition; `drain` carries it out after the one in progress. */
export function recommend(st: SchedulerState, ts: TaskState, to: Recommendation): void {
  st._recs.push([ts, to]);
}

/** Carry out recommendations until none are left (transitions may add more). */
export function drain(st: SchedulerState): void {
  if (st._draining) return;
  st._draining = true;
  try {
    const recs = st._recs;
    for (let i = 0; i < recs.length; i++) {
      const [ts, to] = recs[i]!;
      transition(st, ts, to);
    }
    st._recs = [];
  } finally {
    st._draining = false;
  }
}

function transition(st: SchedulerState, ts: TaskState, rec: Recommendation): void {
  const from = ts.state;
  if (from === "forgotten") return;
  let to: TaskStateName;
  if (rec === "free") {
    // Decided when the recommendation is carried out: the task may be needed again by then.
    if (needed(ts)) return;
    to = ts.dependents === null || ts.dependents.size === 0 ? "forgotten" : "released";
  } else to = rec;
  if (from === to) return;
  // "Make it run" is moot for a task already queued, running or done (recommend "released" first to redo it).
  if (to === "waiting" && from !== "released") return;
  const fn = TRANSITIONS[`${from}>${to}`];
  if (fn !== undefined) {
    fn(st, ts);
    return;
  }
  const viaRelease = TRANSITIONS[`${from}>released`];
  const thenTo = TRANSITIONS[`released>${to}`];
  if (viaRelease !== undefined && thenTo !== undefined) {
    viaRelease(st, ts);
    if (ts.state === "released") thenTo(st, ts);
    return;
  }
  throw new InternalError(`scheduler: no transition from '${from}' to '${to}' for task '${ts.key}'`);
}

/** Change state, keeping the prefix counts and telling `onTransition`. */
export function setState(st: SchedulerState, ts: TaskState, to: TaskStateName): void {
  const from = ts.state;
  ts.prefix.counts[from]--;
  ts.prefix.counts[to]++;
  ts.state = to;
  if (st.onTransition !== null) st.onTransition(ts.key, from, to, ts);
}

/** released → waiting: count missing dependencies (asking for them too); run when none are missing. */
function releasedToWaiting(st: SchedulerState, ts: TaskState): void {
  if (!needed(ts)) return;
  setState(st, ts, "waiting");
  ts.waitingOn = 0;
  if (ts.deps !== null) {
    ts.holdsDeps = true;
    for (const dep of ts.deps) {
      dep.nWaiters++;
      if (dep.state === "memory") continue;
      if (dep.state === "erred") {
        ts.error = dep.error;
        recommend(st, ts, "erred");
        continue;
      }
      ts.waitingOn++;
      if (dep.state === "released") recommend(st, dep, "waiting");
    }
  }
  if (ts.waitingOn === 0) ready(st, ts);
}

function toReleasedFromActive(st: SchedulerState, ts: TaskState): void {
  if (ts.state === "processing") {
    const ws = ts.processingOn;
    removeFromProcessing(st, ts);
    if (ws !== null) freeOn(st, ws, [ts.key]);
  }
  undoDeps(st, ts);
  setState(st, ts, "released");
  if (!needed(ts) && (ts.dependents === null || ts.dependents.size === 0)) recommend(st, ts, "forgotten");
}

function memoryToReleased(st: SchedulerState, ts: TaskState): void {
  if (ts.whoHas !== null) {
    for (const ws of ts.whoHas) {
      ws.hasWhat.delete(ts);
      ws.nbytes -= Math.max(0, ts.nbytes);
      freeOn(st, ws, [ts.key]);
    }
    ts.whoHas = null;
  }
  setState(st, ts, "released");
  // Dependents still waiting for it must wait again (only when released while needed, e.g. recompute).
  if (ts.dependents !== null) {
    for (const dt of ts.dependents) if (dt.state === "waiting") dt.waitingOn++;
  }
  if (needed(ts)) recommend(st, ts, "waiting");
  else if (ts.dependents === null || ts.dependents.size === 0) recommend(st, ts, "forgotten");
}

function toErred(st: SchedulerState, ts: TaskState): void {
  if (ts.state === "processing") {
    removeFromProcessing(st, ts);
  }
  undoDeps(st, ts);
  setState(st, ts, "erred");
  st.counters.tasksErred++;
  const error: WireError = ts.error ?? { name: "Error", message: `task '${ts.key}' failed`, key: ts.key };
  ts.error = error;
  if (ts.nWanted > 0) {
    notifyWanters(st._clientErred, ts, { key: ts.key, error });
  }
  if (ts.dependents !== null) {
    for (const dt of ts.dependents) {
      if (dt.state === "waiting" || dt.state === "queued" || dt.state === "processing" || dt.state === "released") {
        if (dt.state === "released" && !needed(dt)) continue;
        dt.error = error;
        recommend(st, dt, "erred");
      }
    }
  }
  if (!needed(ts) && (ts.dependents === null || ts.dependents.size === 0)) recommend(st, ts, "forgotten");
}

function erredToReleased(st: SchedulerState, ts: TaskState): void {
  ts.error = undefined;
  setState(st, ts, "released");
  if (!needed(ts) && (ts.dependents === null || ts.dependents.size === 0)) recommend(st, ts, "forgotten");
}

function releasedToForgotten(st: SchedulerState, ts: TaskState): void {
  if (needed(ts) || (ts.dependents !== null && ts.dependents.size > 0)) return;
  setState(st, ts, "forgotten");
  ts.prefix.counts.forgotten--; // forgotten tasks are not counted (they are gone)
  st.tasks.delete(ts.key);
  if (ts.deps !== null) {
    for (const dep of ts.deps) {
      if (dep.dependents === null) continue;
      dep.dependents.delete(ts);
      if (dep.dependents.size === 0 && !needed(dep) && (dep.state === "released" || dep.state === "erred")) {
        recommend(st, dep, "forgotten");
      }
    }
  }
  ts.deps = null;
  ts.args = undefined;
  ts.fn = undefined;
  ts.data = undefined;
}

/** The transition table, keyed "from>to". Pairs not listed go through "released". */
const TRANSITIONS: Partial<Record<`${TaskStateName}>${TaskStateName}`, TransitionFn>> = {
  "released>waiting": releasedToWaiting,
  "released>erred": toErred,
  "released>forgotten": releasedToForgotten,
  "waiting>released": toReleasedFromActive,
  "queued>released": toReleasedFromActive,
  "processing>released": toReleasedFromActive,
  "waiting>erred": toErred,
  "queued>erred": toErred,
  "processing>erred": toErred,
  "memory>released": memoryToReleased,
  "erred>released": erredToReleased,
};
