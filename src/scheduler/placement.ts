/**
 * Where tasks run. A task with dependencies goes where starting it is expected soonest: the worker's
 * queued work per thread plus the time to fetch the dependency bytes it lacks (so the holder of the
 * biggest inputs usually wins). Root tasks go to the least-loaded worker with room.
 */
import type { SchedulerState } from "./state.js";
import type { TaskState, WorkerState } from "./entities.js";

/** Bytes/s assumed for moving a result between workers. */
export const ASSUMED_BANDWIDTH = 100e6;
/** A worker keeps at least this many seconds of work queued per thread (hides the round trip). */
export const PIPELINE_SECONDS = 0.005;
/** Upper bound on tasks handed to one worker at a time, per thread. */
export const MAX_TASKS_PER_THREAD = 256;
/** How many workers with room are considered besides the holders of the dependencies. */
const EXTRA_CANDIDATES = 16;

/**
 * Saturated = no more tasks should be sent now. Always room for one task beyond the threads
 * (Dask's worker-saturation 1.1); short tasks get a deeper pipeline until PIPELINE_SECONDS of
 * expected work per thread is queued.
 */
export function isSaturated(ws: WorkerState): boolean {
  if (ws.status !== "running") return true;
  const n = ws.processing.size;
  const base = ws.nthreads + Math.max(1, Math.ceil(ws.nthreads * 0.1));
  if (n < base) return false;
  if (n >= ws.nthreads * MAX_TASKS_PER_THREAD) return true;
  return ws.occupancy >= ws.nthreads * PIPELINE_SECONDS;
}

/** Expected seconds until `ts` could start on `ws`: queued work per thread + missing input transfer. */
function startTime(ts: TaskState, ws: WorkerState): number {
  let missing = 0;
  for (const dep of ts.deps!) {
    if (dep.whoHas !== null && !dep.whoHas.includes(ws)) missing += Math.max(0, dep.nbytes);
  }
  return ws.occupancy / ws.nthreads + missing / ASSUMED_BANDWIDTH;
}

export function decideWorker(state: SchedulerState, ts: TaskState): WorkerState | null {
  let best: WorkerState | null = null;
  let bestCost = Infinity;
  const consider = (ws: WorkerState): void => {
    if (ws.status !== "running") return;
    const cost = startTime(ts, ws);
    if (cost < bestCost || (cost === bestCost && best !== null && ws.processing.size < best.processing.size)) {
      best = ws;
      bestCost = cost;
    }
  };
  for (const dep of ts.deps!) if (dep.whoHas !== null) for (const ws of dep.whoHas) consider(ws);
  let n = 0;
  for (const ws of state.unsaturated) {
    consider(ws);
    if (++n >= EXTRA_CANDIDATES) break;
  }
  if (best === null) for (const ws of state.workers.values()) consider(ws);
  return best;
}

/** The least-loaded worker among (the first few of) those with room; null if all are saturated. */
export function pickRootWorker(state: SchedulerState): WorkerState | null {
  let best: WorkerState | null = null;
  let bestLoad = Infinity;
  let n = 0;
  for (const ws of state.unsaturated) {
    const load = ws.processing.size / ws.nthreads;
    if (load < bestLoad) {
      best = ws;
      bestLoad = load;
      if (load === 0) break;
    }
    if (++n >= EXTRA_CANDIDATES) break;
  }
  return best;
}
