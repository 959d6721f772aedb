// Scaling with real workers in real SLURM jobs: scale({jobs: 3}) → 3 RUNNING jobs and 6 workers;
// a job scancel'ed from outside is detected and replaced; scaling down retires whole jobs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { SLURMCluster } from "../../src/cluster/slurm/cluster.js";
import { createLogger } from "../../src/util/log.js";
import { liveJobs, requireSlurm, SMALL, squeueStates, tempLogDir, waitFor } from "./helpers.js";

const log = createLogger("test", { level: "silent" });

test("scale({jobs: 3}) → 3 RUNNING jobs, 6 workers; outside scancel replaced; scale down; close", async () => {
  requireSlurm();
  const c = await SLURMCluster.create({ ...SMALL, cores: 2, processes: 2, memory: "400MB", logDirectory: tempLogDir(), log });
  const seen: string[] = [];
  try {
    await c.scale({ jobs: 3 });
    await c.waitForWorkers(6, 60_000);
    const ids = c.jobs.map((j) => j.jobId!);
    seen.push(...ids);
    assert.equal(ids.length, 3);
    await waitFor("3 RUNNING in squeue", () => [...squeueStates(ids).values()].filter((s) => s === "RUNNING").length === 3, 10_000);
    assert.equal(c.workers.length, 6);
    for (const j of c.jobs) assert.equal(j.workers.length, 2, `job ${j.jobId} has its 2 workers`);
    assert.ok(c.jobs.every((j) => j.workersUpAfterRunningS !== undefined));
    assert.match(String(c), /Workers: 6\s+Cores: 6/);

    // Killed from outside: detected, reported, replaced.
    const victim = ids[0]!;
    execFileSync("scancel", [victim]);
    await waitFor("the cancelled job to be noticed", () => c.endedJobs.some((j) => j.jobId === victim), 10_000);
    assert.equal(c.endedJobs.find((j) => j.jobId === victim)!.state, "CANCELLED");
    await waitFor("a replacement job with 2 workers", () => c.jobs.length === 3 && c.jobs.every((j) => j.workers.length === 2), 30_000);
    const replacement = c.jobs.map((j) => j.jobId!).find((id) => !ids.includes(id));
    assert.ok(replacement, "a new job was submitted");
    seen.push(replacement);
    await waitFor("6 workers again", () => c.workers.length === 6, 30_000);

    // Scale down to 2 workers = 1 job: whole jobs retired and cancelled.
    await c.scale(2);
    await waitFor("1 job left", () => c.jobs.length === 1 && liveJobs(seen).length === 1, 30_000);
    await waitFor("2 workers left", () => c.workers.length === 2, 30_000);
  } finally {
    await c.close();
  }
  assert.deepEqual(liveJobs(seen), []);
});
