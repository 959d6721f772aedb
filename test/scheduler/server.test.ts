import { test } from "node:test";
import assert from "node:assert/strict";
import { withCluster, waitFor } from "../fixtures/cluster.js";
import type { SchedulerPlugin, TransitionInfo, WorkerInfo } from "../../src/scheduler/plugin.js";

test("plugins see transitions and workers; views, heartbeats, metadata, retirement and the adaptive target", async () => {
  await withCluster({ nWorkers: 1, env: { SLURM_JOB_ID: "4242" }, scheduler: { heartbeatIntervalMs: 50 } }, async ({ cluster, client }) => {
    const transitions: { key: string; from: string; to: string; info: TransitionInfo }[] = [];
    const added: WorkerInfo[] = [];
    const removed: { address: string; reason: string }[] = [];
    const plugin: SchedulerPlugin = {
      name: "recorder",
      transition: (key, from, to, info) => transitions.push({ key, from, to, info: { ...info } }),
      addWorker: (info) => added.push(info),
      removeWorker: (address, reason) => removed.push({ address, reason }),
    };
    const scheduler = cluster.scheduler;
    scheduler.addPlugin(plugin);
    assert.equal(added.length, 1, "existing workers are announced to a new plugin");
    assert.equal(added[0]!.metadata["slurmJobId"], "4242");
    assert.equal(added[0]!.name, "local-0");

    const f = client.submit(function work(x: number) {
      return x * 2;
    }, 21);
    assert.equal(await f, 42);
    const mine = transitions.filter((t) => t.key === f.key).map((t) => `${t.from}>${t.to}`);
    assert.deepEqual(mine, ["released>waiting", "waiting>processing", "processing>memory"]);
    const done = transitions.find((t) => t.key === f.key && t.to === "memory")!;
    assert.equal(done.info.prefix, "work");
    assert.equal(done.info.worker, scheduler.workers()[0]!.address);
    assert.ok(done.info.duration !== undefined && done.info.duration >= 0);
    assert.ok(done.info.start !== undefined && Math.abs(done.info.start - Date.now()) < 60_000, "start is a wall-clock time in ms");

    const view = scheduler.view();
    const prefix = view.prefixes.find((p) => p.name === "work")!;
    assert.equal(prefix.counts.memory, 1);
    assert.equal(view.workers[0]!.stored, 1);
    await waitFor(() => scheduler.workers()[0]!.metrics !== undefined, 5000, "a heartbeat");
    const w = scheduler.workers()[0]!;
    assert.ok(w.metrics!.rss > 0);
    assert.equal(w.metadata["slurmJobId"], "4242");
    assert.equal(w.memoryLimit, 2e9);

    // Nothing queued: no extra workers wanted; the worker holding data stays.
    assert.equal(scheduler.adaptiveTarget(5), 1);

    await cluster.scale(2);
    assert.equal(added.length, 2);
    const second = added[1]!;
    const retired = await client.retireWorkers({ names: [second.name] });
    assert.deepEqual(retired, [second.address]);
    assert.deepEqual(removed, [{ address: second.address, reason: "retired" }]);
    assert.equal(await f, 42);
    scheduler.removePlugin(plugin);
  });
});
