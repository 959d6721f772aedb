import { test } from "node:test";
import assert from "node:assert/strict";
import { Scheduler } from "../../src/scheduler/server.js";
import { Worker } from "../../src/worker/server.js";
import { connect, Security } from "../../src/protocol/index.js";
import { ConnectionPool } from "../../src/protocol/rpc.js";
import { assertNoLeaks, resourceCounts, silent, waitFor } from "../fixtures/cluster.js";

test("a worker that cannot reach its scheduler gives up after the death timeout", async () => {
  const before = resourceCounts();
  const t0 = Date.now();
  await assert.rejects(
    Worker.start({ schedulerAddress: "tcp://127.0.0.1:1", security: Security.temporary(), nthreads: 1, deathTimeoutMs: 300, log: silent() }),
    /cannot reach the scheduler at tcp:\/\/127\.0\.0\.1:1 within the death timeout/,
  );
  assert.ok(Date.now() - t0 < 5000);
  await assertNoLeaks(before);
});

test("in-process scheduler and worker: registration, get-data for clients, worker TTL", async () => {
  const before = resourceCounts();
  const security = Security.temporary();
  const scheduler = await Scheduler.start({ security, log: silent(), workerTtlMs: 300, heartbeatIntervalMs: 50 });
  const worker = await Worker.start({ schedulerAddress: scheduler.address, security, name: "w", nthreads: 1, memoryLimit: 1e9, log: silent() });
  const pool = new ConnectionPool({ security, log: silent() });
  try {
    assert.deepEqual(scheduler.workers().map((w) => w.name), ["w"]);
    // Values in the worker's store are served to anyone authenticated.
    worker.store.set("k", new Float64Array([1, 2, 3]));
    const reply = await pool.request<{ data: Record<string, unknown>; missing: string[] }>(worker.address, { op: "get-data", keys: ["k", "nope"] });
    assert.deepEqual([...(reply.data["k"] as Float64Array)], [1, 2, 3]);
    assert.deepEqual(reply.missing, ["nope"]);
    // The worker port accepts nothing else.
    const rogue = await connect(worker.address, { security, log: silent() });
    const closed = new Promise((r) => rogue.onClose(r));
    rogue.send({ op: "compute-tasks", tasks: [], whoHas: {} });
    await closed;
    // A registered "worker" that never sends heartbeats is removed after the TTL.
    const silentWorker = await connect(scheduler.address, { security, log: silent() });
    const gone = new Promise((r) => silentWorker.onClose(r));
    silentWorker.send({ op: "register-worker", address: "tcp://127.0.0.1:9", name: "mute", nthreads: 1, memoryLimit: 0, pid: 1, host: "h", metadata: {}, keys: [] });
    await waitFor(() => scheduler.state.workersByName.has("mute"), 2000, "registration");
    await gone;
    assert.equal(scheduler.state.workersByName.has("mute"), false);
    assert.equal(scheduler.state.workersByName.has("w"), true, "the heartbeating worker stays");
  } finally {
    pool.close();
    await worker.close();
    await scheduler.close();
  }
  await assertNoLeaks(before);
});
