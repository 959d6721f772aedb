// The IO-free job table: status rows, worker matching, failures, lost jobs, core-seconds and the
// dashboard snapshot, with time passed in — no batch system, no processes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { JobTable } from "../../src/cluster/jobqueue/job-table.js";
import type { JobStatusRow } from "../../src/cluster/jobqueue/batch-system.js";

const row = (jobId: string, state: JobStatusRow["state"], extra: Partial<JobStatusRow> = {}): JobStatusRow => ({
  jobId, state, reason: undefined, startTimeMs: undefined, timeLeftS: undefined, ...extra,
});

function tableWith(n: number, t0 = 1_000_000): JobTable {
  const t = new JobTable({ coresPerJob: 4, failurePolicy: { backoffBaseMs: 1000, maxConsecutiveFailures: 3 } });
  for (let i = 0; i < n; i++) t.submitted(t.add(`C-${i}`, t0), String(100 + i));
  return t;
}

test("status rows: pending reason, running since, end detected, unlisted jobs end", () => {
  const t = tableWith(3);
  assert.deepEqual(t.applyStatus([row("100", "PENDING", { reason: "Resources" }), row("101", "RUNNING", { startTimeMs: 1_000_500 }), row("102", "RUNNING")], 1_001_000), []);
  assert.equal(t.get("C-0")!.reason, "Resources");
  assert.equal(t.get("C-1")!.runningSinceMs, 1_000_500);
  assert.equal(t.get("C-2")!.runningSinceMs, 1_001_000);
  const ends = t.applyStatus([row("100", "PENDING"), row("101", "FAILED", { reason: "NonZeroExitCode", endTimeMs: 1_002_000 })], 1_003_000);
  assert.deepEqual(ends.map((e) => [e.job.name, e.job.state, e.unexpected]), [["C-1", "FAILED", true], ["C-2", "RUNNING", true]]);
  assert.match(ends[0]!.description, /job 101 \(C-1\) ended FAILED \(NonZeroExitCode\)/);
  assert.match(ends[1]!.description, /no longer listed/);
  assert.deepEqual(t.live.map((j) => j.name), ["C-0"]);
  assert.deepEqual(t.ended.map((j) => j.name), ["C-1", "C-2"]);
  // Held core-seconds: C-1 ran 1.5 s (ended at the system's end time), C-2 2 s; 4 cores each.
  assert.equal(t.heldCoreSeconds(1_003_000), 4 * 1.5 + 4 * 2);
});

test("workers are matched to jobs by name; the first worker makes a job running and forgives failures", () => {
  const t = tableWith(2);
  const failed = t.add("C-9", 0);
  t.submitFailed(failed, "sbatch: error: invalid partition", 10);
  assert.equal(t.failures.consecutive, 1);
  assert.match(t.problem!, /invalid partition/);
  t.syncWorkers(["C-0-0", "C-0-1", "C-10-0", "other"], 2_000_000);
  assert.deepEqual([...t.get("C-0")!.workers].sort(), ["C-0-0", "C-0-1"]);
  assert.equal(t.get("C-0")!.phase, "running");
  assert.equal(t.get("C-1")!.phase, "queued");
  assert.equal(t.failures.consecutive, 0);
  assert.equal(t.problem, undefined);
});

test("jobs that end before any worker connects count as failures; three in a row stop submission", () => {
  const t = tableWith(3);
  const ends = t.applyStatus([row("100", "FAILED"), row("101", "FAILED"), row("102", "FAILED")], 5_000_000);
  for (const e of ends) t.recordEnd(e, e.description + " before any of its workers connected", 5_000_000);
  assert.equal(t.failures.consecutive, 3);
  assert.match(t.failures.gaveUp!, /3 jobs in a row ended before any worker connected/);
  assert.match(t.problem!, /3 jobs in a row/);
  t.forgiveFailures();
  assert.equal(t.failures.gaveUp, undefined);
});

test("an expected end (scaled down) is not a failure; lost jobs are chosen after the timeout", () => {
  const t = tableWith(2);
  t.syncWorkers(["C-0-0", "C-1-0"], 100);
  t.unwant(t.get("C-0")!);
  const [end] = t.applyStatus([row("101", "RUNNING")], 200);
  assert.equal(end!.unexpected, false);
  t.recordEnd(end!, end!.description, 200);
  assert.equal(t.failures.consecutive, 0);
  t.syncWorkers([], 300); // C-1's worker left at 300
  assert.deepEqual(t.lostJobs(300 + 15_000, 15_000), []);
  assert.deepEqual(t.lostJobs(300 + 15_001, 15_000).map((j) => j.name), ["C-1"]);
});

test("views for reconcile and adapt mark idle jobs; the snapshot shows states, reasons and core-seconds", () => {
  const t = tableWith(2);
  t.applyStatus([row("100", "RUNNING", { timeLeftS: 590 }), row("101", "PENDING", { reason: "Priority", timeLeftS: 600 })], 1_000_000);
  t.syncWorkers(["C-0-0"], 1_000_000);
  t.addBusySeconds(2.5);
  assert.deepEqual(t.views(new Set(["C-0-0"])).map((v) => [v.name, v.idle, v.workers]), [["C-0", false, 1], ["C-1", true, 0]]);
  assert.deepEqual(t.adaptiveJobs(new Set()).map((a) => [a.name, a.started, a.idle]), [["C-0", true, true], ["C-1", false, true]]);
  const snap = t.snapshot("slurm", 1_010_000);
  assert.equal(snap.system, "SLURM");
  assert.equal(snap.coreSecondsBusy, 2.5);
  assert.equal(snap.coreSecondsHeld, 40);
  assert.deepEqual(snap.jobs.map((j) => [j.id, j.state, j.reason, j.walltimeLeftS]), [["100", "running", undefined, 590], ["101", "pending", "Priority", undefined]]);
});
