// Job arrays on a real SLURM: scale({jobs: 3, array: true}) is one sbatch --array=0-2; each element is
// a job of its own for squeue, scale-down and scancel.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SLURMCluster } from "../../src/cluster/slurm/cluster.js";
import { Client } from "../../src/client/client.js";
import { createLogger } from "../../src/util/log.js";
import { liveJobs, lockSlurmTests, requireSlurm, SMALL, tempLogDir, waitFor } from "./helpers.js";

await lockSlurmTests();
const log = createLogger("test", { level: "silent" });

test("SLURMCluster job array: one sbatch, elements counted, scaled down and cancelled one by one", async () => {
  requireSlurm();
  const c = await SLURMCluster.create({ ...SMALL, logDirectory: tempLogDir(), log });
  let ids: string[] = [];
  try {
    await c.scale({ jobs: 3, array: true });
    ids = c.jobs.map((j) => j.jobId!);
    const arrayId = ids[0]!.split("_")[0]!;
    assert.deepEqual(ids, [`${arrayId}_0`, `${arrayId}_1`, `${arrayId}_2`]);
    await c.waitForWorkers(3, 60_000);
    assert.deepEqual(c.workers.map((w) => w.name).sort(), ["SLURMCluster-0-0", "SLURMCluster-0-1", "SLURMCluster-0-2"]);
    assert.ok(c.jobs.every((j) => j.state === "RUNNING" && j.workers.length === 1));
    const client = await Client.connect(c);
    try {
      assert.deepEqual(await client.gather(client.map((x: number) => x * 10, [1, 2, 3])), [10, 20, 30]);
    } finally {
      await client.close();
    }
    await c.scale({ jobs: 1 });
    await waitFor("one element left", () => c.jobs.length === 1 && liveJobs(ids).length === 1, 30_000);
    await assert.rejects(c.scale({ jobs: 1, array: "yes" as never }), /array "yes" is not true or false/);
  } finally {
    await c.close();
  }
  assert.deepEqual(liveJobs(ids), []);
});
