// SGECluster against a real Grid Engine (scripts/sge-dev-cluster.sh): the tutorial's flow — job script,
// scale to jobs, a computation on their workers, a job qdel'ed from outside replaced, pending reasons,
// adapt, and no job left after close.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { SGECluster } from "../../src/cluster/sge/cluster.js";
import { Client } from "../../src/client/client.js";
import { createLogger } from "../../src/util/log.js";
import { liveSgeJobs, lockTestFiles, qstatStates, requireSge, SMALL_SGE, tempLogDir, waitFor } from "./helpers.js";

await lockTestFiles("tessera-sge-tests");

const log = createLogger("test", { level: "silent" });

test("SGECluster: job script, scale({jobs: 2}) → 4 workers compute; outside qdel replaced; close leaves no job", async () => {
  requireSge();
  const c = await SGECluster.create({ ...SMALL_SGE, cores: 2, processes: 2, memory: "400MB", jobExtraDirectives: ["-pe smp 2"], logDirectory: tempLogDir(), log });
  const seen = new Set<string>();
  try {
    const script = c.jobScript();
    assert.match(script, /^#!\/usr\/bin\/env bash\n\n#\$ -N tessera-worker\n#\$ -q all\.q\n#\$ -l h_rt=00:05:00\n#\$ -e \S+\/\n#\$ -o \S+\/\n#\$ -cwd\n#\$ -j y\n#\$ -pe smp 2\n/);
    assert.doesNotMatch(script, /secret/i);
    await c.scale({ jobs: 2 });
    c.jobs.forEach((j) => seen.add(j.jobId!));
    await c.waitForWorkers(4, 60_000);
    assert.equal(c.jobs.length, 2);
    for (const j of c.jobs) assert.equal(j.workers.length, 2, `job ${j.jobId} has its 2 workers`);
    await waitFor("both jobs r in qstat", () => [...qstatStates([...seen]).values()].filter((s) => s === "r").length === 2, 10_000);
    await waitFor("the cluster to see both RUNNING", () => c.jobs.every((j) => j.state === "RUNNING"), 10_000);

    const client = await Client.connect(c);
    try {
      const squares = await client.gather(client.map((x: number) => x * x, [1, 2, 3, 4, 5, 6, 7, 8]));
      assert.deepEqual(squares, [1, 4, 9, 16, 25, 36, 49, 64]);
    } finally {
      await client.close();
    }

    const victim = c.jobs[0]!.jobId!;
    execFileSync("qdel", [victim], { stdio: "ignore" });
    await waitFor("the deleted job to be noticed", () => c.endedJobs.some((j) => j.jobId === victim), 15_000);
    await waitFor("a replacement job with 2 workers", () => c.jobs.length === 2 && c.jobs.every((j) => j.workers.length === 2), 60_000);
    c.jobs.forEach((j) => seen.add(j.jobId!));
    assert.equal(seen.size, 3);

    await c.scale(2);
    await waitFor("1 job left", () => c.jobs.length === 1 && liveSgeJobs([...seen]).length === 1, 30_000);
  } finally {
    await c.close();
  }
  assert.deepEqual(liveSgeJobs([...seen]), []);
});

test("SGECluster: a job that cannot start is PENDING with Grid Engine's reason", async () => {
  requireSge();
  // 64 slots in a parallel environment of 8: never schedulable; qstat -j says why.
  const c = await SGECluster.create({ ...SMALL_SGE, jobExtraDirectives: ["-pe smp 64"], log });
  const seen: string[] = [];
  try {
    await c.scale({ jobs: 1 });
    seen.push(c.jobs[0]!.jobId!);
    await waitFor("a pending reason", () => c.jobs[0]?.reason !== undefined, 20_000);
    assert.equal(c.jobs[0]!.state, "PENDING");
    assert.match(c.jobs[0]!.reason!, /smp/);
    assert.match(String(c), /PENDING/);
  } finally {
    await c.close();
  }
  assert.deepEqual(liveSgeJobs(seen), []);
});
