/**
 * Placing ready tasks on workers, or queueing them until a worker has room; processing bookkeeping.
 */
import type { TaskState, WorkerState } from "./entities.js";
import { pickRestricted } from "./restrictions.js";
import { decideWorker, isSaturated, pickRootWorker } from "./placement.js";
import type { SchedulerState } from "./state.js";
import { setState } from "./transitions.js";

/** All dependencies in memory: place it now (locality) or queue it until a worker has room. */
export function ready(st: SchedulerState, ts: TaskState): void {
  if (ts.restrictions !== null) {
    const ws = pickRestricted(st, ts, ts.restrictions);
    if (ws !== null) assign(st, ts, ws);
    else {
      setState(st, ts, "queued");
      st.unrunnable.add(ts);
    }
    return;
  }
  if (st.workers.size === 0) {
    enqueue(st, ts);
    return;
  }
  if (ts.deps !== null) {
    const ws = decideWorker(st, ts);
    if (ws !== null) {
      assign(st, ts, ws);
      return;
    }
  } else if (st.queued.size === 0) {
    const ws = pickRootWorker(st, ts);
    if (ws !== null) {
      assign(st, ts, ws);
      return;
    }
  }
  enqueue(st, ts);
}

function enqueue(st: SchedulerState, ts: TaskState): void {
  setState(st, ts, "queued");
  st.queued.push(ts);
}

/** A worker joined: restricted tasks waiting for one like it are placed. */
export function retryUnrunnable(st: SchedulerState): void {
  for (const ts of [...st.unrunnable]) {
    st.unrunnable.delete(ts);
    if (ts.state === "queued" && ts.processingOn === null) ready(st, ts);
  }
}

/** Move queued tasks onto workers with room, in priority order. */
export function fillQueue(st: SchedulerState): void {
  while (st.queued.size > 0 && st.unsaturated.size > 0) {
    const ts = st.queued.pop()!;
    if (ts.state !== "queued") continue;
    const ws = ts.deps !== null ? decideWorker(st, ts) : pickRootWorker(st, ts);
    if (ws === null) {
      st.queued.push(ts);
      break;
    }
    assign(st, ts, ws);
  }
}

export function assign(st: SchedulerState, ts: TaskState, ws: WorkerState): void {
  if (ts.state !== "processing") setState(st, ts, "processing");
  ts.processingOn = ws;
  ts.expected = ts.prefix.durationAverage >= 0 ? ts.prefix.durationAverage : st.defaultTaskDuration;
  ws.processing.add(ts);
  ws.occupancy += ts.expected;
  let list = st._compute.get(ws);
  if (!list) st._compute.set(ws, (list = []));
  list.push(ts);
  if (isSaturated(ws)) st.unsaturated.delete(ws);
}

export function removeFromProcessing(st: SchedulerState, ts: TaskState): void {
  const ws = ts.processingOn;
  if (ws === null) return;
  ws.processing.delete(ts);
  ws.occupancy -= ts.expected;
  if (ws.processing.size === 0 || ws.occupancy < 0) ws.occupancy = Math.max(0, ws.processing.size === 0 ? 0 : ws.occupancy);
  ts.processingOn = null;
  ts.stealTo = null;
  checkSaturation(st, ws);
}

export function checkSaturation(st: SchedulerState, ws: WorkerState): void {
  if (ws.status !== "running") return;
  if (isSaturated(ws)) st.unsaturated.delete(ws);
  else st.unsaturated.add(ws);
}

/** Work stealing: idle workers take queued-up tasks from saturated ones (see ./stealing.ts). */
export function requestSteal(st: SchedulerState, ts: TaskState, thief: WorkerState): void {
  const victim = ts.processingOn;
  if (victim === null || ts.stealTo !== null) return;
  ts.stealTo = thief;
  let list = st._steal.get(victim);
  if (!list) st._steal.set(victim, (list = []));
  list.push(ts.key);
  st.counters.stealsRequested++;
}
