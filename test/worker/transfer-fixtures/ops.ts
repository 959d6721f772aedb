// Ops for the transfer-report test, loaded by workers through opModules.
import { registerOp } from "../../../src/graph/ops.js";

/** A large typed array (n float64s = 8n bytes), every element 1. */
registerOp("xfer.make", (n: number) => new Float64Array(n).fill(1));
registerOp("xfer.sum", (a: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
});
registerOp("xfer.sumAll", (...arrays: Float64Array[]) => {
  let s = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
});
