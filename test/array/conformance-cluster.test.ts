// A subset of the conformance suite on a real LocalCluster (2 worker processes over TCP), plus
// the π pipeline and persist() through the Client.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileCluster } from "../fixtures/cluster.js";
import { random, ones } from "../../src/array/index.js";
import { inProcessExecutor } from "../../src/graph/execute.js";
import { defineArrayConformance } from "./conformance.js";

const executor = fileCluster();

defineArrayConformance("LocalCluster", executor, {
  numRuns: 6,
  only: ["binary elementwise with broadcasting and dtype promotion", "reductions over axes with keepdims and tree fan-in", "basic slicing (ranges with steps, negative indices, integers)", "transpose, reshape and rechunk keep values"],
});

test("LocalCluster: π matches the in-process result bit for bit", async () => {
  const pi = random.uniform(0, 1, { shape: [200000, 2], chunks: [30000, 2], seed: 77 }).pow(2).sum({ axis: -1 }).lt(1).mean().mul(4);
  const [a, b] = [await pi.compute({ executor: executor() }), await pi.compute({ executor: inProcessExecutor })];
  assert.ok(Object.is(a, b), `${String(a)} vs ${String(b)}`);
});

test("LocalCluster: ones(1e6, chunks 1e4).sum() and persist", async () => {
  assert.equal(await ones(1e6, { chunks: 1e4 }).sum().compute({ executor: executor() }), 1e6);
  const x = random.normal(0, 1, { shape: [1000], chunks: 100, seed: 5 });
  const held = await x.persist({ executor: executor() });
  const [s1, s2] = [await held.sum().compute({ executor: executor() }), await x.sum().compute({ executor: inProcessExecutor })];
  assert.ok(Object.is(s1, s2));
});
