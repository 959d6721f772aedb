// A task that allocates without bound: the nanny kills its worker above 95 % of the memory limit,
// three times (on three workers), then the task fails with KilledWorker naming it and the workers,
// while the rest of the graph finishes with the right results.
import { test } from "node:test";
import assert from "node:assert/strict";
import { KilledWorker } from "../../src/client/errors.js";
import { liveWorkers, restartsSeen, waitFor, withNannyCluster } from "./helpers.js";

/** Keeps allocating (and touching) 32 MB arrays until its process is killed. */
const hog = (): number => {
  const keep: Float64Array[] = [];
  for (;;) keep.push(new Float64Array(4e6).fill(keep.length));
};

const square = (x: number): number => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  return x * x;
};
const add = (...xs: number[]): number => xs.reduce((a, b) => a + b, 0);

test("a task allocating without bound is killed by the nanny 3 times, then fails with KilledWorker; the rest finishes", async () => {
  await withNannyCluster({ memoryLimit: "400MB" }, async ({ cluster, client }) => {
    const inputs = Array.from({ length: 40 }, (_, i) => i);
    const squares = client.map(square, inputs);
    const bad = client.submit(hog);
    const total = client.submit(add, ...squares);
    await assert.rejects(bad.result(), (e: unknown) => {
      assert.ok(e instanceof KilledWorker, `got ${String(e)}`);
      assert.equal(e.key, bad.key);
      assert.match(e.message, /was processing on 3 workers that all died \((tcp:\/\/127\.0\.0\.1:\d+(, )?){3}\)/);
      return true;
    });
    assert.equal(await total, inputs.reduce((a, x) => a + x * x, 0), "the rest of the graph finished");
    const kills = cluster.nannyEvents().filter((e) => e.type === "memory-kill");
    assert.equal(kills.length, 3, `memory kills: ${JSON.stringify(kills)}`);
    for (const k of kills) if (k.type === "memory-kill") assert.ok(k.rssBytes > 0.95 * 400e6 && k.limitBytes === 400e6);
    // The killed workers came back; their restart counts reach the scheduler.
    await waitFor(() => liveWorkers(cluster).size === 2 && restartsSeen(cluster) === 3, 10_000, "restarted workers to register");
    assert.equal(cluster.scheduler.state.counters.workersLost, 3);
  });
});
