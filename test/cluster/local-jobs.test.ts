// LocalJobCluster: the job-queue machinery with jobs as local processes — the tutorial's flow (job
// script, Client with 0 workers, scale({jobs}), π on the workers, a job killed from outside replaced,
// adapt up and down, close) with no batch system, and no process left behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LocalJobCluster } from "../../src/cluster/local-jobs/cluster.js";
import { Client } from "../../src/client/client.js";
import { random } from "../../src/array/index.js";
import { createLogger } from "../../src/util/log.js";

const log = createLogger("test", { level: "silent" });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("LocalJobCluster: the tutorial's flow with jobs as local processes; nothing outlives close()", async () => {
  const cluster = new LocalJobCluster({ cores: 2, processes: 2, memory: "1GB", walltime: "00:10:00", deathTimeout: 5, pollInterval: 0.25, siteConfig: false, log });
  assert.match(cluster.jobScript(), /^#!\/usr\/bin\/env bash\n\n\n.*worker '?tcp:\/\/<scheduler-address>:<port>'? --name LocalJobCluster-0 --nthreads 1 --memory-limit 476\.84MiB --nworkers 2 --nanny/s);
  const client = new Client(cluster);
  const pids = new Set<number>();
  try {
    await client.ready();
    assert.match(String(client), /Workers: 0/);
    await cluster.scale({ jobs: 2 });
    await cluster.waitForWorkers(4, 60_000);
    cluster.jobs.forEach((j) => pids.add(Number(j.jobId)));
    assert.equal(cluster.jobs.length, 2);
    assert.ok(cluster.jobs.every((j) => j.state === "RUNNING" && j.workers.length === 2));

    const n = 2_000_000;
    const xy = random.uniform(0, 1, { shape: [n, 2], chunks: [n / 8, 2], seed: 7 });
    const pi = (await xy.pow(2).sum({ axis: -1 }).lt(1).mean().mul(4).compute({ executor: client })) as number;
    assert.ok(Math.abs(pi - Math.PI) < 0.01, `π ≈ ${pi}`);

    // Killed from outside (the whole session): noticed and replaced.
    const victim = Number(cluster.jobs[0]!.jobId);
    process.kill(-victim, "SIGKILL");
    await waitFor("the killed job to be noticed", () => cluster.endedJobs.some((j) => j.jobId === String(victim)), 15_000);
    await waitFor("a replacement with its 2 workers", () => cluster.jobs.length === 2 && cluster.jobs.every((j) => j.workers.length === 2), 60_000);
    cluster.jobs.forEach((j) => pids.add(Number(j.jobId)));
    assert.equal(pids.size, 3);

    cluster.adapt({ minimumJobs: 1, maximumJobs: 3, interval: "250ms", waitCount: 2, targetDuration: "1s" });
    await waitFor("adapt to shrink an idle cluster to 1 job", () => cluster.jobs.length === 1, 60_000);
  } finally {
    await client.close();
    await cluster.close();
  }
  await waitFor("every job's processes to exit", () => [...pids].every((p) => !alive(p)), 10_000);
});
