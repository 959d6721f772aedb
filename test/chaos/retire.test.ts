// Graceful retirement: client.retireWorkers and a worker's --lifetime hand the worker's results to
// peers before it leaves, so nothing is recomputed and no worker counts as lost.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "../../src/client/client.js";
import type { Future } from "../../src/client/future.js";
import type { LocalCluster } from "../../src/cluster/local.js";
import { isAlive, startCli, waitFor, withCluster } from "../fixtures/cluster.js";
import { withNannyCluster } from "./helpers.js";

/** Appends `v` to the file `log` (so tests count runs), returns a 100 000-element array of `v`. */
const recordRun = (log: string, v: number): Float64Array => {
  const fs = process.getBuiltinModule("node:fs") as typeof import("node:fs");
  fs.appendFileSync(log, `${v}\n`);
  return new Float64Array(100_000).fill(v);
};

async function runCount(log: string): Promise<number> {
  return (await readFile(log, "utf8")).split("\n").filter(Boolean).length;
}

/** Submits `n` recorded results and returns them with the workers holding each. */
async function resultsOn(client: Client, cluster: LocalCluster, log: string, n: number): Promise<{ futures: Future<Float64Array>[]; holders: string[] }> {
  const futures = client.map(recordRun, Array<string>(n).fill(log), Array.from({ length: n }, (_, i) => i)) as Future<Float64Array>[];
  await client.gather(futures);
  const who = cluster.scheduler.state.whoHas(futures.map((f) => f.key));
  return { futures, holders: futures.map((f) => who[f.key]![0]!) };
}

async function checkIntact(futures: Future<Float64Array>[], log: string, n: number): Promise<void> {
  const values = await Promise.all(futures.map((f) => f.result()));
  values.forEach((v, i) => assert.equal(v[99_999], i));
  assert.equal(await runCount(log), n, "no result was recomputed");
}

test("client.retireWorkers: the retired worker's results move to a peer; its nanny exits", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tessera-retire-"));
  try {
    await withNannyCluster({}, async ({ cluster, client }) => {
      const log = join(dir, "runs");
      const { futures, holders } = await resultsOn(client, cluster, log, 8);
      const victim = holders[0]!;
      const name = cluster.scheduler.state.workers.get(victim)!.name;
      const nannyPid = cluster.workerPids().get(name)!;
      assert.deepEqual(await client.retireWorkers({ names: [name] }), [victim]);
      assert.equal(cluster.scheduler.state.workers.has(victim), false);
      assert.equal(cluster.scheduler.state.counters.workersLost, 0, "left gracefully");
      const now = cluster.scheduler.state.whoHas(futures.map((f) => f.key));
      for (const f of futures) assert.notDeepEqual(now[f.key], [victim]);
      await checkIntact(futures, log, 8);
      // The worker exited with code 0: its nanny does not restart it and leaves too.
      await waitFor(() => !isAlive(nannyPid), 10_000, "the retired worker's nanny to exit");
      assert.equal(cluster.nannyEvents().filter((e) => e.type === "restarting").length, 0);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("tessera worker --lifetime: the worker retires itself, handing its results to peers first", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tessera-lifetime-"));
  try {
    await withCluster({ nWorkers: 1 }, async ({ cluster, client }) => {
      const log = join(dir, "runs");
      const child = startCli(["worker", cluster.schedulerAddress, "--name", "short-lived", "--nthreads", "1", "--no-nanny", "--lifetime", "3s", "--lifetime-stagger", "0.5s"], {
        TESSERA_SECRET: cluster.security.secret,
      });
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      try {
        await client.waitForWorkers(2, { timeoutMs: 10_000 });
        const lifer = cluster.scheduler.state.workersByName.get("short-lived")!.address;
        const { futures, holders } = await resultsOn(client, cluster, log, 12);
        assert.ok(holders.includes(lifer), "some results are on the short-lived worker");
        assert.equal(await exited, 0, "left cleanly at the end of its lifetime");
        await waitFor(() => !cluster.scheduler.state.workers.has(lifer), 5_000, "the scheduler to drop it");
        assert.equal(cluster.scheduler.state.counters.workersLost, 0, "retired, not lost");
        await checkIntact(futures, log, 12);
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
        await exited;
      }
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
