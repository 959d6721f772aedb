// The array API beyond the property suite: creation, repr, laziness, persist, scalars.
import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { ones, zeros, full, empty, arange, linspace, fromArray, random, where, NDArray, Array as TArray } from "../../src/array/index.js";
import { setDefaultExecutor, type GraphExecutor } from "../../src/graph/default-executor.js";
import { inProcessExecutor } from "../../src/graph/execute.js";

test("creation functions", async () => {
  assert.deepEqual((await ones([2, 2], { chunks: 1 }).computeArray()).toArray(), [[1, 1], [1, 1]]);
  assert.deepEqual((await zeros(3, { dtype: "int32" }).computeArray()).toArray(), [0, 0, 0]);
  assert.deepEqual((await full([2], 7.5).computeArray()).toArray(), [7.5, 7.5]);
  assert.deepEqual((await full([2], true).computeArray()).toArray(), [true, true]);
  assert.deepEqual((await empty([2]).computeArray()).toArray(), [0, 0]);
  assert.deepEqual((await arange(2, 11, 3, { chunks: 2 }).computeArray()).toArray(), [2, 5, 8]);
  assert.equal((await arange(5).computeArray()).dtype, "int64");
  assert.deepEqual((await arange(0, 1, 0.25).computeArray()).toArray(), [0, 0.25, 0.5, 0.75]);
  const ls = await linspace(0, 1, 7, { chunks: 3 }).computeArray();
  assert.equal(ls.flat(6), 1);
  assert.equal(ls.flat(3), 0.5);
  assert.deepEqual((await linspace(0, 1, 4, { endpoint: false }).computeArray()).toArray(), [0, 0.25, 0.5, 0.75]);
  assert.deepEqual((await fromArray([[true, false]]).computeArray()).toArray(), [[true, false]]);
  assert.equal((await fromArray([1.5, 2]).computeArray()).dtype, "float64");
  assert.equal((await fromArray(new Float32Array([1, 2])).computeArray()).dtype, "float32");
  assert.equal(await fromArray(new Int32Array([1, 2, 3]), { chunks: 1 }).sum().compute(), 6);
});

test("the REPL view shows shape, dtype, bytes, chunks and tasks", () => {
  const x = random.uniform(0, 1, { shape: [1000, 2], chunks: [250, 2], seed: 1 });
  const s = inspect(x);
  assert.match(s, /tessera\.array<uniform, shape=\(1000, 2\), dtype=float64, chunksize=\(250, 2\)>/);
  assert.match(s, /Bytes\s+16\.00 kB\s+4\.00 kB/);
  assert.match(s, /Count\s+4 tasks in 1 layers\s+4 chunks/);
  assert.equal(String(x.sum()), `tessera.array<sum-aggregate, shape=(), dtype=float64, chunksize=()>`);
  assert.equal(x.T.shape.join(","), "2,1000");
  assert.equal(x.nbytes, 16000);
  assert.equal(x.npartitions, 4);
});

test("building a graph runs nothing; the same expression gives the same keys", async () => {
  let calls = 0;
  const counting: GraphExecutor = { computeGraph: (g, k, o) => { calls++; return inProcessExecutor.computeGraph(g, k, o); } };
  setDefaultExecutor(counting);
  try {
    const a = ones(10, { chunks: 3 }).add(1).mul(2).sum();
    const b = ones(10, { chunks: 3 }).add(1).mul(2).sum();
    assert.equal(calls, 0);
    assert.equal(a.name, b.name);
    assert.deepEqual(a.keys(), b.keys());
    assert.equal(await a.compute(), 40);
    assert.equal(calls, 1, "compute used the default executor");
  } finally {
    setDefaultExecutor(null);
  }
});

test("persist computes once and keeps the blocks", async () => {
  const x = random.normal(0, 1, { shape: [100], chunks: 10, seed: 4 });
  const p = await x.persist();
  assert.ok(p instanceof TArray);
  assert.equal(Object.keys(p.graph).length, 10);
  assert.ok(Object.values(p.graph).every((n) => "data" in n));
  const [a, b] = [await x.sum().compute(), await p.sum().compute()];
  assert.ok(Object.is(a, b));
});

test("scalars on either side, where with scalars, 0-d results", async () => {
  const x = fromArray([1, 2, 3]);
  assert.deepEqual((await where(x.gt(1), x, 0).computeArray()).toArray(), [0, 2, 3]);
  assert.equal(await x.max().compute(), 3);
  assert.equal(await x.gt(2).any().compute(), true);
  assert.equal(await x.count_nonzero().compute(), 3);
  const m = await x.mean({ keepdims: true }).compute();
  assert.ok(m instanceof NDArray && m.shape.length === 1 && m.flat(0) === 2);
});
