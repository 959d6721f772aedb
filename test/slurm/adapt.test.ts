// adapt() on the real SLURM: grows under queued work (pending jobs counting as capacity), shrinks
// back to the minimum, closing whole jobs, when idle.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SLURMCluster } from "../../src/cluster/slurm/cluster.js";
import { Client } from "../../src/client/client.js";
import { random } from "../../src/array/index.js";
import { createLogger } from "../../src/util/log.js";
import { liveJobs, lockSlurmTests, requireSlurm, samplesPerCoreSecond, SMALL, tempLogDir, waitFor } from "./helpers.js";

// One SLURM test file at a time (see helpers.ts).
await lockSlurmTests();

const log = createLogger("test", { level: "silent" });

test("adapt({minimumJobs: 1, maximumJobs: 3}) grows under load and shrinks when idle", async () => {
  requireSlurm();
  const c = await SLURMCluster.create({ ...SMALL, cores: 2, processes: 2, memory: "400MB", logDirectory: tempLogDir(), log });
  const client = await Client.connect(c, { log });
  const seen = new Set<string>();
  const track = setInterval(() => c.jobs.forEach((j) => j.jobId && seen.add(j.jobId)), 100);
  try {
    const a = c.adapt({ minimumJobs: 1, maximumJobs: 3, interval: 0.25, waitCount: 2, targetDuration: 1 });
    await waitFor("the minimum of 1 job with its workers", () => c.jobs.length === 1 && c.workers.length === 2, 30_000);
    let peakJobs = 0;
    let peakSubmitted = 0;
    const peak = setInterval(() => {
      peakJobs = Math.max(peakJobs, c.jobs.filter((j) => j.workers.length > 0).length);
      peakSubmitted = Math.max(peakSubmitted, c.jobs.length);
    }, 50);
    const piOf = async (samples: number, chunk: number) =>
      Number(await random.uniform(0, 1, { shape: [samples, 2], chunks: [chunk, 2], seed: 1 }).pow(2).sum({ axis: -1 }).lt(1).mean().mul(4).compute());
    const rate = await samplesPerCoreSecond(piOf);
    // About 16 s of work for the minimum job's 2 cores, in tasks of about 0.2 s.
    const pi = await piOf(Math.round((rate * 32) / 1e7) * 1e7, Math.max(1e6, Math.round((rate * 0.2) / 1e6) * 1e6));
    clearInterval(peak);
    assert.ok(Math.abs(pi - Math.PI) < 0.01, `π ≈ ${pi}`);
    assert.ok(peakJobs >= 2, `grew under load (peak ${peakJobs} jobs with workers)`);
    assert.ok(peakSubmitted <= 3, `never more than maximumJobs (${peakSubmitted})`);
    await waitFor("back to 1 job when idle", () => c.jobs.length === 1 && c.workers.length === 2, 30_000);
    assert.ok(a.rounds > 3);
    const ended = c.endedJobs;
    assert.ok(ended.length >= 1 && ended.every((j) => j.state === "CANCELLED" || j.state === "COMPLETED"), "scale-down closed whole jobs");
  } finally {
    clearInterval(track);
    await client.close();
    await c.close();
  }
  assert.deepEqual(liveJobs([...seen]), []);
});
