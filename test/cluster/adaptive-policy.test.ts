// The adaptive policy (pure).
import { test } from "node:test";
import assert from "node:assert/strict";
import { decideAdaptive, jobLimits, type AdaptiveJob } from "../../src/cluster/adaptive/policy.js";

const limits = { minimumJobs: 1, maximumJobs: 4, processes: 2, waitCount: 3 };
const j = (name: string, o: Partial<AdaptiveJob> = {}): AdaptiveJob => ({ name, started: true, idle: false, submittedAtMs: 0, ...o });

test("target rounded up to whole jobs and clamped", () => {
  assert.equal(decideAdaptive(0, [], limits, new Map()).targetJobs, 1);
  assert.equal(decideAdaptive(3, [], limits, new Map()).targetJobs, 2);
  assert.equal(decideAdaptive(100, [], limits, new Map()).targetJobs, 4);
});

test("pending jobs count as capacity: no new submissions while they wait", () => {
  const jobs = [j("a"), j("b", { started: false }), j("c", { started: false })];
  const d = decideAdaptive(6, jobs, limits, new Map());
  assert.equal(d.targetJobs, 3);
  assert.deepEqual(d.close, []);
});

test("scale down: not-started jobs at once; idle running jobs only after waitCount rounds; busy never", () => {
  const jobs = [j("busy", { submittedAtMs: 1 }), j("idle1", { idle: true, submittedAtMs: 2 }), j("idle2", { idle: true, submittedAtMs: 3 }), j("pend", { started: false, submittedAtMs: 4 })];
  let d = decideAdaptive(0, jobs, limits, new Map());
  assert.deepEqual(d.close, ["pend"]);
  assert.equal(d.targetJobs, 3);
  const live = jobs.filter((x) => x.name !== "pend");
  d = decideAdaptive(0, live, limits, d.closeCounts);
  assert.deepEqual(d.close, []);
  d = decideAdaptive(0, live, limits, d.closeCounts);
  assert.deepEqual(d.close, ["idle2", "idle1"], "third round closes the idle jobs");
  assert.equal(d.targetJobs, 1);
  // Hysteresis: a round where the job is not suggested resets its count.
  let c = decideAdaptive(0, live, limits, new Map()).closeCounts;
  c = decideAdaptive(6, live, limits, c).closeCounts;
  assert.equal(c.size, 0);
  assert.deepEqual(decideAdaptive(0, live, limits, c).close, []);
});

test("job limits from worker limits; maximum below processes still allows one job", () => {
  assert.deepEqual(jobLimits({ minimum: 3, maximum: 9, processes: 2 }), { minimumJobs: 2, maximumJobs: 4 });
  assert.deepEqual(jobLimits({ maximum: 1, processes: 4 }), { minimumJobs: 0, maximumJobs: 1 });
  assert.deepEqual(jobLimits({ minimumJobs: 1, maximumJobs: 4, processes: 2 }), { minimumJobs: 1, maximumJobs: 4 });
  assert.deepEqual(jobLimits({ processes: 2 }), { minimumJobs: 0, maximumJobs: Infinity });
});
