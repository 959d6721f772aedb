// rechunk on a real LocalCluster (2 worker processes over TCP): swapping which axis is whole reads
// each piece straight from its input block, so only the pieces' bytes cross between workers (about
// half the array with two workers, never whole blocks for each output), and the values are exact.
import { test } from "node:test";
import assert from "node:assert/strict";
import { waitFor, withCluster } from "../fixtures/cluster.js";
import { random } from "../../src/array/index.js";
import { inProcessExecutor } from "../../src/graph/execute.js";

test("LocalCluster: columns → rows and rows → columns move only the pieces, values exact", async () => {
  await withCluster({ nWorkers: 2, threadsPerWorker: 1 }, async ({ cluster, client }) => {
    let bytes = 0;
    cluster.scheduler.addPlugin({ name: "rechunk-transfers", span: (s) => { if (s.action === "transfer") bytes += s.bytes; } });
    const n = 1200, w = 60; // 20 column blocks of 1200 × 60 float64 (576 kB each), 11.5 MB in all
    const total = n * n * 8;
    const x = await random.random({ shape: [n, n], chunks: [n, w], seed: 21 }).persist({ executor: client });
    await new Promise((r) => setTimeout(r, 1500)); // transfer spans come with heartbeats
    bytes = 0;
    const rows = x.rechunk([w, n]);
    const got = await rows.computeArray({ executor: client });
    const want = await random.random({ shape: [n, n], chunks: [n, w], seed: 21 }).computeArray({ executor: inProcessExecutor });
    assert.deepEqual(Array.from(got.data as Float64Array), Array.from(want.data as Float64Array), "columns → rows");
    await new Promise((r) => setTimeout(r, 1500));
    // Results gathered by the client are not counted: only worker-to-worker fetches.
    assert.ok(bytes > 0 && bytes < 0.75 * total, `${bytes} bytes moved between workers for a ${total}-byte array`);
    const back = rows.rechunk([n, w]).mul(1);
    const got2 = await back.computeArray({ executor: client });
    assert.deepEqual(Array.from(got2.data as Float64Array), Array.from(want.data as Float64Array), "rows → columns (split per block)");
  });
});

test("LocalCluster: a rechunk of spilled blocks reads each piece from disk and gets exact values", async () => {
  // Only the managed-memory rule (no RSS rules): workers keep at most ~1.2 MB of results in memory,
  // so most of x's 20 column blocks (10 MB) are on disk when the rechunk reads one piece of each.
  await withCluster({ nWorkers: 2, threadsPerWorker: 1, memoryLimit: "20MB", memory: { target: 0.06, spill: false, pause: false, terminate: false } }, async ({ cluster, client }) => {
    let spilled = 0;
    cluster.scheduler.addPlugin({ name: "rechunk-spill", span: (s) => { if (s.action === "spill") spilled += s.bytes; } });
    const n = 1600, w = 80; // 20 blocks of 1600 × 80 float64 (1 MB each)
    const x = await random.random({ shape: [n, n], chunks: [n, w], seed: 5 }).persist({ executor: client });
    await waitFor(() => spilled > 0.5 * n * n * 8, 10_000, "x's blocks to be spilled");
    const want = await random.random({ shape: [n, n], chunks: [n, w], seed: 5 }).computeArray({ executor: inProcessExecutor });
    const got = await x.rechunk([w, n]).computeArray({ executor: client });
    assert.deepEqual(Array.from(got.data as Float64Array), Array.from(want.data as Float64Array), "columns → rows from spilled blocks");
    const sum = await x.rechunk([w, n]).sum().compute({ executor: client });
    assert.ok(Math.abs((sum as number) - (want.data as Float64Array).reduce((a, b) => a + b, 0)) < 1e-6 * n * n);
  });
});
