// mapBlocks / blockwise: user functions per block, in-process and on a real LocalCluster.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fromArray, mapBlocks, blockwise, NDArray, BlockFunctionError, type TArray } from "../../src/array/index.js";
import { fileCluster } from "../fixtures/cluster.js";
import { inProcessExecutor } from "../../src/graph/execute.js";
import type { GraphExecutor } from "../../src/graph/default-executor.js";
import { fns } from "./fixtures/block-fns.js";

const executor = fileCluster();

const executors = (): [string, GraphExecutor][] => [["in-process", inProcessExecutor], ["LocalCluster", executor()]];
const flat = async (a: TArray, ex: GraphExecutor): Promise<number[]> => {
  const r = await a.computeArray({ executor: ex });
  return Array.from(r.data as ArrayLike<number>, Number);
};

test("mapBlocks: elementwise function over uneven chunks, 1-3 axes, with block index and offset", async () => {
  await fc.assert(fc.asyncProperty(
    fc.integer({ min: 1, max: 3 }).chain((nd) => fc.array(fc.integer({ min: 0, max: 5 }), { minLength: nd, maxLength: nd })),
    fc.integer({ min: 1, max: 3 }),
    async (shape, cs) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = fromArray(Float64Array.from({ length: n }, (_, i) => i - 3), { shape, chunks: shape.map(() => cs) });
      const y = mapBlocks((b: { data: Float64Array }) => b.data.map((v) => 2 * v + 1), x);
      assert.deepEqual(await flat(y, inProcessExecutor), Array.from({ length: n }, (_, i) => 2 * (i - 3) + 1));
      // offset: the global position of each block's first element along axis 0.
      const z = mapBlocks((b: { data: Float64Array; shape: number[] }, info: { offset: number[] }) => {
        const inner = b.shape.slice(1).reduce((p: number, q: number) => p * q, 1);
        return Float64Array.from(b.data, (_v: number, i: number) => info.offset[0]! + Math.floor(i / inner));
      }, x);
      const inner = shape.slice(1).reduce((a, b) => a * b, 1);
      assert.deepEqual(await flat(z, inProcessExecutor), Array.from({ length: n }, (_, i) => Math.floor(i / inner)));
    }), { numRuns: 25 });
});

test("mapBlocks: two arrays broadcast, dtype, dropAxis and newAxis", async () => {
  for (const [label, ex] of executors()) {
    const a = fromArray([[1, 2, 3], [4, 5, 6]], { chunks: [1, 2], dtype: "float64" });
    const b = fromArray([10, 20, 30], { chunks: 3, dtype: "float64" });
    const s = mapBlocks((p: { data: Float64Array }, q: { data: Float64Array; shape: number[] }) => p.data.map((v, i) => v + q.data[i % q.shape[0]!]!), a, b);
    assert.deepEqual(await flat(s, ex), [11, 22, 33, 14, 25, 36], label);
    // Row sums: drop axis 1 (given whole), int32 output.
    const rs = mapBlocks((p: { data: Float64Array; shape: number[] }) => {
      const out = new Int32Array(p.shape[0]!);
      for (let i = 0; i < p.data.length; i++) out[Math.floor(i / p.shape[1]!)]! += p.data[i]!;
      return out;
    }, a, { dtype: "int32", dropAxis: 1 });
    assert.deepEqual(rs.shape, [2]);
    assert.equal(rs.dtype, "int32");
    assert.deepEqual(await flat(rs, ex), [6, 15], label);
    // A new trailing axis of length 2: (v, v²).
    const pair = mapBlocks((p: { data: Float64Array }) => {
      const out = new Float64Array(p.data.length * 2);
      p.data.forEach((v, i) => { out[2 * i] = v; out[2 * i + 1] = v * v; });
      return out;
    }, b, { newAxis: 1, chunks: [[3], [2]] });
    assert.deepEqual(pair.shape, [3, 2]);
    assert.deepEqual(await flat(pair, ex), [10, 100, 20, 400, 30, 900], label);
    // A module function shipped by reference.
    const m = mapBlocks(fns.scaleByBlock, fromArray([1, 1, 1, 1, 1], { chunks: 2, dtype: "float64" }));
    assert.deepEqual(await flat(m, ex), [1, 1, 2, 2, 3], label);
  }
});

test("mapBlocks: every dtype travels through a block function unchanged (in-process and on the cluster)", async () => {
  const vals = [0, 1, 5, 2, 1, 0, 3];
  for (const dtype of ["float64", "float32", "int32", "int64", "uint8", "bool"] as const) {
    const x = fromArray(vals.map((v) => (dtype === "bool" ? v % 2 : v)), { dtype, chunks: [[3, 0, 4]] });
    const y = mapBlocks((b: { data: { slice(): unknown } }) => b.data.slice(), x);
    assert.equal(y.dtype, dtype);
    for (const [label, ex] of executors()) assert.deepEqual(await flat(y, ex), await flat(x, ex), `${dtype} ${label}`);
  }
});

test("blockwise: index notation with a contracted index (matrix-vector product)", async () => {
  for (const [label, ex] of executors()) {
    const A = fromArray([[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 0, 1]], { chunks: [[1, 3], [2, 1]], dtype: "float64" });
    const v = fromArray([1, 10, 100], { chunks: [[1, 2]], dtype: "float64" });
    const mv = blockwise((a: { data: Float64Array; shape: number[] }, x: { data: Float64Array }) => {
      const [m, k] = a.shape as [number, number];
      const out = new Float64Array(m);
      for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) out[i]! += a.data[i * k + j]! * x.data[j]!;
      return out;
    }, "i", A, "ij", v, "j");
    assert.deepEqual(mv.chunks, [[1, 3]]);
    assert.deepEqual(await flat(mv, ex), [321, 654, 987, 101], label);
    const t = blockwise((a: { data: Float64Array; shape: number[] }) => {
      const [m, k] = a.shape as [number, number];
      const out = new Float64Array(m * k);
      for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) out[j * m + i] = a.data[i * k + j]!;
      return out;
    }, "ji", A, "ij");
    assert.deepEqual(t.shape, [3, 4]);
    const r = (await t.computeArray({ executor: ex })) as NDArray;
    assert.deepEqual(r.toArray(), [[1, 4, 7, 1], [2, 5, 8, 0], [3, 6, 9, 1]], label);
  }
});

test("mapBlocks: wrong output shape or dtype fails naming the block", async () => {
  const x = fromArray([1, 2, 3, 4, 5], { chunks: 2, dtype: "float64" });
  const badShape = mapBlocks((b: { data: Float64Array }, info: { blockIndex: number[] }) => (info.blockIndex[0] === 2 ? new Float64Array(3) : b.data), x);
  for (const [, ex] of executors()) {
    await assert.rejects(badShape.compute({ executor: ex }), /mapBlocks \(mapBlocks-[0-9a-f]+\): block \[2\]: the function returned 3 elements, expected shape \[1\]/);
  }
  const badShape2 = mapBlocks((b: { data: Float64Array; shape: number[] }) => ({ data: new Float64Array(4), shape: [2, 2] }), x);
  await assert.rejects(badShape2.compute(), /block \[0\]: the function returned shape \[2, 2\], expected \[2\]/);
  const badDtype = mapBlocks((b: { data: Float64Array }) => Int32Array.from(b.data), x);
  await assert.rejects(badDtype.compute(), (e: unknown) => {
    const err = (e as { cause?: unknown }).cause ?? e;
    return err instanceof BlockFunctionError && /block \[0\]: the function returned Int32Array but the declared dtype is float64/.test(err.message);
  });
  const throws = mapBlocks(() => { throw new RangeError("boom"); }, x);
  await assert.rejects(throws.compute(), /block \[0\]: the function threw RangeError: boom/);
  let captured = 3;
  const closure = mapBlocks((b: { data: Float64Array }) => b.data.map((v) => v * captured), x);
  captured = 4;
  await assert.rejects(closure.compute(), /captured is not defined.*remote\(import\.meta\.url/);
  assert.throws(() => mapBlocks(Math.sqrt as never, x), /native or bound/);
  assert.throws(() => mapBlocks((b: unknown) => b, x, { dtyp: "int32" } as never), /unknown option 'dtyp'; did you mean 'dtype'\?/);
  assert.throws(() => mapBlocks((b: unknown) => b, x, { dropAxis: 1 }), /dropAxis 1 is out of range for 1 axes/);
  assert.throws(() => blockwise((b: unknown) => b, "ik", x, "i"), /output index 'k' is in no input; give its length in newAxes/);
});
