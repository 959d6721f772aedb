// The reconcile step and failure bookkeeping (pure).
import { test } from "node:test";
import assert from "node:assert/strict";
import { NO_FAILURES, reconcile, recordJobEnd, recordWorkerConnected, type JobView } from "../../src/cluster/jobqueue/reconcile.js";

const job = (name: string, o: Partial<JobView> = {}): JobView => ({
  name, jobId: name, phase: "running", state: "RUNNING", submittedAtMs: 0, workers: 2, idle: false, ...o,
});
const base = { maxJobs: Infinity, nowMs: 1000, failures: NO_FAILURES };

test("submits the difference", () => {
  assert.equal(reconcile({ ...base, desiredJobs: 3, jobs: [] }).submit, 3);
  assert.equal(reconcile({ ...base, desiredJobs: 3, jobs: [job("a"), job("b", { phase: "queued", workers: 0 })] }).submit, 1);
  const same = reconcile({ ...base, desiredJobs: 1, jobs: [job("a")] });
  assert.deepEqual([same.submit, same.cancel, same.retire], [0, [], []]);
});

test("maxJobs keeps extra requests client-side (jobs still leaving count)", () => {
  const p = reconcile({ ...base, maxJobs: 4, desiredJobs: 10, jobs: [job("a"), job("b", { phase: "cancelling" })] });
  assert.equal(p.submit, 2);
  assert.equal(p.heldBack, 7);
});

test("scale down: pending first (newest first), then idle, then newest; retire jobs with workers", () => {
  const jobs = [
    job("busy-old", { submittedAtMs: 1 }),
    job("idle", { submittedAtMs: 2, idle: true }),
    job("busy-new", { submittedAtMs: 3 }),
    job("pend-old", { submittedAtMs: 4, phase: "queued", state: "PENDING", workers: 0 }),
    job("pend-new", { submittedAtMs: 5, phase: "queued", state: "PENDING", workers: 0 }),
    job("sub", { submittedAtMs: 6, phase: "submitting", state: "SUBMITTING", workers: 0, jobId: undefined }),
  ];
  const p = reconcile({ ...base, desiredJobs: 1, jobs });
  assert.deepEqual(p.cancel, ["pend-new", "pend-old"]);
  // The job still being submitted counts (it cannot be cancelled before it has an id): 5 go.
  assert.deepEqual(p.retire, ["idle", "busy-new", "busy-old"]);
  assert.equal(reconcile({ ...base, desiredJobs: 4, jobs }).cancel.length, 2);
  assert.equal(reconcile({ ...base, desiredJobs: 4, jobs }).retire.length, 0);
});

test("failures back off exponentially and stop after the limit; a connected worker resets", () => {
  const policy = { backoffBaseMs: 1000, backoffMaxMs: 60_000, maxConsecutiveFailures: 3 };
  let f = recordJobEnd(NO_FAILURES, { connected: false, wanted: true, nowMs: 0, description: "x" }, policy);
  assert.deepEqual([f.consecutive, f.notBeforeMs, f.gaveUp], [1, 1000, undefined]);
  let p = reconcile({ ...base, nowMs: 500, desiredJobs: 2, jobs: [], failures: f });
  assert.deepEqual([p.submit, p.heldBack, p.retryAtMs], [0, 2, 1000]);
  assert.equal(reconcile({ ...base, nowMs: 1000, desiredJobs: 2, jobs: [], failures: f }).submit, 2);
  f = recordJobEnd(f, { connected: false, wanted: true, nowMs: 2000, description: "x" }, policy);
  assert.equal(f.notBeforeMs, 4000);
  f = recordJobEnd(f, { connected: false, wanted: true, nowMs: 5000, description: "job 7 FAILED" }, policy);
  assert.match(f.gaveUp ?? "", /3 jobs in a row ended before any worker connected.*job 7 FAILED/);
  p = reconcile({ ...base, nowMs: 1e9, desiredJobs: 2, jobs: [], failures: f });
  assert.deepEqual([p.submit, p.retryAtMs], [0, undefined]);
  assert.equal(recordJobEnd(f, { connected: false, wanted: false, nowMs: 0, description: "" }, policy), f, "unwanted ends are not failures");
  assert.deepEqual(recordWorkerConnected(f), NO_FAILURES);
  const ok = recordJobEnd({ ...f, gaveUp: undefined }, { connected: true, wanted: true, nowMs: 0, description: "" }, policy);
  assert.equal(ok.consecutive, 0);
});
