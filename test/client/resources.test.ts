// Worker resources as concurrency limits (Dask's worker resources) on a real LocalCluster: a worker
// declaring GPU=2 runs at most two {GPU: 1} tasks at once though it has four threads; tasks asking
// for a resource no worker has wait until a worker declaring it joins. The evidence is counted, not
// timed: each task marks itself running with a file in a shared directory and counts the marks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withCluster, silent } from "../fixtures/cluster.js";
import { Worker } from "../../src/worker/server.js";

/**
 * Marks itself running in `dir`, waits (up to 20 s) until `meet` tasks are running together, and
 * returns the most marks it ever counted. With `meet` = the limit, meeting proves the limit is
 * reached; the counts prove it is never passed.
 */
async function holdTogether(dir: string, meet: number, id: number): Promise<number> {
  const fs = await import("node:fs/promises");
  const mark = `${dir}/run-${id}`;
  await fs.writeFile(mark, "");
  let most = 0;
  const count = async (): Promise<number> => {
    const n = (await fs.readdir(dir)).filter((f) => f.startsWith("run-")).length;
    most = Math.max(most, n);
    return n;
  };
  const deadline = Date.now() + 20_000;
  while ((await count()) < meet && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  // Stay a while after meeting, still counting: a third task let in meanwhile would be seen.
  for (let i = 0; i < 20; i++) {
    await count();
    await new Promise((r) => setTimeout(r, 10));
  }
  await fs.rm(mark);
  return most;
}

test("resources limit how many tasks run at once on a worker, and tasks wait for a worker with them", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tessera-resources-"));
  try {
    await withCluster({ nWorkers: 1, threadsPerWorker: 4, resources: { GPU: 2 } }, async ({ client, cluster }) => {
      // Without resources, all four threads run together (the test's method can see four).
      const free = client.mapWith({ pure: false }, holdTogether, Array(4).fill(dir), Array(4).fill(4), [0, 1, 2, 3]);
      assert.deepEqual(await client.gather(free), [4, 4, 4, 4]);

      // {GPU: 1} tasks: two at a time, never three, though four threads are idle.
      const gpu = client.mapWith({ pure: false, resources: { GPU: 1 } }, holdTogether, Array(8).fill(dir), Array(8).fill(2), [10, 11, 12, 13, 14, 15, 16, 17]);
      assert.deepEqual(await client.gather(gpu), Array(8).fill(2));

      // {GPU: 2} takes the whole worker: one at a time.
      const big = client.mapWith({ pure: false, resources: { GPU: 2 } }, holdTogether, [dir, dir, dir], [1, 1, 1], [20, 21, 22]);
      assert.deepEqual(await client.gather(big), [1, 1, 1]);

      // A resource no worker has: the task waits (Dask: no-worker) until a worker declaring it joins.
      const tpu = client.submitWith({ resources: { TPU: 1 } }, (x: number) => x * 10, 4);
      const waited = await client.wait([tpu], { timeoutMs: 300 }).catch((e: Error) => e);
      assert.ok(waited instanceof Error && /not done after 300 ms/.test(waited.message), String(waited));
      assert.equal(tpu.status, "pending");
      const tpuWorker = await Worker.start({ schedulerAddress: cluster.schedulerAddress, security: cluster.security, name: "tpu", nthreads: 1, resources: { TPU: 1 }, log: silent() });
      try {
        assert.equal(await tpu, 40);
        assert.deepEqual(Object.values(await client.whoHas([tpu])), [[tpuWorker.address]]);
      } finally {
        await tpuWorker.close();
      }
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
