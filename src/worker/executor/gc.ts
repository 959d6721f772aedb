/**
 * Garbage collection on purpose. Chunk data lives in SharedArrayBuffers, whose memory returns to
 * the system only once every thread that held a handle to one has collected it; V8 sees just the
 * small handles, so it may not collect for a long time while gigabytes of dropped chunks wait.
 * `ReleaseTracker` counts the bytes a thread lets go of and collects once they pass a threshold,
 * which keeps a worker's memory near what it actually holds.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

type GcFn = (options?: { type?: "minor" | "major" }) => void;
let gcFn: GcFn | null | undefined;

/** This thread's `gc()`, exposing it at run time when node was started without --expose-gc. */
export function garbageCollector(): GcFn | undefined {
  if (gcFn !== undefined) return gcFn ?? undefined;
  const g = (globalThis as { gc?: GcFn }).gc;
  if (typeof g === "function") gcFn = g;
  else {
    try {
      setFlagsFromString("--expose-gc");
      const fn = runInNewContext("gc") as unknown;
      gcFn = typeof fn === "function" ? (fn as GcFn) : null;
    } catch {
      gcFn = null;
    }
  }
  return gcFn ?? undefined;
}

/** Collect after this many bytes of big buffers were let go of (two 32 MiB chunks). */
export const DEFAULT_RELEASE_GC_BYTES = 64 * 1024 * 1024;
/** With `youngFirst`, every this many collections is a full one (the rest collect the young generation). */
export const FULL_COLLECTION_EVERY = 4;

export class ReleaseTracker {
  #pending = 0;
  /** Collections run so far. */
  collections = 0;
  /**
   * `youngFirst`: for a task thread, whose inputs arrive with each task and are dropped when it
   * ends, before they grow old: a young-generation collection frees their buffers at a fraction of a
   * full one's cost (measured 0.75 vs 4.6 ms per call in a small heap; a full collection after every
   * task of two 32 MB inputs took ~6 ms per task in a worker's task thread), and every
   * FULL_COLLECTION_EVERY-th collection is full, for those that did grow old.
   */
  constructor(
    readonly thresholdBytes = DEFAULT_RELEASE_GC_BYTES,
    readonly youngFirst = false,
  ) {}

  /** `bytes` of chunk data are no longer referenced by this thread; collects when enough are. */
  released(bytes: number): void {
    this.#pending += bytes;
    if (this.#pending < this.thresholdBytes) return;
    this.#pending = 0;
    const gc = garbageCollector();
    if (gc) {
      this.collections++;
      if (this.youngFirst && this.collections % FULL_COLLECTION_EVERY !== 0) gc({ type: "minor" });
      else gc();
    }
  }
}
