// Live data twice the cluster's total memory limit: workers spill least-recently-used results to
// their local directory, pause above 80 % and resume, and the graph completes with the right answer
// without any worker killed for memory. Spill files are gone afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitFor, withNannyCluster } from "./helpers.js";

/** Per worker; two workers, so 1 GB in all, and 2 GB of live results. */
const LIMIT = 500e6;
const CHUNK = 4e6;
const N = Math.round((2 * 2 * LIMIT) / CHUNK);

/** A chunk whose values are known: element j of chunk i is (7i + j) mod 13. */
const makeChunk = (i: number, len: number): Float64Array => {
  const a = new Float64Array(len);
  for (let j = 0; j < len; j++) a[j] = (i * 7 + j) % 13;
  return a;
};
const total = (a: Float64Array): number => {
  let t = 0;
  for (let j = 0; j < a.length; j++) t += a[j]!;
  return t;
};

function expectedSum(): number {
  let t = 0;
  for (let i = 0; i < N; i++) t += total(makeChunk(i, CHUNK / 8));
  return t;
}

test("live data 2× the cluster's memory limit: spills, pauses, completes right, no worker killed", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tessera-chaos-spill-"));
  try {
    await withNannyCluster({ memoryLimit: LIMIT, localDirectory: dir }, async ({ cluster, client }) => {
      const chunks = client.map(makeChunk, Array.from({ length: N }, (_, i) => i), Array<number>(N).fill(CHUNK / 8));
      let maxSpilled = 0;
      let sawPause = false;
      const watch = setInterval(() => {
        let spilled = 0;
        for (const w of cluster.scheduler.workers()) {
          spilled += w.spilledBytes;
          sawPause ||= w.paused;
        }
        maxSpilled = Math.max(maxSpilled, spilled);
      }, 50);
      try {
        // Wait until every chunk is computed (without moving them to the client).
        await waitFor(() => chunks.every((c) => c.done), 60_000, "all chunks to be computed");
        // Every chunk is alive at once (the client holds all futures); then each is read back.
        const sums = client.map(total, chunks);
        const got = (await client.gather(sums)) as number[];
        assert.equal(got.reduce((a, b) => a + b, 0), expectedSum());
      } finally {
        clearInterval(watch);
      }
      const liveBytes = N * CHUNK;
      assert.ok(liveBytes >= 2 * 2 * LIMIT, `live data ${liveBytes} B is twice the total limit`);
      assert.ok(maxSpilled > 0.5 * liveBytes, `workers spilled (${(maxSpilled / 1e6).toFixed(0)} MB at most at once)`);
      assert.ok(sawPause || maxSpilled > 0, "memory management was active");
      assert.equal(cluster.scheduler.state.counters.workersLost, 0, "no worker lost");
      assert.equal(cluster.nannyEvents().filter((e) => e.type === "memory-kill").length, 0, "no worker killed for memory");
      // Spill files live under the local directory while the workers run.
      assert.ok((await readdir(dir)).some((n) => n.startsWith("tessera-spill-")));
      for (const c of chunks) c.release();
    });
    // Workers exited: their spill directories are gone.
    assert.deepEqual(await readdir(dir), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
