/**
 * Graceful retirement of workers: no new tasks; their unique results are copied to peers first.
 */
import type { TaskState, WorkerState } from "./entities.js";
import { checkSaturation } from "./queueing.js";
import { needed } from "./refcounts.js";
import type { SchedulerState } from "./state.js";

/** A worker retiring gracefully. */
export interface Retirement {
  /** Results whose copy was asked for, and of whom (asked again if that worker leaves first). */
  readonly requested: Map<TaskState, WorkerState>;
  /** Hold results with nowhere to go until a worker joins, rather than dropping them (see beginRetire). */
  awaitRecipient: boolean;
  /** Holding them, it takes tasks again meanwhile (status "running") until a worker joins. */
  postponed: boolean;
}

/**
 * Start retiring workers gracefully: no new tasks; their unique results are copied to peers.
 * `awaitRecipient`: the worker leaves anyway (its --lifetime or SIGTERM), so when no running worker
 * can take its results it hands them to a worker that began retiring after it, or, if it is the
 * last, holds them until a worker joins (a replacement is usually on its way) rather than losing
 * them, and meanwhile takes tasks again. Without it (an explicit retire), results with nowhere to
 * go are dropped and recomputed.
 */
export function beginRetire(st: SchedulerState, addresses: readonly string[], opts: { awaitRecipient?: boolean } = {}): void {
  for (const a of addresses) {
    const ws = st.workers.get(a);
    if (!ws) continue;
    const known = st.retiring.get(ws);
    if (known !== undefined) {
      if (opts.awaitRecipient === true) known.awaitRecipient = true;
      continue;
    }
    ws.status = "closing-gracefully";
    st.unsaturated.delete(ws);
    st.retiring.set(ws, { requested: new Map(), awaitRecipient: opts.awaitRecipient === true, postponed: false });
  }
  retireStep(st);
}

/** True when a retiring worker runs nothing and every result it holds that is needed lives elsewhere too. */
export function retireDone(st: SchedulerState, address: string): boolean {
  const ws = st.workers.get(address);
  if (!ws) return true;
  if (ws.processing.size > 0) return false;
  const r = st.retiring.get(ws);
  if (r?.postponed === true) return false;
  if (r?.awaitRecipient !== true && !hasRecipients(st, ws)) return true;
  return !holdsOnlyCopy(ws);
}

function hasRecipients(st: SchedulerState, except: WorkerState): boolean {
  for (const w of st.workers.values()) if (w !== except && takesResults(st, w)) return true;
  return false;
}

/** A running worker that is not retiring (a postponed retirement runs, but does not take results). */
function takesResults(st: SchedulerState, w: WorkerState): boolean {
  return w.status === "running" && !st.retiring.has(w);
}

export function retireStep(st: SchedulerState): void {
  if (st.retiring.size === 0) return;
  let running: WorkerState[] | null = null;
  // Retiring workers that wait for a recipient, latest last: an earlier one may hand its results to
  // a later one (never the reverse, so results only move forward), and only the last one waits.
  const waiting: WorkerState[] = [];
  for (const [ws, r] of st.retiring) if (r.awaitRecipient) waiting.push(ws);
  for (const [ws, r] of st.retiring) {
    running ??= [...st.workers.values()].filter((w) => takesResults(st, w));
    let recipients = running;
    if (recipients.length === 0 && r.awaitRecipient) {
      const later = waiting[waiting.length - 1]!;
      if (later === ws) {
        // The last to leave: if it has work or results to keep, it holds them until a worker
        // joins, and computes meanwhile; else it may go (see retireDone).
        const hold = ws.processing.size > 0 || holdsOnlyCopy(ws);
        if (hold && !r.postponed && ws.status === "closing-gracefully") {
          r.postponed = true;
          ws.status = "running";
          checkSaturation(st, ws);
        } else if (!hold && r.postponed) endPostponement(st, ws, r);
        continue;
      }
      recipients = [later];
    }
    // Someone can take the results now: stop taking tasks and hand them over.
    if (r.postponed) endPostponement(st, ws, r);
    if (ws.processing.size > 0) continue;
    if (recipients.length === 0) continue;
    for (const ts of ws.hasWhat) {
      if (r.requested.has(ts) || !needed(ts) || ts.whoHas === null || ts.whoHas.length > 1) continue;
      let best = recipients[0]!;
      for (const w of recipients) if (w.nbytes < best.nbytes) best = w;
      let req = st._acquire.get(best);
      if (!req) st._acquire.set(best, (req = {}));
      req[ts.key] = [ws.address];
      r.requested.set(ts, best);
      best.nbytes += Math.max(0, ts.nbytes); // so the next key goes elsewhere; corrected by add-keys
    }
  }
}

function endPostponement(st: SchedulerState, ws: WorkerState, r: Retirement): void {
  r.postponed = false;
  if (ws.status === "running" || ws.status === "paused") ws.status = "closing-gracefully";
  st.unsaturated.delete(ws);
}

/** Holds a needed result that no other worker has. */
function holdsOnlyCopy(ws: WorkerState): boolean {
  for (const ts of ws.hasWhat) if (needed(ts) && ts.whoHas !== null && ts.whoHas.length <= 1) return true;
  return false;
}
