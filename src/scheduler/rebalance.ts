/**
 * Rebalancing: move results from workers holding more than the mean to workers holding less, as
 * Dask's Scheduler.rebalance does (its _rebalance_find_msgs): the memory measure is the bytes of
 * results each worker holds (Dask's "managed" measure); workers within half a gap of the mean take
 * no part; with a memory limit, senders hold at least `senderMin` of it and recipients at most
 * `recipientMax`; the sender and the recipient farthest from the mean trade the sender's least
 * recently stored key, and no recipient gets a key it holds already (replication is never lowered).
 * A move copies the key to the recipient (acquire-replicas), then drops the sender's copy once the
 * recipient has it (finishMove); nothing is dropped for a move that failed.
 */
import type { Key } from "../graph/spec.js";
import type { TaskState, WorkerState } from "./entities.js";
import { freeOn } from "./outbox.js";
import type { SchedulerState } from "./state.js";

/** Dask's distributed.worker.memory.rebalance defaults (fractions of a worker's memory limit). */
export interface RebalanceThresholds {
  senderMin: number;
  recipientMax: number;
  senderRecipientGap: number;
}

export const DEFAULT_REBALANCE_THRESHOLDS: RebalanceThresholds = { senderMin: 0.3, recipientMax: 0.6, senderRecipientGap: 0.1 };

export interface Move {
  readonly ts: TaskState;
  readonly from: WorkerState;
  readonly to: WorkerState;
}

interface Side {
  ws: WorkerState;
  /** Bytes still to lose (sender) or to gain (recipient) to reach the mean, and to come within half a gap of it. */
  max: number;
  min: number;
  keys?: Iterator<TaskState>;
}

/** The moves that balance the workers' result bytes (nothing is sent yet). */
export function planRebalance(
  st: SchedulerState,
  opts: { keys?: ReadonlySet<Key>; workers?: readonly WorkerState[]; thresholds?: RebalanceThresholds } = {},
): Move[] {
  const th = opts.thresholds ?? DEFAULT_REBALANCE_THRESHOLDS;
  const workers = (opts.workers ?? [...st.workers.values()]).filter((ws) => ws.status === "running" && !st.retiring.has(ws));
  if (workers.length < 2) return [];
  const mean = workers.reduce((s, ws) => s + ws.nbytes, 0) / workers.length;
  const senders: Side[] = [];
  const recipients: Side[] = [];
  for (const ws of workers) {
    const limit = ws.memoryLimit;
    const halfGap = limit > 0 ? (th.senderRecipientGap / 2) * limit : 0;
    const senderMin = limit > 0 ? th.senderMin * limit : 0;
    const recipientMax = limit > 0 ? th.recipientMax * limit : Infinity;
    if (ws.hasWhat.size > 0 && ws.nbytes >= mean + halfGap && ws.nbytes >= senderMin && ws.nbytes > mean) {
      senders.push({ ws, max: ws.nbytes - mean, min: ws.nbytes - mean - halfGap, keys: ws.hasWhat.values() });
    } else if (ws.nbytes < mean - halfGap && ws.nbytes < recipientMax) {
      recipients.push({ ws, max: mean - ws.nbytes, min: mean - ws.nbytes - halfGap });
    }
  }
  const moves: Move[] = [];
  const farthest = (list: Side[]): Side | undefined => list.reduce<Side | undefined>((b, s) => (b === undefined || s.max > b.max ? s : b), undefined);
  for (;;) {
    const snd = farthest(senders);
    if (snd === undefined || recipients.length === 0) break;
    let moved = false;
    for (let r = snd.keys!.next(); !r.done; r = snd.keys!.next()) {
      const ts = r.value;
      if (opts.keys !== undefined && !opts.keys.has(ts.key)) continue;
      if (ts.state !== "memory" || ts.nbytes < 0) continue;
      // Moving it would take the sender below the mean (and the key might bounce back): try the next.
      if (ts.nbytes > snd.max) continue;
      const rec = recipients
        .filter((s) => s.max >= ts.nbytes && !s.ws.hasWhat.has(ts))
        .reduce<Side | undefined>((b, s) => (b === undefined || s.max > b.max ? s : b), undefined);
      if (rec === undefined) continue;
      moves.push({ ts, from: snd.ws, to: rec.ws });
      snd.max -= ts.nbytes;
      snd.min -= ts.nbytes;
      rec.max -= ts.nbytes;
      rec.min -= ts.nbytes;
      if (snd.min <= 0) senders.splice(senders.indexOf(snd), 1);
      if (rec.min <= 0) recipients.splice(recipients.indexOf(rec), 1);
      moved = true;
      break;
    }
    // This sender's keys are exhausted: it is done.
    if (!moved && senders.includes(snd)) senders.splice(senders.indexOf(snd), 1);
  }
  return moves;
}

/** Ask each recipient to copy its keys from their senders (one acquire-replicas per recipient). */
export function startMoves(st: SchedulerState, moves: readonly Move[]): void {
  for (const m of moves) {
    let req = st._acquire.get(m.to);
    if (!req) st._acquire.set(m.to, (req = {}));
    req[m.ts.key] = [m.from.address];
  }
}

/** "done": the recipient holds the key; "failed": it never will (a worker left, the key was freed); "waiting". */
export function moveStatus(st: SchedulerState, m: Move): "done" | "failed" | "waiting" {
  if (st.tasks.get(m.ts.key) !== m.ts || m.ts.state !== "memory" || m.ts.whoHas === null) return "failed";
  if (m.ts.whoHas.includes(m.to)) return "done";
  if (st.workers.get(m.to.address) !== m.to || !m.ts.whoHas.includes(m.from)) return "failed";
  return "waiting";
}

/** The recipient has the key: the sender's copy goes (unless it is the last one). */
export function finishMove(st: SchedulerState, m: Move): void {
  const whoHas = m.ts.whoHas;
  if (whoHas === null || whoHas.length < 2) return;
  const i = whoHas.indexOf(m.from);
  if (i < 0) return;
  whoHas.splice(i, 1);
  m.from.hasWhat.delete(m.ts);
  m.from.nbytes -= Math.max(0, m.ts.nbytes);
  freeOn(st, m.from, [m.ts.key]);
}
