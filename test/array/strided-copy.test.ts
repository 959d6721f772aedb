// The layout kernels' fast paths (row copies, merged axes, tiled transposes) against plain
// per-element references: transposeBlock over random shapes and permutations, assemble over
// random strided pieces (negative steps too), every storage type.
import { test } from "node:test";
import assert from "node:assert/strict";
import { transposeBlock } from "../../src/array/kernels/layout.js";
import { assemble, cStrides } from "../../src/array/kernels/assemble.js";
import { allocate, type DType } from "../../src/array/dtype.js";
import type { NDChunk } from "../../src/array/fusion/ir.js";

function lcg(seed: number): (m: number) => number {
  let s = seed;
  return (m) => { s = (s * 1103515245 + 12345) % 2147483648; return s % m; };
}

const DTYPES: DType[] = ["float64", "float32", "int32", "int64", "uint8"];

function chunk(dtype: DType, shape: number[], seed: number): NDChunk {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) (data as unknown as { [i: number]: number | bigint })[i] = dtype === "int64" ? BigInt(i * 7 + seed) : ((i * 7 + seed) % 251) + (dtype.startsWith("float") ? 0.25 : 0);
  return { dtype, shape, data };
}

function at(x: NDChunk, idx: readonly number[]): number | bigint {
  const s = cStrides(x.shape);
  return (x.data as unknown as { [i: number]: number | bigint })[idx.reduce((acc, v, k) => acc + v * s[k]!, 0)]!;
}

function* indices(shape: readonly number[]): Generator<number[]> {
  if (shape.some((n) => n === 0)) return;
  const idx = shape.map(() => 0);
  for (;;) {
    yield [...idx];
    let k = shape.length - 1;
    for (; k >= 0; k--) { if (++idx[k]! < shape[k]!) break; idx[k] = 0; }
    if (k < 0) return;
  }
}

test("transposeBlock equals the per-element definition: shapes up to 4-D, every permutation kind, large tiled blocks", () => {
  const r = lcg(3);
  const cases: [number[], number[]][] = [[[300, 200], [1, 0]], [[1000, 3], [1, 0]], [[3, 1000], [1, 0]], [[64, 65, 2], [2, 0, 1]], [[5, 70, 90], [0, 2, 1]], [[1, 1], [1, 0]]];
  for (let c = 0; c < 30; c++) {
    const nd = 1 + r(4);
    const shape = Array.from({ length: nd }, () => 1 + r(nd <= 2 ? 120 : 12));
    const perm = shape.map((_, k) => k);
    for (let k = nd - 1; k > 0; k--) { const j = r(k + 1); [perm[k], perm[j]] = [perm[j]!, perm[k]!]; }
    cases.push([shape, perm]);
  }
  for (const [shape, perm] of cases) {
    for (const dtype of DTYPES) {
      const x = chunk(dtype, shape, 5);
      const t = transposeBlock(x, perm);
      assert.deepEqual(t.shape, perm.map((a) => shape[a]!));
      for (const idx of indices(t.shape)) {
        const src = new Array<number>(shape.length);
        perm.forEach((a, k) => { src[a] = idx[k]!; });
        if (at(t, idx) !== at(x, src)) assert.fail(`${dtype} shape ${shape} perm ${perm} at ${idx}`);
      }
    }
  }
});

test("assemble: strided pieces (steps ±1, ±2, ±3, counts 1..wide) land exactly where the definition says", () => {
  const r = lcg(9);
  for (let c = 0; c < 60; c++) {
    const nd = 1 + r(3);
    const srcShape = Array.from({ length: nd }, () => 1 + r(nd === 1 ? 400 : 40));
    const dtype = DTYPES[c % DTYPES.length]!;
    const src = chunk(dtype, srcShape, c);
    const step = srcShape.map(() => [1, 1, 1, -1, 2, -2, 3][r(7)]!);
    const count = srcShape.map((n, k) => 1 + r(Math.ceil(n / Math.abs(step[k]!))));
    const start = srcShape.map((n, k) => (step[k]! > 0 ? r(n - (count[k]! - 1) * step[k]!) : (count[k]! - 1) * -step[k]! + r(n - (count[k]! - 1) * -step[k]!)));
    const outShape = count.map((n) => n + r(5));
    const dst = count.map((n, k) => r(outShape[k]! - n + 1));
    const out = assemble(dtype, outShape, outShape, [{ src, start, step, dst, count }]);
    const filled = new Set<string>();
    for (const i of indices(count)) {
      const o = i.map((v, k) => dst[k]! + v);
      filled.add(o.join(","));
      const s = i.map((v, k) => start[k]! + v * step[k]!);
      if (at(out, o) !== at(src, s)) assert.fail(`case ${c}: ${dtype} src ${srcShape} step ${step} count ${count} at ${i}`);
    }
    for (const o of indices(outShape)) if (!filled.has(o.join(","))) assert.equal(Number(at(out, o)), 0, `case ${c}: untouched element ${o}`);
  }
});
