/**
 * The worker's memory monitor: every `intervalS` (Dask: 100 ms) it samples process memory (RSS) and
 * managed memory (the store's in-memory bytes), applies the threshold policy (./thresholds.ts) and
 * acts: spill LRU values, pause/resume task execution (callback), report that the terminate line is
 * crossed (callback; the nanny watches that line itself too, from outside, see ../nanny.ts).
 */
import {
  decideMemory,
  defaultMemoryThresholds,
  nextPauseMode,
  NOTHING_TO_SPILL_FRACTION,
  validateThresholds,
  type MemoryDecision,
  type MemorySample,
  type MemoryThresholds,
  type PauseMode,
} from "./thresholds.js";
import { ownRss } from "./rss.js";
import { UsageError } from "../../util/errors.js";

export interface EvictableStore {
  readonly memoryBytes: number;
  evict(bytes: number): Promise<number>;
}

export interface MemoryMonitorOptions {
  /** Bytes; 0 = no limit (the monitor samples but never acts). */
  limitBytes: number;
  store: EvictableStore;
  thresholds?: Partial<MemoryThresholds>;
  /** Seconds between samples. Default 0.1. */
  intervalS?: number;
  /** Process memory in bytes; default this process's RSS. */
  rss?: () => number;
  onPause?: (paused: boolean, sample: MemorySample) => void;
  /** After a spill round; `startMs`/`stopMs` (wall clock, ms since the epoch) bound its disk writes. */
  onSpill?: (info: { requestedBytes: number; spilledBytes: number; reason: MemoryDecision["reason"]; sample: MemorySample; startMs: number; stopMs: number }) => void;
  onTerminate?: (sample: MemorySample) => void;
  /**
   * Paused with nothing left to spill and still over the pause line after a garbage collection:
   * run one task at a time (`true`, called before the resume) until process memory is under the
   * target line (`false`). See nextPauseMode in ./thresholds.ts.
   */
  onThrottle?: (throttled: boolean, sample: MemorySample) => void;
  /** Collect garbage (main and task threads) before deciding that memory is unmanaged. */
  collectGarbage?: () => void;
  /** Seconds to let that collection settle before re-sampling. Default 0.5. */
  gcSettleS?: number;
  onError?: (e: Error) => void;
  /**
   * Seconds after a spill during which process memory is taken as at most (RSS at the spill − bytes
   * spilled): V8 frees dropped buffers at its next GC, not at once, so without this the monitor would
   * see the old RSS and spill far more than needed. Default 1.
   */
  releaseGraceS?: number;
  /** Monotonic clock in seconds (tests). */
  now?: () => number;
}

export class MemoryMonitor {
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private mode: PauseMode = "running";
  /** When a collection was asked for in this pause with nothing left to spill. */
  private gcAt: number | undefined;
  private terminateReported = false;
  private readonly thresholds: MemoryThresholds;
  /** Expected RSS after recent spills, until the grace period ends. */
  private expected: { rss: number; until: number } | undefined;
  lastSample: MemorySample | undefined;
  lastDecision: MemoryDecision | undefined;

  constructor(private readonly opts: MemoryMonitorOptions) {
    this.thresholds = validateThresholds({ ...defaultMemoryThresholds, ...opts.thresholds });
    if (!(opts.limitBytes >= 0)) throw new UsageError(`memory limit must be ≥ 0 bytes, got ${String(opts.limitBytes)}`);
  }

  get paused(): boolean {
    return this.mode === "paused";
  }

  /** Running one task at a time: memory over the pause line is unmanaged (nothing to spill). */
  get throttled(): boolean {
    return this.mode === "throttled";
  }

  /** A sample-decide-act round (with its spill) is in progress. */
  get busy(): boolean {
    return this.ticking;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), (this.opts.intervalS ?? 0.1) * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Sample and apply pause/terminate at once, synchronously (the worker calls this when a result
   * arrives, so a burst of results pauses it before the next timer tick), and start a spill when one
   * is due and none is running.
   */
  checkNow(): MemoryDecision | undefined {
    try {
      const d = this.decide();
      if (d.spillBytes > 0 && !this.ticking) void this.tick();
      return d;
    } catch (e) {
      this.opts.onError?.(e as Error);
      return undefined;
    }
  }

  /** Sample memory and act on pause/terminate (never waits). */
  private decide(): MemoryDecision {
    const now = (this.opts.now ?? (() => performance.now() / 1000))();
    const rss = (this.opts.rss ?? ownRss)();
    let processBytes = rss;
    if (this.expected && now < this.expected.until) processBytes = Math.min(processBytes, this.expected.rss);
    else this.expected = undefined;
    const managedBytes = this.opts.store.memoryBytes;
    const sample: MemorySample = { processBytes, managedBytes, limitBytes: this.opts.limitBytes };
    // The release grace only tempers spilling. Pause and terminate look at the real RSS: garbage
    // not yet collected is memory all the same, and under steady spilling the expected RSS would
    // otherwise keep the worker from ever pausing.
    const real: MemorySample = { processBytes: rss, managedBytes, limitBytes: this.opts.limitBytes };
    const onReal = rss === processBytes ? undefined : decideMemory(real, this.thresholds);
    const forSpill = decideMemory(sample, this.thresholds);
    const mode = this.nextMode(real, now);
    const d: MemoryDecision = { ...forSpill, paused: mode === "paused", terminate: (onReal ?? forSpill).terminate };
    this.lastSample = sample;
    this.lastDecision = d;
    const was = this.mode;
    if (mode !== was) {
      this.mode = mode;
      if (mode === "throttled") this.opts.onThrottle?.(true, real);
      if (was === "throttled") this.opts.onThrottle?.(false, real);
      if (mode === "paused" || was === "paused") this.opts.onPause?.(mode === "paused", real);
    }
    if (d.terminate && !this.terminateReported) {
      this.terminateReported = true;
      this.opts.onTerminate?.(real);
    } else if (!d.terminate) this.terminateReported = false;
    return d;
  }

  /** The pause mode after this sample; asks for a collection once a pause has nothing left to spill. */
  private nextMode(real: MemorySample, now: number): PauseMode {
    const floorBytes = NOTHING_TO_SPILL_FRACTION * real.limitBytes;
    if (this.mode !== "paused") this.gcAt = undefined;
    else if (real.managedBytes <= floorBytes && this.gcAt === undefined) {
      this.gcAt = now;
      this.opts.collectGarbage?.();
    }
    const gcSettled = this.gcAt !== undefined && now - this.gcAt >= (this.opts.gcSettleS ?? 0.5);
    return nextPauseMode(this.mode, real, { gcSettled, floorBytes }, this.thresholds);
  }

  /** One sample-decide-act round (the timer calls this; tests call it directly). */
  async tick(): Promise<MemoryDecision | undefined> {
    if (this.ticking) {
      // A slow spill is still running: still watch pause/terminate, but start no second spill.
      try {
        this.decide();
      } catch (e) {
        this.opts.onError?.(e as Error);
      }
      return undefined;
    }
    this.ticking = true;
    try {
      const now = (this.opts.now ?? (() => performance.now() / 1000))();
      const d = this.decide();
      const sample = this.lastSample!;
      if (d.spillBytes > 0) {
        const startMs = Date.now();
        const spilled = await this.opts.store.evict(d.spillBytes);
        const stopMs = Date.now();
        if (spilled > 0) {
          this.expected = { rss: Math.max(0, sample.processBytes - spilled), until: now + (this.opts.releaseGraceS ?? 1) };
        }
        this.opts.onSpill?.({ requestedBytes: d.spillBytes, spilledBytes: spilled, reason: d.reason, sample, startMs, stopMs });
      }
      return d;
    } catch (e) {
      this.opts.onError?.(e as Error);
      return undefined;
    } finally {
      this.ticking = false;
    }
  }
}
