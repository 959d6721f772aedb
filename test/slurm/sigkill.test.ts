// A client killed with SIGKILL runs no clean-up: its workers exit after deathTimeout and their jobs end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { liveJobs, lockSlurmTests, requireSlurm, startClient, waitFor } from "./helpers.js";

// One SLURM test file at a time (see helpers.ts).
await lockSlurmTests();

test("SIGKILL of the client: jobs end after the workers' death timeout", async () => {
  requireSlurm();
  const c = startClient(["worker", "2"]);
  const { jobIds } = await c.ready;
  assert.equal(jobIds.length, 2);
  assert.equal(liveJobs(jobIds).length, 2, "jobs run while the client lives");
  const killedAt = Date.now();
  c.child.kill("SIGKILL");
  await c.exited;
  // deathTimeout is 3 s in the fixture; allow for the worker's reconnect loop and SLURM's bookkeeping.
  await waitFor("0 jobs in squeue", () => liveJobs(jobIds).length === 0, 30_000, 250);
  assert.ok(Date.now() - killedAt >= 2000, "the jobs outlived the client by about the death timeout");
});
