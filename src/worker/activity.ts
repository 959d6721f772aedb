/**
 * What a worker did besides running tasks, gathered between heartbeats: transfer and spill spans
 * (for the dashboard's task stream) and the process's CPU use. Pure bookkeeping, no IO: the worker
 * records into it on the hot path (one small object per fetch) and drains it into each heartbeat,
 * so reporting costs no message of its own.
 */
import type { WorkerActivitySpan } from "../protocol/messages.js";
import { UsageError } from "../util/errors.js";

/** Spans kept per heartbeat interval; beyond it the oldest are dropped (and counted). */
export const DEFAULT_MAX_SPANS = 1000;

export class ActivityLog {
  readonly maxSpans: number;
  #spans: WorkerActivitySpan[] = [];
  /** Index of the oldest kept span once the buffer is full (a ring, so dropping is O(1)). */
  #head = 0;
  #dropped = 0;

  constructor(maxSpans = DEFAULT_MAX_SPANS) {
    if (!Number.isInteger(maxSpans) || maxSpans < 1) throw new UsageError(`ActivityLog maxSpans ${maxSpans} is not a positive integer`);
    this.maxSpans = maxSpans;
  }

  record(span: WorkerActivitySpan): void {
    if (this.#spans.length < this.maxSpans) {
      this.#spans.push(span);
      return;
    }
    this.#spans[this.#head] = span;
    this.#head = (this.#head + 1) % this.maxSpans;
    this.#dropped++;
  }

  get size(): number {
    return this.#spans.length;
  }

  /** The spans recorded since the last drain, oldest first, and how many were dropped; then empty. */
  drain(): { spans: WorkerActivitySpan[]; dropped: number } {
    const spans = this.#head === 0 ? this.#spans : [...this.#spans.slice(this.#head), ...this.#spans.slice(0, this.#head)];
    const dropped = this.#dropped;
    this.#spans = [];
    this.#head = 0;
    this.#dropped = 0;
    return { spans, dropped };
  }
}

export interface CpuSample {
  /** process.cpuUsage(): user + system microseconds, all threads of the process. */
  user: number;
  system: number;
  /** Wall clock at the sample, ms (performance.now()). */
  at: number;
}

/**
 * CPU use between two samples in percent of one core: (CPU µs used) / (wall µs elapsed) × 100.
 * Undefined when no time has passed (the first heartbeat after a start gets a figure only if the
 * baseline was taken earlier).
 */
export function cpuPercentBetween(prev: CpuSample, next: CpuSample): number | undefined {
  const wallUs = (next.at - prev.at) * 1000;
  if (!(wallUs > 0)) return undefined;
  const cpuUs = next.user - prev.user + (next.system - prev.system);
  return Math.max(0, (cpuUs / wallUs) * 100);
}

/** Measures the worker process's CPU use between successive calls of `sample()`. */
export class CpuMeter {
  #prev: CpuSample;
  constructor() {
    this.#prev = CpuMeter.now();
  }
  static now(): CpuSample {
    const u = process.cpuUsage();
    return { user: u.user, system: u.system, at: performance.now() };
  }
  /** Percent of one core used since the previous call (or since construction). */
  sample(): number | undefined {
    const next = CpuMeter.now();
    const pct = cpuPercentBetween(this.#prev, next);
    this.#prev = next;
    return pct;
  }
}
