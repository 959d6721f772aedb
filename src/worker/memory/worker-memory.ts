/**
 * One call that gives a worker its memory management, from its --memory-limit and
 * --local-directory: a store (spilling when there is a limit and spilling is on, else in memory),
 * the monitor that enforces the thresholds, stale-spill sweeping at start, and spill-file removal at
 * exit (also on process.exit, synchronously).
 */
import { tmpdir } from "node:os";
import { DataStore, type WorkerDataStore } from "../store.js";
import { MemoryMonitor, type MemoryMonitorOptions } from "./monitor.js";
import { SpillableStore } from "./spillable-store.js";
import { sweepStaleSpillDirs } from "./spill-dirs.js";
import { defaultMemoryThresholds, validateThresholds, type MemoryThresholds } from "./thresholds.js";
import { UsageError } from "../../util/errors.js";

export interface WorkerMemoryOptions {
  /** Bytes; 0 = no limit (no spilling, no pausing: Dask's behaviour without a limit). */
  memoryLimitBytes: number;
  /** Where spill files go (a subdirectory is made); default the OS temporary directory. */
  localDirectory?: string;
  thresholds?: Partial<MemoryThresholds>;
  /** Dask's max-spill, bytes. */
  maxSpillBytes?: number;
  intervalS?: number;
  onPause?: MemoryMonitorOptions["onPause"];
  onSpill?: MemoryMonitorOptions["onSpill"];
  onTerminate?: MemoryMonitorOptions["onTerminate"];
  onThrottle?: MemoryMonitorOptions["onThrottle"];
  collectGarbage?: MemoryMonitorOptions["collectGarbage"];
  onError?: (e: Error) => void;
}

export interface WorkerMemory {
  readonly store: WorkerDataStore;
  /** Present when there is a memory limit. Already started. */
  readonly monitor: MemoryMonitor | undefined;
  readonly thresholds: MemoryThresholds;
  /** Stop the monitor and close the store (removing spill files). */
  close(): Promise<void>;
}

export function createWorkerMemory(opts: WorkerMemoryOptions): WorkerMemory {
  const thresholds = validateThresholds({ ...defaultMemoryThresholds, ...opts.thresholds });
  const limit = opts.memoryLimitBytes;
  if (!(limit >= 0) || !Number.isFinite(limit)) throw new UsageError(`memory limit must be a finite number of bytes ≥ 0, got ${String(limit)}`);
  const spills = limit > 0 && (thresholds.target !== false || thresholds.spill !== false);
  const directory = opts.localDirectory ?? tmpdir();
  let store: WorkerDataStore;
  let exitHook: (() => void) | undefined;
  if (spills) {
    void sweepStaleSpillDirs(directory).catch(() => {});
    const s = new SpillableStore({
      directory,
      ...(thresholds.target !== false ? { targetBytes: thresholds.target * limit } : {}),
      ...(opts.maxSpillBytes !== undefined ? { maxSpillBytes: opts.maxSpillBytes } : {}),
      ...(opts.onError ? { onSpillError: opts.onError } : {}),
      // A burst of results must pause the worker before the next monitor tick (100 ms away).
      onGrow: () => monitor?.checkNow(),
    });
    exitHook = () => s.closeSync();
    process.once("exit", exitHook);
    store = s;
  } else {
    store = new DataStore();
  }
  let monitor: MemoryMonitor | undefined;
  if (limit > 0) {
    const evictable = store instanceof SpillableStore ? store : { memoryBytes: 0, evict: async () => 0 };
    monitor = new MemoryMonitor({
      limitBytes: limit,
      thresholds,
      store: store instanceof SpillableStore ? store : { get memoryBytes() { return store.memoryBytes; }, evict: evictable.evict },
      ...(opts.intervalS !== undefined ? { intervalS: opts.intervalS } : {}),
      ...(opts.onPause ? { onPause: opts.onPause } : {}),
      ...(opts.onSpill ? { onSpill: opts.onSpill } : {}),
      ...(opts.onTerminate ? { onTerminate: opts.onTerminate } : {}),
      ...(opts.onThrottle ? { onThrottle: opts.onThrottle } : {}),
      ...(opts.collectGarbage ? { collectGarbage: opts.collectGarbage } : {}),
      ...(opts.onError ? { onError: opts.onError } : {}),
    });
    monitor.start();
  }
  return {
    store,
    monitor,
    thresholds,
    async close() {
      monitor?.stop();
      if (exitHook) process.off("exit", exitHook);
      await store.close();
    },
  };
}
