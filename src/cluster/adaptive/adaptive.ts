/** The adaptive loop: a timer that asks the policy (policy.ts) every `interval` and applies its answer. */
import { parseDuration } from "../../util/durations.js";
import { decideAdaptive, jobLimits, type AdaptiveJob } from "./policy.js";
import { UsageError } from "../../util/errors.js";

export interface AdaptOptions {
  /** Minimum workers (converted to whole jobs). */
  minimum?: number;
  /** Maximum workers (converted to whole jobs, at least one). */
  maximum?: number;
  minimumJobs?: number;
  maximumJobs?: number;
  /** Seconds or a duration between rounds; default 1 s. */
  interval?: number | string;
  /** Rounds a running job must be suggested for closing before it is closed; default 3. */
  waitCount?: number;
  /** How long the queued work should take with the target size (dask's target-duration); default 5 s. */
  targetDuration?: number | string;
  /** Same as `interval`, in ms (the Cluster interface's spelling). */
  intervalMs?: number;
  /** Same as `targetDuration`, in seconds (the Cluster interface's spelling). */
  targetDurationS?: number;
}

/** What the loop needs from a cluster. */
export interface AdaptiveHost {
  readonly processes: number;
  /** Workers wanted for the current work (the scheduler's adaptive target). */
  wantedWorkers(targetDurationS: number): number;
  /** The cluster's live jobs (pending and running, not those already closing). */
  adaptiveJobs(): AdaptiveJob[];
  /** Hold `targetJobs` jobs; close the named ones. */
  applyAdaptive(targetJobs: number, close: readonly string[]): Promise<void>;
  /** A round failed (e.g. sbatch rejected the job). */
  onAdaptiveError?(err: unknown): void;
}

export class Adaptive {
  readonly minimumJobs: number;
  readonly maximumJobs: number;
  readonly intervalMs: number;
  readonly waitCount: number;
  readonly targetDurationS: number;
  #host: AdaptiveHost;
  #timer: NodeJS.Timeout | undefined;
  #counts: ReadonlyMap<string, number> = new Map();
  #busy = false;
  #rounds = 0;

  constructor(host: AdaptiveHost, opts: AdaptOptions = {}) {
    this.#host = host;
    const limits = jobLimits({ ...opts, processes: host.processes });
    if (limits.maximumJobs < limits.minimumJobs) {
      throw new UsageError(
        `adapt: the maximum (${limits.maximumJobs} jobs) is below the minimum (${limits.minimumJobs} jobs); ` +
          `raise maximum/maximumJobs or lower minimum/minimumJobs`,
      );
    }
    this.minimumJobs = limits.minimumJobs;
    this.maximumJobs = limits.maximumJobs;
    this.intervalMs = opts.intervalMs ?? parseDuration(opts.interval ?? 1, "adapt interval") * 1000;
    if (this.intervalMs <= 0) throw new UsageError(`adapt: interval must be > 0, got ${String(opts.interval)}`);
    this.waitCount = opts.waitCount ?? 3;
    if (!Number.isInteger(this.waitCount) || this.waitCount < 1) {
      throw new UsageError(`adapt: waitCount must be a whole number ≥ 1, got ${String(opts.waitCount)}`);
    }
    this.targetDurationS = opts.targetDurationS ?? parseDuration(opts.targetDuration ?? 5, "adapt targetDuration");
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Rounds done so far. */
  get rounds(): number {
    return this.#rounds;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.step(), this.intervalMs);
    this.#timer.unref();
    void this.step();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One round (also callable directly, e.g. by tests). Overlapping calls are skipped. */
  async step(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const wanted = this.#host.wantedWorkers(this.targetDurationS);
      const d = decideAdaptive(
        wanted,
        this.#host.adaptiveJobs(),
        { minimumJobs: this.minimumJobs, maximumJobs: this.maximumJobs, processes: this.#host.processes, waitCount: this.waitCount },
        this.#counts,
      );
      this.#counts = d.closeCounts;
      await this.#host.applyAdaptive(d.targetJobs, d.close);
      this.#rounds++;
    } catch (err) {
      this.#host.onAdaptiveError?.(err);
    } finally {
      this.#busy = false;
    }
  }
}
