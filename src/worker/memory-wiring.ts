/**
 * Connects memory management (./memory/) to a worker process: the worker's store is the
 * SpillableStore (spilling to --local-directory, removed at exit), the monitor's pause/resume
 * decisions reach the worker (no new tasks start while paused), and spill/terminate events are
 * logged. The nanny (./nanny.ts, `memory: {limitBytes}`) enforces the terminate line from outside.
 *
 * Order of use: `wireWorkerMemory(...)` before the worker starts (its `store` goes into
 * Worker.start), `attach(worker)` once it runs, `close()` after it closed.
 */
import type { Logger } from "../util/log.js";
import { createWorkerMemory, type WorkerMemory } from "./memory/worker-memory.js";
import type { MemoryThresholds } from "./memory/thresholds.js";
import type { WorkerDataStore } from "./store.js";
import { garbageCollector } from "./gc-op.js";

/** What the wiring needs from a worker: a way to stop and restart handing tasks to threads. */
export interface PausableWorker {
  setPaused(paused: boolean, reason?: string): void;
  /** Run at most one task at a time (`true`) or as many as the threads allow (`false`). */
  setThrottled?(throttled: boolean): void;
  /**
   * Collect garbage in the main thread and the task threads. While paused nothing runs, and an
   * idle V8 heap may keep spilled results' memory for many seconds: the RSS would stay above the
   * pause line and the worker paused. Without it, only the main thread is collected.
   */
  collectGarbage?(): void;
  /** A spill round wrote `bytes` to disk between `start` and `stop` (ms since the epoch), for the task stream. */
  recordSpill?(start: number, stop: number, bytes: number): void;
}

export interface WorkerMemoryWiringOptions {
  /** The worker's --memory-limit in bytes; 0 = no limit (an in-memory store, no monitor). */
  memoryLimitBytes: number;
  /** Where spill files go (a fresh subdirectory is made); default the OS temporary directory. */
  localDirectory?: string;
  thresholds?: Partial<MemoryThresholds>;
  maxSpillBytes?: number;
  /** Seconds between memory samples (default 0.1, Dask's monitor-interval). */
  intervalS?: number;
  log: Logger;
}

export interface WorkerMemoryWiring {
  readonly store: WorkerDataStore;
  readonly memory: WorkerMemory;
  /** Whether the monitor currently asks for a pause. */
  readonly paused: boolean;
  /** Route pause/resume to this worker (applies the current state at once). */
  attach(worker: PausableWorker): void;
  /** Stop the monitor and remove spill files (idempotent). */
  close(): Promise<void>;
}

/** While paused, collect garbage at most this often (ms). */
const PAUSED_GC_INTERVAL_MS = 200;

export function wireWorkerMemory(opts: WorkerMemoryWiringOptions): WorkerMemoryWiring {
  const log = opts.log;
  let target: PausableWorker | undefined;
  let paused = false;
  let lastSpillLog = 0;
  let gcTimer: NodeJS.Timeout | undefined;
  const gc = (): void => (target?.collectGarbage ? target.collectGarbage() : garbageCollector()?.());
  const stopGc = (): void => {
    if (gcTimer) clearInterval(gcTimer);
    gcTimer = undefined;
  };
  // While paused or throttled, freed memory must reach the system soon: collect every few 100 ms.
  const startGc = (): void => {
    stopGc();
    gc();
    gcTimer = setInterval(gc, PAUSED_GC_INTERVAL_MS);
    gcTimer.unref();
  };
  let throttled = false;
  const fmt = (b: number): string => `${(b / 1e6).toFixed(1)} MB`;
  const memory = createWorkerMemory({
    memoryLimitBytes: opts.memoryLimitBytes,
    ...(opts.localDirectory !== undefined ? { localDirectory: opts.localDirectory } : {}),
    ...(opts.thresholds !== undefined ? { thresholds: opts.thresholds } : {}),
    ...(opts.maxSpillBytes !== undefined ? { maxSpillBytes: opts.maxSpillBytes } : {}),
    ...(opts.intervalS !== undefined ? { intervalS: opts.intervalS } : {}),
    onPause: (p, s) => {
      paused = p;
      const why = `process memory ${fmt(s.processBytes)} is ${p ? "above" : "below"} the pause threshold of the ${fmt(s.limitBytes)} limit`;
      log.warn({ processBytes: s.processBytes, limitBytes: s.limitBytes }, p ? `pausing: ${why}` : `resuming: ${why}`);
      target?.setPaused(p, why);
      if (p) startGc();
      else if (!throttled) stopGc();
    },
    collectGarbage: gc,
    onThrottle: (on, s) => {
      throttled = on;
      target?.setThrottled?.(on);
      if (on) startGc();
      else stopGc();
      if (on) {
        const unmanaged = Math.max(0, s.processBytes - s.managedBytes);
        const pauseLine = (memory.thresholds.pause === false ? 1 : memory.thresholds.pause) * s.limitBytes;
        log.warn(
          { processBytes: s.processBytes, managedBytes: s.managedBytes, unmanagedBytes: unmanaged, limitBytes: s.limitBytes },
          `unmanaged memory ${fmt(unmanaged)} (${fmt(s.processBytes - pauseLine)} above the pause line) with nothing left to spill; running one task at a time`,
        );
      } else log.info({ processBytes: s.processBytes }, `process memory ${fmt(s.processBytes)} is below the target line; running tasks on all threads again`);
    },
    onSpill: (info) => {
      if (info.spilledBytes > 0) target?.recordSpill?.(info.startMs, info.stopMs, info.spilledBytes);
      // Spills happen up to ten times a second under pressure: one info line a second at most.
      const now = Date.now();
      if (now - lastSpillLog < 1000) return;
      lastSpillLog = now;
      log.info({ spilledBytes: info.spilledBytes, requestedBytes: info.requestedBytes, reason: info.reason, processBytes: info.sample.processBytes }, "spilled results to disk");
    },
    onTerminate: (s) => {
      log.warn({ processBytes: s.processBytes, limitBytes: s.limitBytes }, "process memory is above the terminate threshold; the nanny will restart this worker");
    },
    onError: (e) => log.warn({ err: e.message }, "memory management"),
  });
  let closing: Promise<void> | undefined;
  return {
    store: memory.store,
    memory,
    get paused() {
      return paused;
    },
    attach(worker) {
      target = worker;
      if (paused) worker.setPaused(true, "memory was already above the pause threshold at start");
    },
    close() {
      target = undefined;
      stopGc();
      closing ??= memory.close();
      return closing;
    },
  };
}
