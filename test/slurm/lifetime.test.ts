// Walltime: workers with --lifetime retire gracefully before their job's end; the cluster replaces
// the ended jobs and the computation finishes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SLURMCluster } from "../../src/cluster/slurm/cluster.js";
import { Client } from "../../src/client/client.js";
import { random } from "../../src/array/index.js";
import { createLogger } from "../../src/util/log.js";
import { liveJobs, lockSlurmTests, requireSlurm, samplesPerCoreSecond, SMALL, tempLogDir } from "./helpers.js";

// One SLURM test file at a time (see helpers.ts).
await lockSlurmTests();

const log = createLogger("test", { level: "silent" });

test("workerExtraArgs --lifetime/--lifetime-stagger: jobs end gracefully, replacements come, the result is right", async () => {
  requireSlurm();
  const c = await SLURMCluster.create({
    ...SMALL,
    cores: 2,
    processes: 2,
    memory: "400MB",
    logDirectory: tempLogDir(),
    workerExtraArgs: ["--lifetime", "3s", "--lifetime-stagger", "1s"],
    log,
  });
  const client = await Client.connect(c, { log });
  const seen = new Set<string>();
  const track = setInterval(() => c.jobs.forEach((j) => j.jobId && seen.add(j.jobId)), 100);
  try {
    assert.match(c.jobScript(), / --lifetime 3s --lifetime-stagger 1s$/m);
    await c.scale({ jobs: 2 });
    await c.waitForWorkers(4, 60_000);
    const started = Date.now();
    const graph = (samples: number, chunk: number) =>
      random.uniform(0, 1, { shape: [samples, 2], chunks: [chunk, 2], seed: 3 }).pow(2).sum({ axis: -1 }).lt(1).mean().mul(4);
    const rate = await samplesPerCoreSecond(async (n, c) => Number(await graph(n, c).compute()));
    // About 12 core-seconds of work (6 s on a 2-core machine): longer than the workers' 3 s lifetime.
    const computed = graph(Math.round((rate * 12) / 1e7) * 1e7, Math.max(1e6, Math.round((rate * 0.2) / 1e6) * 1e6)).compute();
    const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 60_000).unref());
    const value = await Promise.race([computed, timeout]);
    assert.notEqual(value, "timeout", `the computation did not finish within 60 s (about 12 core-seconds of work) while workers retired by --lifetime; jobs ended: ${c.endedJobs.length}`);
    const pi = Number(value);
    assert.ok(Math.abs(pi - Math.PI) < 0.001, `π ≈ ${pi}`);
    // Whatever the computation's length, jobs keep being replaced while scale({jobs: 2}) holds.
    while (c.endedJobs.length < 2 && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 200));
    const ended = c.endedJobs;
    assert.ok(ended.length >= 2, `jobs ended by their workers' lifetime (${ended.length})`);
    assert.ok(ended.every((j) => j.state === "COMPLETED"), `ended gracefully: ${ended.map((j) => j.state).join(", ")}`);
    assert.equal(c.problem, undefined, "a job whose workers had connected is no failure");
    await c.waitForWorkers(4, 30_000);
    assert.ok(seen.size >= 4, "replacement jobs were submitted");
  } finally {
    clearInterval(track);
    await client.close();
    await c.close();
  }
  assert.deepEqual(liveJobs([...seen]), []);
});
