// Hostile input on the scheduler's and a worker's port while a computation runs: ≥ 10 000 malformed,
// unauthenticated or invalid-but-authenticated frames and a connection flood. The computation's
// results stay right (bit for bit), no process crashes, memory stays bounded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { random } from "../../src/array/index.js";
import { Client } from "../../src/client/client.js";
import { garbageCollector } from "../../src/worker/gc-op.js";
import { isAlive, silent, withCluster } from "../fixtures/cluster.js";
import { fuzzPort } from "./hostile-peer.js";

const pi = (client: Client): Promise<number> =>
  random.uniform(0, 1, { shape: [25_000_000, 2], chunks: [2_500_000, 2], seed: 99 }).pow(2).sum({ axis: -1 }).lt(1).mean().mul(4).compute({ executor: client }) as Promise<number>;

test("≥ 10 000 hostile frames at the scheduler and a worker during a computation: right results, nothing crashed", async () => {
  await withCluster({ nWorkers: 2, logLevel: "silent" }, async ({ cluster, client }) => {
    const reference = await pi(client);
    const workers = [...cluster.scheduler.state.workers.values()];
    const pids = workers.map((w) => w.pid);
    const gc = garbageCollector();
    gc?.();
    const heapBefore = process.memoryUsage().heapUsed;

    let fuzzing = true;
    const results: number[] = [];
    const computing = (async () => {
      while (fuzzing || results.length === 0) results.push(await pi(client));
    })();
    const [atScheduler, atWorker] = await Promise.all([
      fuzzPort(cluster.schedulerAddress, { secret: cluster.security.secret, role: "scheduler", frames: 6000, seed: 7 }),
      fuzzPort(workers[0]!.address, { secret: cluster.security.secret, role: "worker", frames: 4000, seed: 8 }),
    ]).finally(() => (fuzzing = false));
    await computing;

    const frames = atScheduler.frames + atWorker.frames;
    assert.ok(frames >= 10_000, `${frames} frames sent`);
    for (const kind of ["random-bytes", "huge-length", "truncated", "bad-kind", "garbage-msgpack", "bad-hello", "wrong-secret", "authenticated", "flood-connections"]) {
      assert.ok((atScheduler.byKind[kind] ?? 0) > 0 && (atWorker.byKind[kind] ?? 0) > 0, `kind ${kind} was sent to both ports`);
    }
    assert.ok(results.length >= 1);
    for (const r of results) assert.ok(Object.is(r, reference), `π during the fuzz ${r} vs ${reference}`);
    // Nothing crashed: the same worker processes, none lost, the scheduler takes new clients.
    assert.ok(pids.every(isAlive), "worker processes alive");
    assert.equal(cluster.scheduler.state.counters.workersLost, 0);
    assert.deepEqual([...cluster.scheduler.state.workers.values()].map((w) => w.pid).sort(), [...pids].sort());
    const second = await Client.connect(cluster, { log: silent(), setAsDefault: false });
    assert.equal(await second.submit((x: number) => x + 1, 41), 42);
    await second.close();
    // Memory stayed bounded: the scheduler's heap (this process) and the workers' RSS.
    gc?.();
    const growth = process.memoryUsage().heapUsed - heapBefore;
    assert.ok(growth < 64e6, `scheduler-process heap grew by ${(growth / 1e6).toFixed(1)} MB`);
    for (const w of cluster.scheduler.workers()) assert.ok((w.rss ?? 0) < 600e6, `worker ${w.name} RSS ${w.rss}`);
  });
});
