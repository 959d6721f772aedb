/**
 * Work stealing: when a worker has idle threads and nothing is queued, move tasks that wait (not yet
 * running) on busy workers to it. Only tasks long enough to be worth the move are stolen: expected
 * run time above MIN_STEAL_SECONDS and more than twice the time to transfer their inputs.
 * The victim decides at the steal-request whether a task has started; see SchedulerState.stealResponse.
 */
import { ASSUMED_BANDWIDTH } from "./placement.js";
import type { SchedulerState } from "./state.js";
import type { TaskState, WorkerState } from "./entities.js";

export const MIN_STEAL_SECONDS = 0.01;

function worthStealing(ts: TaskState, state: SchedulerState): boolean {
  if (ts.stealTo !== null || ts.restrictions !== null) return false;
  const expected = ts.prefix.durationAverage >= 0 ? ts.prefix.durationAverage : state.defaultTaskDuration;
  if (expected < MIN_STEAL_SECONDS) return false;
  let bytes = 0;
  if (ts.deps !== null) for (const dep of ts.deps) bytes += Math.max(0, dep.nbytes);
  return bytes / ASSUMED_BANDWIDTH < expected / 2;
}

/** One balancing pass; returns the number of steals requested. */
export function balance(state: SchedulerState): number {
  if (state.queued.size > 0) return 0;
  const victims = [...state.workers.values()]
    .filter((ws) => ws.processing.size > ws.nthreads)
    .sort((a, b) => b.occupancy / b.nthreads - a.occupancy / a.nthreads);
  if (victims.length === 0) return 0;
  // Steals already in flight count against the thief's room.
  const inFlight = new Map<WorkerState, number>();
  for (const v of victims) for (const ts of v.processing) if (ts.stealTo !== null) inFlight.set(ts.stealTo, (inFlight.get(ts.stealTo) ?? 0) + 1);
  const thieves: { ws: WorkerState; room: number }[] = [];
  for (const ws of state.workers.values()) {
    if (ws.status !== "running") continue;
    const room = ws.nthreads - ws.processing.size - (inFlight.get(ws) ?? 0);
    if (room > 0) thieves.push({ ws, room });
  }
  if (thieves.length === 0) return 0;
  let requested = 0;
  for (const victim of victims) {
    // Tasks beyond the victim's threads, lowest priority (last to run) first.
    const waiting = [...victim.processing].sort((a, b) => b.priority - a.priority);
    let spare = victim.processing.size - victim.nthreads;
    for (const ts of waiting) {
      if (spare <= 0) break;
      const thief = thieves.find((t) => t.room > 0);
      if (thief === undefined) return requested;
      if (!worthStealing(ts, state)) continue;
      state.requestSteal(ts, thief.ws);
      thief.room--;
      spare--;
      requested++;
    }
  }
  return requested;
}
