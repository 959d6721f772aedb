/**
 * The op "tessera.collect-garbage": a full garbage collection of the task thread that runs it.
 * Task threads share results with the main thread as SharedArrayBuffers, whose memory is returned
 * only once every thread that saw them has collected its handles; an idle thread (the worker is
 * paused for memory) may not collect for many seconds. The worker runs this op on each thread while
 * paused (see ./memory-wiring.ts). Imported by every task thread (TaskThreadPool opModules).
 */
import { registerOp } from "../graph/ops.js";
import { garbageCollector } from "./executor/gc.js";

export { garbageCollector };

export const COLLECT_GARBAGE_OP = "tessera.collect-garbage";

registerOp(COLLECT_GARBAGE_OP, () => {
  const gc = garbageCollector();
  if (gc) gc();
  return gc !== undefined;
});
