// schedulerJob: true on a real SLURM: the scheduler runs in a batch job of its own, this process
// connects to it outward, workers in their jobs connect to it; close() cancels every job, the
// scheduler's included.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SLURMCluster } from "../../src/cluster/slurm/cluster.js";
import { Client } from "../../src/client/client.js";
import { random } from "../../src/array/index.js";
import { createLogger } from "../../src/util/log.js";
import { liveJobs, lockSlurmTests, requireSlurm, SMALL, squeueStates, tempLogDir, waitFor } from "./helpers.js";

await lockSlurmTests();
const log = createLogger("test", { level: "silent" });

test("SLURMCluster({schedulerJob: true}): scheduler in its own job, workers join it, π, adapt, close cancels all", async () => {
  requireSlurm();
  const c = await SLURMCluster.create({ ...SMALL, logDirectory: tempLogDir(), schedulerJob: true, log });
  const seen = new Set<string>();
  let schedulerJob = "";
  try {
    schedulerJob = c.schedulerJobId!;
    assert.match(schedulerJob, /^\d+$/);
    assert.equal(squeueStates([schedulerJob]).get(schedulerJob), "RUNNING");
    assert.match(c.dashboardTunnel!, /^ssh -N -L \d+:\S+:\d+ \S+$/);
    assert.match(String(c), /Tunnel: ssh -N -L/);
    await c.scale({ jobs: 2 });
    c.jobs.forEach((j) => seen.add(j.jobId!));
    await c.waitForWorkers(2, 60_000);
    const client = await Client.connect(c);
    try {
      const n = 1_000_000;
      const pi = Number(await random.uniform(0, 1, { shape: [n, 2], chunks: [n / 4, 2], seed: 3 }).pow(2).sum({ axis: -1 }).lt(1).mean().mul(4).compute({ executor: client }));
      assert.ok(Math.abs(pi - Math.PI) < 0.02, `π ≈ ${pi}`);
    } finally {
      await client.close();
    }
    c.adapt({ minimumJobs: 1, maximumJobs: 2, interval: 0.25, waitCount: 2 });
    await waitFor("adapt to shrink the idle cluster to 1 job", () => c.jobs.length === 1, 30_000);
  } finally {
    await c.close();
  }
  assert.deepEqual(liveJobs([...seen, schedulerJob]), []);
});
