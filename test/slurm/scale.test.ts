// Scaling with real workers in real SLURM jobs: scale({jobs: 3}) → 3 RUNNING jobs and 6 workers;
// a job scancel'ed from outside is detected and replaced; scaling down retires whole jobs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { SLURMCluster } from "../../src/cluster/slurm/cluster.js";
import { createLogger } from "../../src/util/log.js";
import { liveJobs, lockSlurmTests, requireSlurm, SMALL, squeueStates, tempLogDir, waitFor } from "./helpers.js";

// One SLURM test file at a time (see helpers.ts).
await lockSlurmTests();

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
    assert.ok(Array.isArray(await c.workerLog(c.workers[0]!.address)), "a worker's log tail comes from its job's files");
    await assert.rejects(c.workerLog("tcp://nowhere:1"), /no worker tcp:\/\/nowhere:1/);

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

test("TLS: workers in jobs get the certificates by file; a stray TESSERA_SECRET in the shell does not leak into jobs", async () => {
  requireSlurm();
  const { Security } = await import("../../src/protocol/index.js");
  const saved = process.env["TESSERA_SECRET"];
  process.env["TESSERA_SECRET"] = "another-clusters-secret-0123456789";
  const c = await SLURMCluster.create({ ...SMALL, security: await Security.temporary({ tls: true }), log });
  let ids: string[] = [];
  try {
    assert.match(c.schedulerAddress, /^tls:\/\//);
    assert.doesNotMatch(c.jobScript(), /BEGIN|secret/i);
    await c.scale({ jobs: 1 });
    ids = c.jobs.map((j) => j.jobId!);
    await c.waitForWorkers(1, 60_000);
  } finally {
    if (saved === undefined) delete process.env["TESSERA_SECRET"];
    else process.env["TESSERA_SECRET"] = saved;
    await c.close();
  }
  assert.deepEqual(liveJobs(ids), []);
});

test("a job still running after its workers left is cancelled and replaced (lost-job timeout)", async () => {
  requireSlurm();
  // The workers retire after 1 s; the job then sleeps on in its epilogue, holding its cores.
  const c = await SLURMCluster.create({
    ...SMALL,
    workerExtraArgs: ["--lifetime", "1s"],
    jobScriptEpilogue: ["sleep 300"],
    lostJobTimeout: 2,
    log,
  });
  const seen = new Set<string>();
  try {
    await c.scale({ jobs: 1 });
    const first = c.jobs[0]!.jobId!;
    seen.add(first);
    await waitFor("the job with no workers to be cancelled", () => c.endedJobs.some((j) => j.jobId === first && j.state === "CANCELLED"), 30_000);
    await waitFor("a replacement job", () => c.jobs.some((j) => j.jobId !== undefined && j.jobId !== first), 10_000);
    c.jobs.forEach((j) => j.jobId && seen.add(j.jobId));
    assert.equal(c.problem, undefined);
  } finally {
    await c.close();
  }
  assert.deepEqual(liveJobs([...seen]), []);
});
