// adapt() on the real Grid Engine: grows under queued work, shrinks back to the minimum when idle.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SGECluster } from "../../src/cluster/sge/cluster.js";
import { Client } from "../../src/client/client.js";
import { createLogger } from "../../src/util/log.js";
import { liveSgeJobs, lockTestFiles, requireSge, SMALL_SGE, tempLogDir, waitFor } from "./helpers.js";

await lockTestFiles("tessera-sge-tests");
const log = createLogger("test", { level: "silent" });

test("SGECluster: adapt grows under load and shrinks to the minimum when idle", async () => {
  requireSge();
  const c = await SGECluster.create({ ...SMALL_SGE, logDirectory: tempLogDir(), log });
  const seen = new Set<string>();
  const client = await Client.connect(c);
  try {
    c.adapt({ minimumJobs: 1, maximumJobs: 3, interval: "250ms", waitCount: 2, targetDuration: "1s" });
    await c.waitForWorkers(1, 60_000);
    // About 24 s of work for the minimum job's one core, in tasks of 1 s.
    const busy = client.map((ms: number) => { const end = Date.now() + ms; while (Date.now() < end); return ms; }, Array.from({ length: 24 }, () => 1000));
    await waitFor("more than one job under load", () => { c.jobs.forEach((j) => j.jobId && seen.add(j.jobId)); return c.jobs.length > 1; }, 45_000);
    assert.equal((await client.gather(busy)).length, 24);
    // Workers holding results stay; letting them go lets adapt close the extra jobs.
    for (const f of busy) f.release();
    await waitFor("back to one job when idle", () => c.jobs.length === 1, 90_000);
  } finally {
    await client.close();
    await c.close();
  }
  assert.deepEqual(liveSgeJobs([...seen]), []);
});
