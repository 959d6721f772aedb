// Transposes and one-block slices folded into the reading program as input views: the optimized
// graph has no transpose/slice tasks left, values equal the unfused graph's bit for bit (JS and
// WebAssembly backends), and no result ever references a reused scratch buffer.
import { test } from "node:test";
import assert from "node:assert/strict";
import "../../src/graph/execute.js";
import { fromArray, random, setKernelBackend, NDArray, type TArray } from "../../src/array/index.js";
import { ARRAY_OPS } from "../../src/array/ops-names.js";
import { runProgram } from "../../src/array/kernels/program.js";
import { isScratch } from "../../src/array/kernels/scratch.js";
import { setChunkAllocator, sharedAllocator } from "../../src/array/kernels/out-buffers.js";
import type { ChunkProgram } from "../../src/array/fusion/ir.js";

function opCounts(a: TArray): Record<string, number> {
  const c: Record<string, number> = {};
  for (const v of Object.values(a.buildGraph(true))) {
    const op = "op" in v ? String(v.op) : "data";
    c[op] = (c[op] ?? 0) + 1;
  }
  return c;
}

async function same(a: TArray, what: string): Promise<void> {
  const fused = await a.computeArray();
  const plain = await a.computeArray({ optimize: false });
  assert.deepEqual(fused.shape, plain.shape, what);
  assert.equal(fused.data.length, plain.data.length, what);
  for (let i = 0; i < fused.data.length; i++) if (!Object.is(fused.data[i], plain.data[i])) assert.fail(`${what}: element ${i}: ${fused.data[i]} vs ${plain.data[i]}`);
}

test("x.T.sum(), x + x.T, slices and reversed slices read their blocks through views, equal to the unfused graph", async () => {
  for (const backend of ["auto", "js"] as const) {
    setKernelBackend(backend);
    try {
      const x = await random.random({ shape: [70, 50], chunks: [20, 15], seed: 3 }).persist();
      const sq = await random.random({ shape: [60, 60], chunks: [25, 25], seed: 4 }).persist();
      assert.equal(opCounts(x.T.sum())[ARRAY_OPS.transpose], undefined);
      assert.equal(opCounts(sq.add(sq.T))[ARRAY_OPS.transpose], undefined);
      assert.equal(opCounts(x.slice([1, null], [2, -3]).mul(2))[ARRAY_OPS.assemble], undefined);
      await same(x.T.sum(), `${backend}: x.T.sum()`);
      await same(x.T.sum({ axis: 1 }), `${backend}: x.T.sum(axis 1)`);
      await same(sq.add(sq.T), `${backend}: sq + sq.T`);
      await same(sq.add(sq.T).mean({ axis: 0 }), `${backend}: (sq + sq.T).mean(0)`);
      await same(x.slice([1, null], [2, -3]).mul(2), `${backend}: x[1:, 2:-3] * 2`);
      await same(x.slice([null, null, -2], [null, null, 3]).sub(1), `${backend}: x[::-2, ::3] - 1`);
      await same(x.slice([3, 40], null).T.max(), `${backend}: x[3:40].T.max()`);
      const t3 = await random.random({ shape: [6, 7, 8], chunks: [4, 3, 5], seed: 5 }).persist();
      await same(t3.transpose([2, 0, 1]).add(1), `${backend}: 3-D transpose + 1`);
    } finally {
      setKernelBackend("auto");
    }
  }
});

test("slices of random arrays are drawn in place by their reader (no random block task), bit-identical to the unfused graph", async () => {
  for (const backend of ["auto", "js"] as const) {
    setKernelBackend(backend);
    try {
      const a = random.random({ shape: [70, 53], chunks: [20, 15], seed: 11 });
      const b = random.uniform(-1, 3, { shape: [70, 53], chunks: [20, 15], seed: 12 });
      const dd = a.slice([1, null], [1, null]).sub(b.slice([null, -1], [null, -1]));
      const c = opCounts(dd.sum());
      assert.equal(c[ARRAY_OPS.assemble], undefined, `${backend}: no slice task left`);
      assert.equal(Object.keys(dd.sum().buildGraph(true)).filter((k) => k.startsWith(a.name) || k.startsWith(b.name)).length, 0, `${backend}: no block of a is materialised`);
      await same(dd, `${backend}: a[1:, 1:] - b[:-1, :-1]`);
      await same(dd.sum(), `${backend}: (a[1:, 1:] - b[:-1, :-1]).sum()`);
      await same(dd.mean({ axis: 0 }), `${backend}: (a[1:, 1:] - b[:-1, :-1]).mean(0)`);
      // A slice with a step keeps its view; one read twice (x[1:] + x[1:]) too; both stay exact.
      await same(a.slice([1, null, 2], null).add(1), `${backend}: a[1::2] + 1`);
      const s = a.slice([3, 60], [2, 50]);
      await same(s.add(s).sum({ axis: 1 }), `${backend}: s + s`);
      // A random block read directly and transposed (x + x.T): the direct reader draws its own.
      const x = random.random({ shape: [50, 50], chunks: [20, 20], seed: 13 });
      await same(x.add(x.T), `${backend}: x + x.T`);
      await same(x.add(x.T).mean({ axis: 0 }), `${backend}: (x + x.T).mean(0)`);
      await same(x.add(x.slice([1, null], [1, null]).T.sum({ axis: 0 }).slice([null, 1])), `${backend}: x + (x[1:, 1:].T.sum(0))[:1]`);
      const t3 = random.random({ shape: [9, 7, 8], chunks: [4, 3, 5], seed: 5 });
      await same(t3.slice([1, null], [null, -1], [2, 7]).mul(t3.slice([null, -1], [1, null], [1, 6])), `${backend}: 3-D shifted product`);
    } finally {
      setKernelBackend("auto");
    }
  }
});

test("results never alias the scratch buffers views are gathered into", async () => {
  // A program whose output is its viewed input as is: the op must copy it out of scratch.
  const p: ChunkProgram = { nodes: [{ op: "in", slot: 0, dtype: "float64", view: { perm: [1, 0] } }], outputs: [0] };
  const block = { dtype: "float64" as const, shape: [2, 3], data: Float64Array.from([1, 2, 3, 4, 5, 6]) };
  const info = { shape: [3, 2], offset: [0, 0], globalShape: [3, 2] };
  const first = runProgram(p, info, block) as { data: Float64Array };
  assert.ok(!isScratch(first.data));
  assert.deepEqual(Array.from(first.data), [1, 4, 2, 5, 3, 6]);
  const other = { ...block, data: Float64Array.from([9, 9, 9, 9, 9, 9]) };
  runProgram(p, info, other); // reuses the scratch buffer
  assert.deepEqual(Array.from(first.data), [1, 4, 2, 5, 3, 6], "an earlier result changed when scratch was reused");
  // Through the array API: two transposed copies computed one after the other stay intact.
  const a = fromArray(new NDArray("float64", [4, 4], Float64Array.from({ length: 16 }, (_, i) => i)), { chunks: 2 });
  const t1 = await a.T.add(0).computeArray();
  const t2 = await a.T.mul(-1).computeArray();
  assert.deepEqual(Array.from(t1.data as Float64Array), Array.from(t2.data as Float64Array, (v) => (v === 0 ? 0 : -v)));
});

test("an installed allocator places every result block (programs, transposes, rechunks) in its memory", async () => {
  setChunkAllocator(sharedAllocator);
  try {
    const x = fromArray(new NDArray("float64", [6, 5], Float64Array.from({ length: 30 }, (_, i) => i)), { chunks: [4, 3] });
    for (const [what, y] of [["program", x.mul(2)], ["transpose", x.T], ["rechunk", x.rechunk([3, 5])], ["reduction", x.sum({ axis: 0 })]] as const) {
      const g = y.buildGraph(false);
      const { executeGraph } = await import("../../src/graph/execute.js");
      const vals = executeGraph(g, y.keys()) as { data: ArrayLike<number> & { buffer: ArrayBufferLike } }[];
      for (const v of vals) assert.ok(v.data.buffer instanceof SharedArrayBuffer, `${what}: a block outside shared memory`);
    }
    assert.deepEqual(Array.from((await x.T.mul(1).computeArray()).data as Float64Array), Array.from({ length: 30 }, (_, i) => (i % 6) * 5 + Math.floor(i / 6)));
  } finally {
    setChunkAllocator(undefined);
  }
});

test("a view read in several slots of one program (y + y of a one-block slice or rechunk) is absorbed in all of them", async () => {
  const z = fromArray(new Float64Array([1, 2, 3, 4]), { shape: [4], chunks: [[2, 2]] }).rechunk([[1, 3]]);
  await same(z.mul(z), "rechunked z * z");
  const y = fromArray(new Float64Array([1, 2]), { shape: [1, 1, 2], chunks: [[1, 0], [1], [2]] });
  await same(y.add(y), "y + y with an empty block");
  const x = random.uniform(0, 1, { shape: [6, 6], chunks: [3, 3], seed: 5 });
  await same(x.T.add(x.T).sub(x), "x.T + x.T - x");
  assert.deepEqual(Array.from((await z.mul(z).computeArray()).data as Float64Array), [1, 4, 9, 16]);
});

test("x + x.T of a random array draws the transposed blocks in place: no random block is materialised, values bit-identical", async () => {
  for (const backend of ["auto", "js"] as const) {
    setKernelBackend(backend);
    try {
      const x = random.random({ shape: [53, 53], chunks: [20, 20], seed: 21 });
      for (const [e, what] of [[x.add(x.T).mean({ axis: 0 }), "(x + x.T).mean(0)"], [x.T.sum(), "x.T.sum()"], [x.sub(x.T).sum({ axis: 1 }), "(x - x.T).sum(1)"]] as const) {
        const g = e.buildGraph(true);
        assert.equal(Object.keys(g).filter((k) => k.startsWith(x.name)).length, 0, `${backend}: ${what}: no block of x is a task`);
        assert.equal(opCounts(e)[ARRAY_OPS.transpose], undefined);
        await same(e, `${backend}: ${what}`);
      }
      const t3 = random.uniform(-2, 5, { shape: [9, 7, 8], chunks: [4, 3, 5], seed: 22 });
      const e3 = t3.transpose([2, 0, 1]).mul(3).sum({ axis: 2 });
      assert.equal(Object.keys(e3.buildGraph(true)).filter((k) => k.startsWith(t3.name)).length, 0, `${backend}: 3-D: no block of t3 is a task`);
      await same(e3, `${backend}: 3-D transposed draw`);
      // float32 draws keep their materialised block (the op draws float64 only), still exact
      const f = random.random({ shape: [30, 30], chunks: [20, 20], seed: 23, dtype: "float32" });
      await same(f.add(f.T), `${backend}: float32 x + x.T`);
    } finally {
      setKernelBackend("auto");
    }
  }
});
