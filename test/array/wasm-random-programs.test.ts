// Randomly generated chunk programs: whenever the WebAssembly backend accepts one, its outputs
// must equal the JavaScript backend's bit for bit (fixed generator seed: reproducible). All the
// generated kinds are in the supported subset, so most programs do compile.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileWasm } from "../../src/array/kernels/compile-wasm.js";
import { randFill } from "../../src/array/kernels/random-leaf.js";
import { compileJs } from "../../src/array/kernels/compile-js.js";
import type { BinaryFn, ChunkProgram, DType, NDChunk, ProgramNode, ReduceFn, UnaryFn } from "../../src/array/fusion/ir.js";
import { normalizeSeed } from "../../src/array/random/index.js";

function lcg(seed: number): (m: number) => number {
  let s = seed;
  return (m) => { s = (s * 1103515245 + 12345) % 2147483648; return Math.floor((s / 2147483648) * m); };
}

const UNARY: UnaryFn[] = ["neg", "abs", "sqrt", "floor", "ceil", "square", "not"];
const BINARY: BinaryFn[] = ["add", "sub", "mul", "div", "min", "max", "pow", "lt", "le", "gt", "ge", "eq", "ne", "and", "or"];
const REDUCE: ReduceFn[] = ["sum", "prod", "min", "max", "any", "all", "count_nonzero"];
const BOOLISH = new Set(["lt", "le", "gt", "ge", "eq", "ne", "and", "or", "not"]);

/** A random program over a 2-D leaf space; node dtypes follow the array layer's rules loosely. */
function randomProgram(r: (m: number) => number): ChunkProgram {
  const nodes: ProgramNode[] = [];
  const add = (n: ProgramNode): number => nodes.push(n) - 1;
  const full: number[] = [];
  const float = (): DType => (r(5) === 0 ? "float32" : "float64");
  full.push(add({ op: "in", slot: 0, dtype: "float64" }));
  full.push(add({ op: "rand", dist: (["uniform", "random", "normal"] as const)[r(3)]!, seed: normalizeSeed(r(1000)), a: -1, b: 2, dtype: float() }));
  if (r(2)) full.push(add({ op: "fill", value: [0, 1, -0.5, 3][r(4)]!, dtype: "float64" }));
  const two = add({ op: "const", value: 2, dtype: "int64" });
  const half = add({ op: "const", value: 0.5, dtype: "float64" });
  const pick = (xs: number[]): number => xs[r(xs.length)]!;
  const grow = (pool: number[], steps: number): void => {
    for (let s = 0; s < steps; s++) {
      const kind = r(6);
      if (kind < 2) {
        const fn = UNARY[r(UNARY.length)]!;
        pool.push(add({ op: "unary", fn, x: pick(pool), dtype: fn === "not" ? "bool" : float() }));
      } else if (kind < 4) {
        const fn = BINARY[r(BINARY.length)]!;
        const y = fn === "pow" ? two : r(4) === 0 ? half : pick(pool);
        pool.push(add({ op: "binary", fn, x: pick(pool), y, dtype: BOOLISH.has(fn) ? "bool" : float() }));
      } else if (kind === 4) {
        pool.push(add({ op: "where", cond: pick(pool), x: pick(pool), y: pick(pool), dtype: "float64" }));
      } else {
        pool.push(r(2) ? add({ op: "clip", x: pick(pool), lo: -0.75, hi: 1.25, dtype: "float64" }) : add({ op: "cast", x: pick(pool), dtype: (["float64", "float32", "bool"] as const)[r(3)]! }));
      }
    }
  };
  grow(full, 2 + r(6));
  const outputs: number[] = [];
  if (r(3) === 0) outputs.push(pick(full));
  const fn = REDUCE[r(REDUCE.length)]!;
  const rdtype: DType = fn === "any" || fn === "all" ? "bool" : fn === "count_nonzero" ? "int64" : "float64";
  if (r(2)) {
    // a row reduction, more work on rows, then maybe a count over everything
    const rows = [add({ op: "reduce", fn, axes: [1], x: pick(full), dtype: rdtype })];
    grow(rows, r(4));
    if (r(2)) outputs.push(pick(rows));
    const cmp = add({ op: "binary", fn: "lt", x: pick(rows), y: half, dtype: "bool" });
    outputs.push(add({ op: "reduce", fn: (["sum", "any", "all", "count_nonzero"] as const)[r(4)]!, axes: [0, 1], x: cmp, dtype: "int64" }));
  } else {
    outputs.push(add({ op: "reduce", fn, axes: [0, 1], x: pick(full), dtype: rdtype }));
  }
  return { nodes, outputs: [...new Set(outputs)] };
}

test("random programs: WebAssembly equals JavaScript bit for bit when it compiles them", () => {
  const r = lcg(424242);
  let compiled = 0;
  for (let t = 0; t < 300; t++) {
    const p = randomProgram(r);
    const rows = 1 + r(300), w = 1 + r(6);
    const info = { shape: [rows, w], offset: [r(100_000), 0], globalShape: [200_000, w] };
    const specials = [NaN, 0, -0, Infinity, -Infinity, 1, -1, 0.5];
    const data = Float64Array.from({ length: rows * w }, () => (r(8) === 0 ? specials[r(specials.length)]! : (r(4000) - 2000) / 999));
    const inputs: NDChunk[] = [{ dtype: "float64", shape: [rows, w], data }];
    const k = compileWasm(p, 2);
    if (k === undefined) continue;
    compiled++;
    const a = k(inputs, info);
    const b = compileJs(p, randFill)(inputs, info);
    a.forEach((x, j) => {
      for (let e = 0; e < x.data.length; e++) {
        if (!Object.is(x.data[e], b[j]!.data[e])) {
          assert.fail(`program ${t} ${JSON.stringify(p)} output ${j} element ${e}: wasm ${String(x.data[e])} vs js ${String(b[j]!.data[e])}`);
        }
      }
      assert.deepEqual(x.shape, b[j]!.shape);
      assert.equal(x.dtype, b[j]!.dtype);
    });
  }
  assert.ok(compiled > 100, `only ${compiled} of 300 random programs compiled to WebAssembly`);
});
