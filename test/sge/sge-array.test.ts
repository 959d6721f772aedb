// Job arrays on a real Grid Engine: scale({jobs: 3, array: true}) is one qsub -t 1-3; each element is
// a job of its own for status, scale-down and cancel.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SGECluster } from "../../src/cluster/sge/cluster.js";
import { Client } from "../../src/client/client.js";
import { createLogger } from "../../src/util/log.js";
import { lockTestFiles, requireSge, SMALL_SGE, tempLogDir, waitFor } from "./helpers.js";
import { execFileSync } from "node:child_process";

await lockTestFiles("tessera-sge-tests");
const log = createLogger("test", { level: "silent" });

/** Array elements still in qstat, as '<id>.<task>'. */
function liveElements(arrayId: string): string[] {
  const text = execFileSync("qstat", ["-u", "*"], { encoding: "utf8" });
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f[0] !== arrayId) continue;
    const task = f[f.length - 1]!;
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(task);
    if (!m) continue;
    for (let t = Number(m[1]); t <= Number(m[2] ?? m[1]); t += Number(m[3] ?? 1)) out.push(`${arrayId}.${t}`);
  }
  return out;
}

test("SGECluster job array: one submission, elements counted, scaled down and cancelled one by one", async () => {
  requireSge();
  const c = await SGECluster.create({ ...SMALL_SGE, logDirectory: tempLogDir(), log });
  let arrayId = "";
  try {
    await c.scale({ jobs: 3, array: true });
    const ids = c.jobs.map((j) => j.jobId!);
    arrayId = ids[0]!.split(".")[0]!;
    assert.deepEqual(ids, [`${arrayId}.1`, `${arrayId}.2`, `${arrayId}.3`]);
    assert.deepEqual(c.jobs.map((j) => j.name), ["SGECluster-0-1", "SGECluster-0-2", "SGECluster-0-3"]);
    await c.waitForWorkers(3, 60_000);
    assert.deepEqual(c.workers.map((w) => w.name).sort(), ["SGECluster-0-1", "SGECluster-0-2", "SGECluster-0-3"]);
    const client = await Client.connect(c);
    try {
      assert.deepEqual(await client.gather(client.map((x: number) => x + 1, [1, 2, 3])), [2, 3, 4]);
    } finally {
      await client.close();
    }
    await c.scale({ jobs: 1 });
    await waitFor("one element left in qstat", () => liveElements(arrayId).length === 1 && c.jobs.length === 1, 30_000);
  } finally {
    await c.close();
  }
  assert.deepEqual(liveElements(arrayId), []);
});

test("SGECluster({schedulerJob: true}): the scheduler in its own job; workers join it; close cancels both", async () => {
  requireSge();
  const c = await SGECluster.create({ ...SMALL_SGE, logDirectory: tempLogDir(), schedulerJob: true, log });
  const ids: string[] = [];
  try {
    ids.push(c.schedulerJobId!);
    await c.scale({ jobs: 1 });
    ids.push(c.jobs[0]!.jobId!);
    await c.waitForWorkers(1, 60_000);
    const client = await Client.connect(c);
    try {
      assert.deepEqual(await client.gather(client.map((x: number) => x * 3, [1, 2])), [3, 6]);
    } finally {
      await client.close();
    }
  } finally {
    await c.close();
  }
  const live = execFileSync("qstat", ["-u", "*"], { encoding: "utf8" });
  for (const id of ids) assert.doesNotMatch(live, new RegExp(`^\\s*${id}\\s`, "m"), `job ${id} is gone`);
});
