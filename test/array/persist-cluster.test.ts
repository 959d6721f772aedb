// persist() on a Client: the blocks stay on the workers, and later computations read them instead of
// computing them again (their lineage is never fused into the readers).
import { test } from "node:test";
import assert from "node:assert/strict";
import { withCluster } from "../fixtures/cluster.js";
import { random } from "../../src/array/index.js";
import { inProcessExecutor } from "../../src/graph/execute.js";

test("LocalCluster: arrays computed from a persisted array read its blocks; nothing of it runs again", async () => {
  await withCluster({ nWorkers: 2, threadsPerWorker: 1 }, async ({ cluster, client }) => {
    const ran: string[] = [];
    const deps = new Map<string, number>();
    cluster.scheduler.addPlugin({
      name: "persist-reads",
      transition: (key, _from, to) => {
        if (to !== "processing") return;
        ran.push(key);
        deps.set(key, cluster.scheduler.state.tasks.get(key)?.deps?.length ?? 0);
      },
    });
    const lazy = random.random({ shape: [600, 600], chunks: [200, 200], seed: 9 }).add(1);
    const x = await lazy.persist({ executor: client });
    const held = new Set(x.keys());
    assert.ok(ran.some((k) => held.has(k)), "persist computed the blocks");
    const exprs: [string, (a: typeof lazy) => typeof lazy][] = [
      ["x.sum()", (a) => a.sum()],
      ["(x + x.T).mul(2).sum()", (a) => a.add(a.T).mul(2).sum()],
      ["x[100:500, 50:].mean(axis 0)", (a) => a.slice("100:500, 50:").mean({ axis: 0 })],
    ];
    for (const [name, f] of exprs) {
      ran.length = 0;
      const got = await f(x).computeArray({ executor: client });
      const want = await f(lazy).computeArray({ executor: inProcessExecutor });
      const g = got.data as Float64Array, w = want.data as Float64Array;
      assert.equal(g.length, w.length);
      for (let i = 0; i < g.length; i++) assert.ok(Math.abs(g[i]! - w[i]!) <= 1e-9 * Math.max(1, Math.abs(w[i]!)), `${name}[${i}]: ${g[i]} vs ${w[i]}`);
      assert.deepEqual(ran.filter((k) => held.has(k)), [], `${name}: no block of the persisted array was computed again`);
      assert.equal(ran.filter((k) => (deps.get(k) ?? 0) === 0).length, 0, `${name}: no task recomputes the blocks from their random draws (${ran.length} tasks)`);
    }
  });
});
