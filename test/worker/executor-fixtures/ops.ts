// Ops registered in task threads by the executor tests (loaded through the pool's opModules).
import { registerOp } from "../../../src/graph/ops.js";
import { allocateTyped } from "../../../src/util/shared-memory.js";

registerOp("test.add", (a: number, b: number) => a + b);
registerOp("test.inc", (a: number) => a + 1);
registerOp("test.fail", (msg: string) => {
  throw new TypeError(msg);
});
registerOp("test.asyncAdd", async (a: number, b: number) => {
  await new Promise((r) => setTimeout(r, 1));
  return a + b;
});
registerOp("test.asyncFail", async (msg: string) => {
  await Promise.resolve();
  throw new RangeError(msg);
});
registerOp("test.ones", (n: number) => new Float64Array(n).fill(1));
registerOp("test.sum", (x: Float64Array) => {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s;
});
registerOp("test.isShared", (x: Float64Array) => x.buffer instanceof SharedArrayBuffer);
registerOp("test.sleep", (ms: number) => new Promise((r) => setTimeout(() => r(ms), ms)));
registerOp("test.busy", (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // spin: a CPU-bound task
  }
  return ms;
});
registerOp("test.threadId", async () => (await import("node:worker_threads")).threadId);
registerOp("test.crash", () => {
  // Kills the thread from outside any try/catch: an uncaught exception in a timer.
  setTimeout(() => {
    throw new Error("boom from a timer");
  }, 0);
  return new Promise(() => {});
});
registerOp("test.exit", () => process.exit(3));
registerOp("test.unclonable", () => () => 1);
registerOp("test.byteLengths", (xs: Float64Array[]) => xs.map((x) => [x.byteLength, x.buffer.byteLength]));
// Array chunks in the wrappers array code uses: {dtype, shape, data}, lists of them, a class instance.
class ChunkBox {
  constructor(readonly chunk: { dtype: string; shape: number[]; data: Float64Array }, readonly label: string) {}
}
registerOp("test.chunk", (n: number, v: number) => ({ dtype: "float64", shape: [n], data: new Float64Array(n).fill(v) }));
registerOp("test.chunkAllocated", (n: number, v: number) => ({ dtype: "float64", shape: [n], data: allocateTyped(Float64Array, n).fill(v) }));
registerOp("test.chunks", (n: number) => [
  { dtype: "float64", shape: [n], data: new Float64Array(n).fill(1) },
  new ChunkBox({ dtype: "float64", shape: [n], data: new Float64Array(n).fill(2) }, "box"),
  new Map([["m", new Float64Array(n).fill(3)]]),
]);
/** Writes `v` at element `i` of every chunk's data it finds (proves the caller sees the same memory). */
registerOp("test.poke", (x: unknown, i: number, v: number) => {
  const seen: boolean[] = [];
  const visit = (o: unknown): void => {
    if (o instanceof Float64Array) {
      o[i] = v;
      seen.push(o.buffer instanceof SharedArrayBuffer);
    } else if (o instanceof Map) for (const w of o.values()) visit(w);
    else if (Array.isArray(o)) for (const w of o) visit(w);
    else if (typeof o === "object" && o !== null) for (const w of Object.values(o)) visit(w);
  };
  visit(x);
  return seen;
});
