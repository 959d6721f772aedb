/**
 * Where tasks run. A task with dependencies goes where starting it is expected soonest: the worker's
 * queued work per thread plus the time to fetch the dependency bytes it lacks (so the holder of the
 * biggest inputs usually wins), less the bytes of its siblings already there. Root tasks go to the
 * least-loaded worker with room, except that siblings — inputs of the same small reduction step —
 * go together (co-assignment, as Dask did for sibling root tasks): a partial result then meets the
 * others on the worker that made them instead of hopping between workers.
 */
import type { SchedulerState } from "./state.js";
import type { TaskState, WorkerState } from "./entities.js";
import type { Key } from "../graph/spec.js";
import { rangeInputs } from "../graph/range-ref.js";

/** Bytes/s assumed for moving a result between workers. */
export const ASSUMED_BANDWIDTH = 100e6;
/**
 * Placement weighs a missing input this many times its transfer time: a fetched block is held
 * twice (the holder keeps its copy until its own readers are done), so moving a task to an idler
 * worker costs memory on top of time. Keeps single-input readers of big blocks (the transposed
 * reads of x + x.T) beside their block unless the holder is well behind.
 */
export const FETCH_MEMORY_WEIGHT = 2;
/** A worker keeps at least this many seconds of work queued per thread (hides the round trip). */
export const PIPELINE_SECONDS = 0.005;
/** Upper bound on tasks handed to one worker at a time, per thread. */
export const MAX_TASKS_PER_THREAD = 256;
/** How many workers with room are considered besides the holders of the dependencies. */
const EXTRA_CANDIDATES = 16;
/**
 * Siblings are co-assigned when their common dependent has at most this many inputs (a tree
 * reduction's fan-in). A worker then takes at most this many tasks beyond its usual room, which
 * bounds the extra memory; a dependent of many more inputs (a concatenation of everything) spreads
 * its inputs as usual.
 */
export const MAX_COASSIGNED_SIBLINGS = 16;

/**
 * The only dependent of `ts` when it is a small reduction step (its inputs are `ts`'s siblings), or
 * null when there is none, several, or it has too many inputs.
 */
function reductionStep(ts: TaskState): TaskState | null {
  const ds = ts.dependents;
  if (ds === null || ds.size !== 1) return null;
  const d = ds.values().next().value as TaskState;
  return d.deps !== null && d.deps.length > 1 && d.deps.length <= MAX_COASSIGNED_SIBLINGS ? d : null;
}

/** Read by more tasks than a sibling group holds (a broadcast block): not a reason to co-locate. */
const widelyRead = (s: TaskState): boolean => s.dependents !== null && s.dependents.size > MAX_COASSIGNED_SIBLINGS;

/** Where `s` runs or is held, if on a running worker. */
function placedOn(s: TaskState): WorkerState | null {
  const ws = s.processingOn ?? (s.whoHas !== null && s.whoHas.length > 0 ? s.whoHas[0]! : null);
  return ws !== null && ws.status === "running" ? ws : null;
}

/**
 * A running worker already processing or holding a sibling of `ts`, or null. Siblings are the other
 * inputs of its small dependents: of its reduction step, or, for a task read by a few dependents
 * that each read few inputs (a tile read by the rows of a rechunk), of any of those. A sibling read
 * by many (a block broadcast to every task) does not pull others to its worker.
 */
export function siblingWorker(ts: TaskState): WorkerState | null {
  const d = reductionStep(ts);
  if (d !== null) {
    for (const s of d.deps!) {
      if (s === ts || widelyRead(s)) continue;
      const ws = placedOn(s);
      if (ws !== null) return ws;
    }
    return null;
  }
  const ds = ts.dependents;
  if (ds === null || ds.size < 2 || ds.size > MAX_COASSIGNED_SIBLINGS) return null;
  for (const dep of ds) if (dep.deps === null || dep.deps.length > MAX_COASSIGNED_SIBLINGS) return null;
  for (const dep of ds) {
    for (const s of dep.deps!) {
      if (s === ts || s.deps !== null || widelyRead(s)) continue;
      const ws = placedOn(s);
      if (ws !== null) return ws;
    }
  }
  return null;
}

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

/**
 * Expected seconds until `ts` could start on `ws`: queued work per thread + missing input transfer
 * (weighted by FETCH_MEMORY_WEIGHT),
 * less the transfer its result would save by joining siblings already there (a small credit per
 * sibling even before their sizes are known, so that ties go to the siblings' worker).
 */
function startTime(ts: TaskState, ws: WorkerState, step: TaskState | null): number {
  let missing = 0;
  const ranges = rangeBytes(ts);
  for (const dep of ts.deps!) {
    if (dep.whoHas !== null && !dep.whoHas.includes(ws)) missing += ranges?.get(dep.key) ?? Math.max(0, dep.nbytes);
  }
  let credit = 0;
  if (step !== null) {
    for (const s of step.deps!) {
      if (s !== ts && (s.processingOn === ws || (s.whoHas !== null && s.whoHas.includes(ws)))) credit += Math.max(0, s.nbytes) / ASSUMED_BANDWIDTH + 1e-6;
    }
  }
  return ws.occupancy / ws.nthreads + (FETCH_MEMORY_WEIGHT * missing) / ASSUMED_BANDWIDTH - credit;
}

/** Per task: the bytes it reads of each input it reads only through range references; computed once. */
const rangeReads = new WeakMap<TaskState, ReadonlyMap<Key, number> | null>();

/**
 * A worker lacking an input that `ts` reads only through range references fetches just those ranges
 * (../graph/range-ref.ts): placement must count those bytes, not the whole block, or every piece
 * reader of a rechunk piles onto whichever worker happens to hold more of its blocks.
 */
function rangeBytes(ts: TaskState): ReadonlyMap<Key, number> | null {
  let r = rangeReads.get(ts);
  if (r === undefined) {
    r = null;
    const found = ts.args !== undefined ? rangeInputs(ts.args, [], () => true) : null;
    if (found !== null) {
      const m = new Map<Key, number>();
      for (const { key, nbytes } of found.ranges.values()) m.set(key, (m.get(key) ?? 0) + nbytes);
      r = m;
    }
    rangeReads.set(ts, r);
  }
  return r;
}

export function decideWorker(state: SchedulerState, ts: TaskState): WorkerState | null {
  let best: WorkerState | null = null;
  let bestCost = Infinity;
  const step = reductionStep(ts);
  const consider = (ws: WorkerState): void => {
    if (ws.status !== "running") return;
    const cost = startTime(ts, ws, step);
    if (cost < bestCost || (cost === bestCost && best !== null && ws.processing.size < best.processing.size)) {
      best = ws;
      bestCost = cost;
    }
  };
  for (const dep of ts.deps!) if (dep.whoHas !== null) for (const ws of dep.whoHas) consider(ws);
  const sib = step !== null ? siblingWorker(ts) : null;
  if (sib !== null) consider(sib);
  let n = 0;
  for (const ws of state.unsaturated) {
    consider(ws);
    if (++n >= EXTRA_CANDIDATES) break;
  }
  if (best === null) for (const ws of state.workers.values()) consider(ws);
  return best;
}

/**
 * Whole sibling groups on one worker keep a reduction's partials together, but when the layer has
 * fewer groups than there are workers (16 blocks summed at once: one group), that would leave all
 * other workers idle. Then a worker takes at most its share of a group (by threads), as Dask's
 * co-assignment does; with enough groups to go round, whole groups stay together.
 */
function overFairShare(state: SchedulerState, ts: TaskState, ws: WorkerState): boolean {
  const step = reductionStep(ts);
  if (step === null) return false;
  const c = ts.prefix.counts;
  const layer = c.released + c.waiting + c.queued + c.processing + c.memory; // released: not yet reached
  const groupSize = step.deps!.length;
  // enough groups for every worker (the cheap, common case: no walk over the workers)
  if (layer >= groupSize * state.workers.size) return false;
  let workers = 0;
  let threads = 0;
  for (const w of state.workers.values()) {
    if (w.status !== "running") continue;
    workers++;
    threads += w.nthreads;
  }
  if (workers < 2 || layer >= groupSize * workers) return false;
  const share = Math.ceil((groupSize * ws.nthreads) / threads);
  let here = 0;
  for (const s of step.deps!) if (s !== ts && placedOn(s) === ws) here++;
  return here >= share;
}

/**
 * Where a root task goes: with its siblings when one is already placed (even beyond that worker's
 * usual room, by at most MAX_COASSIGNED_SIBLINGS tasks), else the least-loaded worker among (the
 * first few of) those with room; null if all are saturated.
 */
export function pickRootWorker(state: SchedulerState, ts?: TaskState): WorkerState | null {
  if (ts !== undefined) {
    const sib = siblingWorker(ts);
    if (sib !== null && sib.processing.size < sib.nthreads * MAX_TASKS_PER_THREAD && !overFairShare(state, ts, sib)) return sib;
  }
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
