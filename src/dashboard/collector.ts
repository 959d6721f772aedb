/**
 * The dashboard's bookkeeping, without IO. Listener callbacks (called from the scheduler's hot path)
 * only bump counters and push into a bounded ring; everything that costs more — summing workers,
 * building progress rows, serialising — happens in `snapshot()`/`sample()`, which the server calls on
 * its timers.
 */
import type { ClusterTotals, HistorySample, ProgressRow, Snapshot, SpanWire } from "./api-types.js";
import {
  DEFAULT_MEMORY_THRESHOLDS,
  isPaused,
  type DashboardListener,
  type DashboardSource,
  type PrefixCounts,
  type TaskSpan,
  type TaskState,
  type WorkerView,
} from "./source.js";
import { SpanRing } from "./span-ring.js";

/** Per-prefix counters kept from transitions. */
interface PrefixTally {
  /** Tasks forgotten after they finished (they no longer appear in the scheduler's counts). */
  forgotten: number;
  /** `forgotten` when the prefix was last seen with no live tasks; subtracted once work restarts. */
  forgottenBase: number | undefined;
  /** Last time (ms) the prefix had live tasks or a transition. */
  lastActive: number;
}

export interface CollectorOptions {
  /** Spans kept for the task stream. */
  spanCapacity?: number;
  /** Samples of the time series kept (one a second). */
  historyLength?: number;
  /** How long a finished prefix stays on the progress panel after its tasks are forgotten, ms. */
  progressLingerMs?: number;
  now?: () => number;
}

export function toSpanWire(s: TaskSpan): SpanWire {
  const w: SpanWire = { k: s.key, p: s.prefix, w: s.worker, t: s.thread, s: s.start, e: s.stop, a: s.action };
  return s.erred ? { ...w, x: 1 } : w;
}

export class Collector {
  readonly source: DashboardSource;
  readonly spans: SpanRing;
  #tallies = new Map<string, PrefixTally>();
  #tasksFinished = 0;
  #tasksErred = 0;
  #history: HistorySample[] = [];
  #historyLength: number;
  #lingerMs: number;
  #lastSample: { t: number; finished: number } | undefined;
  #now: () => number;
  #unsubscribe: () => void;

  constructor(source: DashboardSource, opts: CollectorOptions = {}) {
    this.source = source;
    this.spans = new SpanRing(opts.spanCapacity ?? 10_000);
    this.#historyLength = opts.historyLength ?? 600;
    this.#lingerMs = opts.progressLingerMs ?? 120_000;
    this.#now = opts.now ?? Date.now;
    const listener: DashboardListener = {
      transition: (_key, prefix, from, to) => this.#onTransition(prefix, from, to),
      span: (key, prefix, worker, thread, start, stop, action, erred) => this.spans.push(key, prefix, worker, thread, start, stop, action, erred),
    };
    this.#unsubscribe = source.subscribe(listener);
  }

  close(): void {
    this.#unsubscribe();
  }

  get tasksFinished(): number {
    return this.#tasksFinished;
  }

  #onTransition(prefix: string, from: TaskState, to: TaskState): void {
    if (to === "memory" && from === "processing") this.#tasksFinished++;
    else if (to === "erred") this.#tasksErred++;
    else if (to === "forgotten" && (from === "memory" || from === "released")) {
      let t = this.#tallies.get(prefix);
      if (t === undefined) {
        t = { forgotten: 0, forgottenBase: undefined, lastActive: this.#now() };
        this.#tallies.set(prefix, t);
      }
      t.forgotten++;
    }
  }

  /** Take one time-series sample (the server calls this once a second). */
  sample(): HistorySample {
    const now = this.#now();
    let memory = 0;
    for (const w of this.source.workers()) memory += w.memory;
    const prev = this.#lastSample;
    const dt = prev ? (now - prev.t) / 1000 : 0;
    const tasksPerS = prev && dt > 0 ? (this.#tasksFinished - prev.finished) / dt : 0;
    this.#lastSample = { t: now, finished: this.#tasksFinished };
    const s: HistorySample = { t: now / 1000, memory, tasksPerS };
    this.#history.push(s);
    if (this.#history.length > this.#historyLength) this.#history.splice(0, this.#history.length - this.#historyLength);
    return s;
  }

  history(): readonly HistorySample[] {
    return this.#history;
  }

  /** Progress rows, one per prefix with live tasks or finished within the linger time. */
  progress(counts: readonly PrefixCounts[] = this.source.taskCounts()): ProgressRow[] {
    const now = this.#now();
    const rows: ProgressRow[] = [];
    const seen = new Set<string>();
    for (const pc of counts) {
      const c = pc.counts;
      const live =
        (c.released ?? 0) + (c.waiting ?? 0) + (c["no-worker"] ?? 0) + (c.queued ?? 0) + (c.processing ?? 0) + (c.memory ?? 0) + (c.erred ?? 0);
      let t = this.#tallies.get(pc.prefix);
      if (t === undefined) {
        t = { forgotten: 0, forgottenBase: undefined, lastActive: now };
        this.#tallies.set(pc.prefix, t);
      }
      if (live === 0) continue; // handled below as a lingering prefix
      if (t.forgottenBase !== undefined) {
        // Work restarted after everything of this prefix was forgotten: a new computation; start afresh.
        t.forgotten -= t.forgottenBase;
        t.forgottenBase = undefined;
      }
      t.lastActive = now;
      seen.add(pc.prefix);
      const done = (c.released ?? 0) + t.forgotten;
      const memory = c.memory ?? 0;
      const erred = c.erred ?? 0;
      const total = live + t.forgotten;
      rows.push({
        prefix: pc.prefix,
        total,
        waiting: (c.waiting ?? 0) + (c["no-worker"] ?? 0) + (c.queued ?? 0),
        processing: c.processing ?? 0,
        memory,
        done,
        erred,
        fraction: total === 0 ? 1 : (memory + done + erred) / total,
      });
    }
    for (const [prefix, t] of this.#tallies) {
      if (seen.has(prefix)) continue;
      // No live tasks: remember the count so that a later computation of the same prefix starts afresh.
      t.forgottenBase ??= t.forgotten;
      const forgotten = t.forgotten;
      if (forgotten > 0 && now - t.lastActive <= this.#lingerMs) {
        rows.push({ prefix, total: forgotten, waiting: 0, processing: 0, memory: 0, done: forgotten, erred: 0, fraction: 1 });
      } else if (now - t.lastActive > this.#lingerMs) {
        this.#tallies.delete(prefix);
      }
    }
    rows.sort((a, b) => (a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : 0));
    return rows;
  }

  #jobs(): Snapshot["jobs"] {
    const j = this.source.jobs?.jobs();
    if (j === undefined) return null;
    return { ...j, coreSecondsBusy: j.coreSecondsBusy ?? this.source.taskSeconds?.() ?? 0 };
  }

  snapshot(): Snapshot {
    const workers = this.source.workers();
    const counts = this.source.taskCounts();
    const taskCounts: Partial<Record<TaskState, number>> = {};
    for (const pc of counts) {
      for (const [state, n] of Object.entries(pc.counts) as [TaskState, number][]) taskCounts[state] = (taskCounts[state] ?? 0) + n;
    }
    return {
      time: this.#now(),
      schedulerAddress: this.source.schedulerAddress,
      workers,
      totals: totalsOf(workers),
      thresholds: this.source.memoryThresholds?.() ?? DEFAULT_MEMORY_THRESHOLDS,
      progress: this.progress(counts),
      taskCounts,
      tasksFinished: this.#tasksFinished,
      tasksErred: this.#tasksErred,
      jobs: this.#jobs(),
    };
  }
}

export function totalsOf(workers: readonly WorkerView[]): ClusterTotals {
  let threads = 0;
  let memory = 0;
  let memoryLimit = 0;
  let managedBytes = 0;
  let spilledBytes = 0;
  let processing = 0;
  let stored = 0;
  let cpuPercent = 0;
  let restarts = 0;
  let paused = 0;
  for (const w of workers) {
    threads += w.nthreads;
    memory += w.memory;
    memoryLimit += w.memoryLimit;
    managedBytes += w.managedBytes ?? 0;
    spilledBytes += w.spilledBytes;
    processing += w.processing;
    stored += w.stored;
    cpuPercent += w.cpuPercent ?? 0;
    restarts += w.restarts ?? 0;
    if (isPaused(w)) paused++;
  }
  return { workers: workers.length, threads, memory, memoryLimit, managedBytes, spilledBytes, processing, stored, cpuPercent, restarts, paused };
}
