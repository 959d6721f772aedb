// No orphaned jobs: process exit, SIGINT and SIGTERM cancel every job of the client's clusters.
import { test } from "node:test";
import assert from "node:assert/strict";
import { liveJobs, lockSlurmTests, requireSlurm, startClient, waitFor } from "./helpers.js";

// One SLURM test file at a time (see helpers.ts).
await lockSlurmTests();

for (const how of ["SIGTERM", "SIGINT", "exit"] as const) {
  test(`${how} of the client process cancels its jobs`, async () => {
    requireSlurm();
    const c = startClient(["sleep", "2", how === "exit" ? "exit" : "wait"]);
    const { jobIds } = await c.ready;
    assert.equal(jobIds.length, 2);
    if (how !== "exit") {
      await waitFor("jobs in the queue", () => liveJobs(jobIds).length === 2, 10_000);
      c.child.kill(how);
    }
    await c.exited;
    await waitFor("no job left in squeue", () => liveJobs(jobIds).length === 0, 10_000);
  });
}
