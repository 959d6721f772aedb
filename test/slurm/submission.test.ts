// Submission against the real SLURM: pre-flight validation, sbatch errors verbatim, failing jobs
// detected with their log tail, live status with pending reasons, maxJobs, close() leaves no job.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { SLURMCluster } from "../../src/cluster/slurm/cluster.js";
import { BatchCommandError, JobQueueConfigError, JobQueueValidationError } from "../../src/cluster/jobqueue/errors.js";
import { createLogger } from "../../src/util/log.js";
import { liveJobs, lockSlurmTests, requireSlurm, SMALL, tempLogDir, waitFor } from "./helpers.js";

// One SLURM test file at a time (see helpers.ts).
await lockSlurmTests();

const log = createLogger("test", { level: "silent" });

function jobCount(): number {
  return execFileSync("squeue", ["-h", "-o", "%i"], { encoding: "utf8" }).split("\n").filter(Boolean).length;
}

test("pre-flight against sinfo: clear errors before anything is submitted", async () => {
  requireSlurm();
  const cases: [object, RegExp][] = [
    [{ queue: "nosuch" }, /queue 'nosuch' is not a partition of this cluster; partitions: short, debug/],
    [{ cores: 64, processes: 1 }, /64 CPUs but the largest node of partition 'debug' has 8/],
    [{ memory: "1TB" }, /--mem=932G .* at most \d+ MiB/],
    [{ walltime: "01:00:00" }, /'01:00:00' is above the time limit of partition 'debug' \(30:00\)/],
  ];
  for (const [bad, re] of cases) {
    const before = jobCount();
    await assert.rejects(SLURMCluster.create({ ...SMALL, ...bad, log }), (e: unknown) => e instanceof JobQueueValidationError && re.test(e.message));
    assert.equal(jobCount() <= before, true, "nothing was submitted");
  }
  assert.throws(() => new SLURMCluster({ ...SMALL, memory: "4 gigs", log }), (e: unknown) =>
    e instanceof JobQueueConfigError && /memory: '4 gigs' is not a size/.test(e.message));
});

test("sbatch's own errors reach the caller verbatim", async () => {
  requireSlurm();
  const cases: [object, RegExp][] = [
    [{ queue: "nosuch" }, /invalid partition specified: nosuch/],
    [{ cores: 9, processes: 1 }, /More processors requested than permitted/],
    [{ queue: "debug", walltime: "01:00:00" }, /Requested time limit is invalid/],
    [{ jobExtraDirectives: ["--gres=gpu:1"] }, /Invalid generic resource \(gres\) specification/],
  ];
  for (const [bad, re] of cases) {
    const c = await SLURMCluster.create({ ...SMALL, ...bad, preflight: false, log });
    try {
      await assert.rejects(c.scale({ jobs: 1 }), (e: unknown) =>
        e instanceof BatchCommandError && re.test(e.message) && /submitting job SLURMCluster-0 failed \(exit 1\): sbatch --parsable/.test(e.message));
      assert.match(c.problem ?? "", re);
      assert.equal(c.jobs.length, 0);
    } finally {
      await c.close();
    }
  }
});

test("jobs that end before their workers connect: detected with the log tail, retried with backoff, then stopped", async () => {
  requireSlurm();
  const logDirectory = tempLogDir();
  const c = await SLURMCluster.create({
    ...SMALL,
    logDirectory,
    command: "echo tessera-test-broken-env >&2; exit 3; node",
    failurePolicy: { backoffBaseMs: 200, maxConsecutiveFailures: 3 },
    log,
  });
  try {
    await c.scale({ jobs: 1 });
    await assert.rejects(c.waitForWorkers(1, 60_000), (e: unknown) =>
      e instanceof Error && /3 jobs in a row ended before any worker connected/.test(e.message));
    const problem = c.problem ?? "";
    assert.match(problem, /ended FAILED \(NonZeroExitCode\) before any of its workers connected/);
    assert.match(problem, /tessera-worker-\d+\.err:\n\s+tessera-test-broken-env/);
    assert.equal(c.endedJobs.length, 3);
    assert.deepEqual(c.endedJobs.map((j) => j.state), ["FAILED", "FAILED", "FAILED"]);
    // Given up: no more submissions.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(c.endedJobs.length + c.jobs.length, 3);
  } finally {
    await c.close();
  }
});

test("live status: RUNNING and PENDING with reason, maxJobs held client-side, close() leaves no job", async () => {
  requireSlurm();
  // Jobs that hold their CPUs without starting workers ('sleep 300;' runs before the worker command).
  const c = await SLURMCluster.create({ ...SMALL, cores: 4, processes: 1, command: "sleep 300; true", maxJobs: 3, log });
  let ids: string[] = [];
  try {
    await c.scale({ jobs: 5 });
    ids = c.jobs.map((j) => j.jobId!);
    assert.equal(ids.length, 3, "maxJobs keeps the rest client-side");
    // 8 CPUs, 4 per job: at most two run, the third waits for resources (other SLURM test files
    // running at the same time may hold CPUs too, so wait until one of ours runs).
    await waitFor("a RUNNING job and a PENDING one", () => {
      const states = c.jobs.map((j) => j.state);
      return states.includes("RUNNING") && states.includes("PENDING");
    }, 90_000);
    const pending = c.jobs.find((j) => j.state === "PENDING")!;
    assert.match(pending.reason ?? "", /Resources|Priority/);
    const running = c.jobs.find((j) => j.state === "RUNNING")!;
    assert.ok(running.startTime instanceof Date);
    assert.ok(running.walltimeLeftS! > 200 && running.walltimeLeftS! <= 300);
    const view = String(c);
    assert.match(view, /JOBID\s+NAME\s+STATE\s+REASON/);
    assert.match(view, /PENDING\s+(Resources|Priority)/);
    assert.match(view, /Jobs: 3 \(wanted 5\)/);
  } finally {
    await c.close();
  }
  assert.deepEqual(liveJobs(ids), [], "close() cancelled every job");
});
