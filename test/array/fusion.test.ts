// Fusion: graph structure after optimisation, bit-identical fused/unfused results, and both
// kernel backends (WebAssembly where it applies, generated JS) agreeing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { random, ones, fromArray, setKernelBackend, kernelBackend, NDArray } from "../../src/array/index.js";
import { isTask, type Graph, type TaskNode } from "../../src/graph/spec.js";
import { optimizeGraph } from "../../src/graph/optimize.js";
import type { TArray } from "../../src/array/index.js";
import type { ChunkProgram } from "../../src/array/fusion/ir.js";
import { compileJs } from "../../src/array/kernels/compile-js.js";
import { randFill } from "../../src/array/kernels/random-leaf.js";

const piExpr = (rows: number, chunkRows: number, seed = 7) =>
  random.uniform(0, 1, { shape: [rows, 2], chunks: [chunkRows, 2], seed }).pow(2).sum({ axis: -1 }).lt(1).mean().mul(4);

/** The graph after program fusion only (no folding of leaves into reductions). */
const fusedOnly = (a: TArray): Graph => optimizeGraph(a.graph, a.keys(), { only: ["array.fuse-programs"] });

function programTasks(g: Record<string, unknown>): TaskNode[] {
  return Object.values(g).filter((n): n is TaskNode => isTask(n as TaskNode) && (n as TaskNode).op === "array.program");
}

test("the π pipeline fuses into one program task per chunk", () => {
  const pi = piExpr(1000, 100);
  const unfused = pi.buildGraph(false);
  const fused = fusedOnly(pi);
  assert.ok(Object.keys(unfused).length > Object.keys(fused).length);
  const progs = programTasks(fused);
  // 10 chunk programs (draw → square → row sum → compare → chunk sum) + the final `* 4`.
  assert.equal(progs.length, 11);
  const chunkProg = progs.find((t) => (t.args[0] as unknown as ChunkProgram).nodes.some((n) => n.op === "rand"))!;
  const ops = (chunkProg.args[0] as unknown as ChunkProgram).nodes.map((n) => (n.op === "unary" || n.op === "binary" || n.op === "reduce" ? `${n.op}:${n.fn}` : n.op));
  assert.deepEqual(ops, ["rand", "unary:square", "reduce:sum", "const", "binary:lt", "cast", "reduce:sum"]);
  assert.equal(chunkProg.args.length, 2, "the fused chunk task reads no other task");
});

test("the generated JS for the π chunk streams: no chunk-sized buffers", () => {
  const pi = piExpr(1000, 1000);
  const t = programTasks(fusedOnly(pi)).find((x) => x.args.length === 2)!;
  const k = compileJs(t.args[0] as unknown as ChunkProgram, randFill);
  const src = k.sourceFor!([], t.args[1] as never);
  assert.doesNotMatch(src, /new Float64Array/, "no scratch arrays are allocated");
  assert.match(src, /for \(let r\d+ = 0; r\d+ < S0_per_S1; r\d+\+\+\)/, "the row sum is an inner loop");
});

test("π: fused and unfused, WASM and JS backends, are bit-identical", async () => {
  const pi = piExpr(20000, 3000, 99);
  const fused = await pi.compute();
  const plain = await pi.compute({ optimize: false });
  setKernelBackend("js");
  try {
    const js = await pi.compute();
    assert.ok(Object.is(fused, js), `wasm/auto ${String(fused)} vs js ${String(js)}`);
  } finally {
    setKernelBackend("auto");
  }
  assert.ok(Object.is(fused, plain));
  assert.ok(Math.abs((fused as number) - Math.PI) < 0.05);
});

test("the wasm backend takes the π chunk program when WebAssembly SIMD is available", () => {
  const t = programTasks(fusedOnly(piExpr(1000, 100))).find((x) => x.args.length === 2)!;
  assert.ok(["wasm", "js"].includes(kernelBackend(t.args[0] as unknown as ChunkProgram)));
});

test("fusion with broadcasting, shared inputs and reductions stays bit-identical", async () => {
  const x = random.normal(0, 1, { shape: [37, 11], chunks: [10, 4], seed: 3 });
  const y = fromArray(Float64Array.from({ length: 11 }, (_, i) => i / 3), { chunks: 4 });
  const e = x.mul(y).add(x).sub(y.mul(2)).exp().sum({ axis: 0 }).sqrt();
  const [a, b] = [await e.compute(), await e.compute({ optimize: false })];
  assert.ok(a instanceof NDArray && b instanceof NDArray);
  assert.deepEqual(Buffer.from(a.data.buffer), Buffer.from(b.data.buffer));
  const v = x.var({ axis: 1, ddof: 1 });
  const [c, d] = [await v.compute(), await v.compute({ optimize: false })];
  assert.ok(c instanceof NDArray && d instanceof NDArray);
  assert.deepEqual(Buffer.from(c.data.buffer), Buffer.from(d.data.buffer));
});

test("ones(1e6, chunks 1e4).sum(): cheap chunk programs fold into the reduction tree", async () => {
  const s = ones(1e6, { chunks: 1e4 }).sum();
  // Program fusion alone: 100 fused chunk tasks + 7 combines + 1 aggregate.
  assert.equal(Object.keys(fusedOnly(s)).length, 108);
  // Folding: the 7 combines run their 16 (or 4) chunk programs themselves.
  const g = s.buildGraph();
  assert.equal(Object.keys(g).length, 8);
  assert.equal(Object.values(g).filter((n) => isTask(n) && n.op === "array.reduce_leaves").length, 7);
  assert.equal(await s.compute(), 1e6);
  assert.equal(await s.compute({ optimize: false }), 1e6);
});

test("big chunks are not folded: the π's chunk tasks stay one per chunk", () => {
  const g = piExpr(4e6, 1e6).buildGraph();
  assert.equal(programTasks(g).filter((t) => t.args.length === 2).length, 4);
  assert.equal(Object.values(g).filter((n) => isTask(n) && n.op === "array.reduce_leaves").length, 0);
});

test("zeros with big chunks summed over rows fold into one task per output block (a constant program costs what it writes)", async () => {
  const { zeros } = await import("../../src/array/index.js");
  const e = zeros([6831, 6831], { chunks: [3600, 3600] }).sum({ axis: 1 });
  const g = e.buildGraph();
  const ops = Object.values(g).map((n) => (isTask(n) ? n.op : "data"));
  assert.deepEqual(ops, ["array.reduce_leaves", "array.reduce_leaves"]);
  const r = await e.computeArray();
  assert.deepEqual([...r.shape], [6831]);
  assert.ok((r.data as Float64Array).every((v) => Object.is(v, 0)));
});
