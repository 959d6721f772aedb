/**
 * The op "tessera.collect-garbage": a full garbage collection of the task thread that runs it.
 * Task threads share results with the main thread as SharedArrayBuffers, whose memory is returned
 * only once every thread that saw them has collected its handles; an idle thread (the worker is
 * paused for memory) may not collect for many seconds. The worker runs this op on each thread while
 * paused (see ./memory-wiring.ts). Imported by every task thread (TaskThreadPool opModules).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { registerOp } from "../graph/ops.js";

export const COLLECT_GARBAGE_OP = "tessera.collect-garbage";

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

registerOp(COLLECT_GARBAGE_OP, () => {
  const gc = garbageCollector();
  if (gc) gc();
  return gc !== undefined;
});
