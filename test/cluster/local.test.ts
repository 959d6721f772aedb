import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withCluster, waitFor, isAlive } from "../fixtures/cluster.js";
import { KilledWorker } from "../../src/client/errors.js";
import { LocalCluster } from "../../src/cluster/local.js";

/** Appends a line to `log` each time it runs (so tests can count runs), then returns `v`. */
const recordRun = (log: string, v: number) => {
  const fs = process.getBuiltinModule("node:fs") as typeof import("node:fs");
  fs.appendFileSync(log, `${v}\n`);
  return new Float64Array(1000).fill(v);
};

const sleep = (ms: number, v: number) => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return v;
};

async function runs(log: string): Promise<number> {
  try {
    return (await readFile(log, "utf8")).split("\n").filter(Boolean).length;
  } catch {
    return 0;
  }
}

test("LocalCluster: view, scale up and down, close leaves no processes", async () => {
  await withCluster({ nWorkers: 1 }, async ({ cluster, client }) => {
    assert.match(inspect(cluster), /LocalCluster\n {2}Scheduler: tcp:\/\/127\.0\.0\.1:\d+\n {2}Dashboard: http:\/\/127\.0\.0\.1:\d+\/status\S*\n {2}Workers: 1 · Cores: 1 · Memory: 2\.00 GB/);
    await cluster.scale(3);
    assert.equal(cluster.scheduler.state.workers.size, 3);
    await client.waitForWorkers(3, { timeoutMs: 5000 });
    const kept = client.submit((x: number) => x * 3, 5);
    assert.equal(await kept, 15);
    const pidsBefore = [...cluster.workerPids().values()];
    await cluster.scale(1);
    assert.equal(cluster.scheduler.state.workers.size, 1);
    await waitFor(() => pidsBefore.filter(isAlive).length === 1, 5000, "retired workers to exit");
    // Results on retired workers were moved, not lost.
    assert.equal(await kept, 15);
    assert.equal(cluster.scheduler.state.counters.workersLost, 0);
  });
});

test("a worker killed with SIGKILL: its tasks are rescheduled and its results recomputed", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tessera-kill-"));
  try {
    await withCluster({}, async ({ cluster, client }) => {
      const log = join(dir, "runs");
      const data = client.submit(recordRun, log, 1);
      await data;
      const holder = cluster.scheduler.state.whoHas([data.key])[data.key]![0]!;
      const holderName = cluster.scheduler.state.workers.get(holder)!.name;
      // Long tasks on both workers, then kill the one holding `data`.
      const slow = client.map(sleep, [400, 400, 400, 400], [1, 2, 3, 4]);
      await waitFor(() => cluster.scheduler.state.workers.get(holder)!.processing.size > 0, 5000, "tasks to start");
      process.kill(cluster.workerPids().get(holderName)!, "SIGKILL");
      assert.deepEqual(await client.gather(slow), [1, 2, 3, 4]);
      await waitFor(() => !cluster.scheduler.state.workers.has(holder), 5000, "the scheduler to notice");
      // `data` lived only on the dead worker: recomputed from its task when asked for.
      const again = (await data) as Float64Array;
      assert.equal(again[0], 1);
      assert.equal(await runs(log), 2, "recomputed once");
      const use = client.submit((a: Float64Array) => a.length, data);
      assert.equal(await use, 1000);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a task that kills its worker three times fails with KilledWorker", async () => {
  await withCluster({ nWorkers: 3 }, async ({ client }) => {
    const suicide = (x: number) => {
      process.kill(process.pid, "SIGKILL");
      return x;
    };
    const f = client.submit(suicide, 1);
    await assert.rejects(f.result(), (e: unknown) => {
      assert.ok(e instanceof KilledWorker, `got ${String(e)}`);
      assert.equal(e.key, f.key);
      assert.match(e.message, /3 workers that all died \(tcp:\/\/127\.0\.0\.1:\d+, tcp:\/\/127\.0\.0\.1:\d+, tcp:\/\/127\.0\.0\.1:\d+\)/);
      return true;
    });
  });
});

test("SIGTERM: a worker hands its results to a peer and leaves cleanly", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tessera-term-"));
  try {
    await withCluster({}, async ({ cluster, client }) => {
      const log = join(dir, "runs");
      const data = client.submit(recordRun, log, 7);
      await data;
      const holder = cluster.scheduler.state.whoHas([data.key])[data.key]![0]!;
      const name = cluster.scheduler.state.workers.get(holder)!.name;
      const pid = cluster.workerPids().get(name)!;
      process.kill(pid, "SIGTERM");
      await waitFor(() => !isAlive(pid), 10_000, "the worker to exit");
      assert.equal(cluster.scheduler.state.workers.size, 1);
      assert.equal(cluster.scheduler.state.counters.workersLost, 0, "left gracefully");
      const moved = cluster.scheduler.state.whoHas([data.key])[data.key]!;
      assert.equal(moved.length, 1);
      assert.notEqual(moved[0], holder);
      assert.equal(((await data) as Float64Array)[0], 7);
      assert.equal(await runs(log), 1, "not recomputed");
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("LocalCluster with TLS (temporary certificates)", async () => {
  await withCluster({ nWorkers: 1, security: true }, async ({ cluster, client }) => {
    assert.match(cluster.schedulerAddress, /^tls:\/\//);
    assert.equal(await client.submit((x: number) => x + 1, 1), 2);
  });
});

test("bad LocalCluster options give clear errors", () => {
  assert.throws(() => new LocalCluster({ nWorkers: -1 }), /nWorkers must be a whole number ≥ 0, got -1/);
  assert.throws(() => new LocalCluster({ threadsPerWorker: 1.5 }), /threadsPerWorker must be a whole number ≥ 1, got 1.5/);
  assert.throws(() => new LocalCluster({ memoryLimit: "12XB" }), /12XB/);
});

test("LocalCluster with nannies: a killed worker comes back under the same name", async () => {
  await withCluster({ nWorkers: 1, nanny: true }, async ({ cluster, client }) => {
    await waitFor(() => cluster.workerPids().get("local-0") !== undefined, 5000, "the nanny to report its worker");
    const first = cluster.workerPids().get("local-0")!;
    assert.equal(await client.submit((x: number) => x + 1, 1), 2);
    process.kill(first, "SIGKILL");
    await waitFor(() => cluster.workerPids().get("local-0") !== first && cluster.scheduler.state.workersByName.has("local-0"), 15_000, "the restarted worker");
    assert.equal(await client.submit((x: number) => x + 2, 1), 3);
  });
});

test("LocalCluster with a dashboard: the link reaches the client view", async () => {
  await withCluster({ nWorkers: 1, dashboard: { address: "127.0.0.1:0" } }, async ({ cluster, client }) => {
    assert.match(cluster.dashboardLink ?? "", /^http:\/\/127\.0\.0\.1:\d+\//);
    assert.match(inspect(client), /Dashboard: http:\/\/127\.0\.0\.1:\d+\//);
    const res = await fetch(cluster.dashboardLink!);
    assert.equal(res.status, 200);
    await res.text();
  });
});
