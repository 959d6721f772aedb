// Linear algebra on a real LocalCluster (2 worker processes over TCP): the property suite with
// uneven chunks, and a product whose block pairs live on both workers, against the in-process result.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileCluster } from "../fixtures/cluster.js";
import { random, tensordot, linalg, NDArray } from "../../src/array/index.js";
import { inProcessExecutor } from "../../src/graph/execute.js";
import { defineLinalgSuite } from "./linalg-cases.js";

const executor = fileCluster();

defineLinalgSuite("LocalCluster", executor, { numRuns: 6 });

test("LocalCluster: a 300×260 @ 260×310 product in uneven blocks equals the in-process one", async () => {
  const a = random.normal(0, 1, { shape: [300, 260], chunks: [[100, 150, 50], [60, 200]], seed: 5 });
  const b = random.normal(0, 1, { shape: [260, 310], chunks: [[130, 130], [310]], seed: 6 });
  const expr = a.matmul(b).add(tensordot(a, b, { axes: 1 })).mul(0.5);
  const [got, want] = [await expr.compute({ executor: executor() }), await expr.compute({ executor: inProcessExecutor })];
  assert.ok(got instanceof NDArray && want instanceof NDArray);
  assert.deepEqual(got.shape, [300, 310]);
  for (let i = 0; i < got.size; i++) assert.ok(Math.abs(Number(got.flat(i)) - Number(want.flat(i))) <= 1e-9, `element ${i}`);
  const norm = linalg.norm(a.T.matmul(a), { ord: "fro" });
  const [n, m] = [await norm.compute({ executor: executor() }), await norm.compute({ executor: inProcessExecutor })];
  assert.ok(typeof n === "number" && typeof m === "number" && Math.abs(n - m) <= 1e-9 * m, `${n} vs ${m}`);
});
