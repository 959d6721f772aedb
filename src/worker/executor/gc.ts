/**
 * Garbage collection on purpose. Chunk data lives in SharedArrayBuffers, whose memory returns to
 * the system only once every thread that held a handle to one has collected it; V8 sees just the
 * small handles, so it may not collect for a long time while gigabytes of dropped chunks wait.
 * `ReleaseTracker` counts the bytes a thread lets go of and collects once they pass a threshold,
 * which keeps a worker's memory near what it actually holds.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gcFn: (() => void) | null | undefined;

/** This thread's `gc()`, exposing it at run time when node was started without --expose-gc. */
export function garbageCollector(): (() => void) | undefined {
  if (gcFn !== undefined) return gcFn ?? undefined;
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === "function") gcFn = g;
  else {
    try {
      setFlagsFromString("--expose-gc");
      const fn = runInNewContext("gc") as unknown;
      gcFn = typeof fn === "function" ? (fn as () => void) : null;
    } catch {
      gcFn = null;
    }
  }
  return gcFn ?? undefined;
}

/** Collect after this many bytes of big buffers were let go of (two 32 MiB chunks). */
export const DEFAULT_RELEASE_GC_BYTES = 64 * 1024 * 1024;

export class ReleaseTracker {
  #pending = 0;
  /** Collections run so far. */
  collections = 0;
  constructor(readonly thresholdBytes = DEFAULT_RELEASE_GC_BYTES) {}

  /** `bytes` of chunk data are no longer referenced by this thread; collects when enough are. */
  released(bytes: number): void {
    this.#pending += bytes;
    if (this.#pending < this.thresholdBytes) return;
    this.#pending = 0;
    const gc = garbageCollector();
    if (gc) {
      gc();
      this.collections++;
    }
  }
}
