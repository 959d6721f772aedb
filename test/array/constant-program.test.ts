// Programs of constant leaves (zeros/ones/full and what follows them) are evaluated once on
// scalars (src/array/kernels/constant-program.ts). Their outputs must be bit-identical to the
// loop kernel of the JavaScript backend (the reference), for every reduction, dtype, special
// value and shape, including empty chunks and sums that are not exact.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileConstant, isConstantProgram } from "../../src/array/kernels/constant-program.js";
import { compileJs } from "../../src/array/kernels/compile-js.js";
import { randFill } from "../../src/array/kernels/random-leaf.js";
import { kernelBackend } from "../../src/array/kernels/program.js";
import type { ChunkInfo, ChunkProgram, DType, NDChunk, ReduceFn } from "../../src/array/fusion/ir.js";
import { full, zeros } from "../../src/array/index.js";
import "../../src/graph/execute.js";

const show = (v: unknown): string => (Object.is(v, -0) ? "-0" : String(v));

function same(a: NDChunk[], b: NDChunk[], what: string): void {
  assert.equal(a.length, b.length, what);
  a.forEach((x, j) => {
    const y = b[j]!;
    assert.equal(x.dtype, y.dtype, `${what}: dtype`);
    assert.deepEqual(x.shape, y.shape, `${what}: shape`);
    assert.equal(x.data.constructor, y.data.constructor, `${what}: storage`);
    assert.equal(x.data.length, y.data.length, `${what}: length`);
    for (let k = 0; k < x.data.length; k++) {
      if (!Object.is(x.data[k], y.data[k])) assert.fail(`${what}: element ${k}: constant ${show(x.data[k])} vs loop ${show(y.data[k])}`);
    }
  });
}

const info = (shape: number[]): ChunkInfo => ({ shape, offset: shape.map(() => 0), globalShape: shape });

function check(p: ChunkProgram, shape: number[], what: string): NDChunk[] {
  assert.ok(isConstantProgram(p), `${what}: constant`);
  const a = compileConstant(p)([], info(shape));
  same(a, compileJs(p, randFill)([], info(shape)), what);
  return a;
}

const FNS: ReduceFn[] = ["sum", "prod", "min", "max", "any", "all", "count_nonzero"];
const VALUES = [0, -0, 1, -1, 0.1, 0.5, 3, 1e300, -2.5e-310, NaN, Infinity, -Infinity, 2 ** 52 + 1];

test("reductions of a fill over each axis set equal the loop kernel, bit for bit", () => {
  const shapes = [[7, 5], [1, 9], [0, 4], [6, 0], [3, 1], [4, 3, 2]];
  let checked = 0;
  for (const shape of shapes) {
    const d = shape.length;
    const axesSets = d === 2 ? [[0], [1], [0, 1], [-1]] : [[0], [2], [0, 2], [0, 1, 2]];
    for (const fn of FNS) {
      for (const value of VALUES) {
        for (const axes of axesSets) {
          const out: DType = fn === "any" || fn === "all" ? "bool" : fn === "count_nonzero" ? "int64" : "float64";
          const p: ChunkProgram = { nodes: [{ op: "fill", value, dtype: "float64" }, { op: "reduce", fn, axes, x: 0, dtype: out }], outputs: [1] };
          check(p, shape, `${fn}(fill ${show(value)}) over axes [${axes.join(",")}] of [${shape.join(",")}]`);
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 1000);
});

test("chains of elementwise nodes, casts, two levels of reduction and several outputs", () => {
  const p: ChunkProgram = {
    nodes: [
      { op: "fill", value: 0.3, dtype: "float32" },
      { op: "const", value: 2, dtype: "float32" },
      { op: "binary", fn: "mul", x: 0, y: 1, dtype: "float32" },
      { op: "reduce", fn: "sum", axes: [1], x: 2, dtype: "float32" },
      { op: "unary", fn: "sqrt", x: 3, dtype: "float32" },
      { op: "reduce", fn: "max", axes: [0], x: 4, dtype: "float32" },
      { op: "cast", x: 2, dtype: "int32" },
      { op: "binary", fn: "lt", x: 0, y: 1, dtype: "bool" },
      { op: "where", cond: 7, x: 0, y: 1, dtype: "float64" },
      { op: "clip", x: 8, lo: 0.25, hi: 0.28, dtype: "float64" },
      { op: "reduce", fn: "sum", axes: [0, 1], x: 9, dtype: "float64" },
    ],
    outputs: [3, 5, 6, 10],
  };
  for (const shape of [[5, 1000], [1000, 3], [1, 1], [0, 7]]) check(p, shape, `chain over [${shape.join(",")}]`);
});

test("sums that are not exact follow the loop's rounding; exact ones take the closed form", () => {
  // 0.1 summed 100 000 times is not 10 000 exactly; 2^-3 summed is.
  for (const value of [0.1, 0.125, 1 / 3, 2 ** 40 + 1]) {
    const p: ChunkProgram = { nodes: [{ op: "fill", value, dtype: "float64" }, { op: "reduce", fn: "sum", axes: [0], x: 0, dtype: "float64" }], outputs: [1] };
    const [r] = check(p, [100_000], `sum of ${value}`);
    if (value === 0.1) assert.notEqual(r!.data[0], 10_000);
    if (value === 0.125) assert.equal(r!.data[0], 12_500);
  }
});

test("zeros(...).sum(axis=1) and full(...).max() run the constant kernel and give NumPy's values", async () => {
  const z = zeros([700, 900], { chunks: [300, 400] }).sum({ axis: 1 });
  const r = (await z.compute()) as { shape: readonly number[]; data: Float64Array };
  assert.deepEqual([...r.shape], [700]);
  assert.ok(r.data.every((v) => Object.is(v, 0)));
  const m = await full([50, 60], 2.5, { chunks: [20, 20] }).mul(2).max().compute();
  assert.equal(m, 5);
  const s = await full([64, 64], 0.1, { chunks: [32, 32] }).sum().compute();
  let ref = 0;
  // chunk step: each 32×32 block sums 1024 × 0.1 in order; the tree adds the four partials in order
  let block = 0;
  for (let i = 0; i < 1024; i++) block += 0.1;
  for (let i = 0; i < 4; i++) ref += block;
  assert.equal(s, ref);
  const p: ChunkProgram = { nodes: [{ op: "fill", value: 0, dtype: "float64" }, { op: "reduce", fn: "sum", axes: [1], x: 0, dtype: "float64" }], outputs: [1] };
  assert.equal(kernelBackend(p), "const");
});
