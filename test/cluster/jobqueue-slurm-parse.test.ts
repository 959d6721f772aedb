// Parsing squeue/sinfo output and pre-flight checks (pure; the real SLURM is exercised in test/slurm).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSlurmTime, parseSqueue } from "../../src/cluster/slurm/slurm-system.js";
import { checkAgainstPartitions, parseSinfo, slurmMemToMiB } from "../../src/cluster/slurm/sinfo.js";
import { resolveJobOptions, type JobQueueOptions } from "../../src/cluster/jobqueue/options.js";
import { jobNameOfWorker } from "../../src/cluster/jobqueue/job-record.js";

test("parseSlurmTime", () => {
  assert.equal(parseSlurmTime("1:59:58"), 7198);
  assert.equal(parseSlurmTime("59:58"), 3598);
  assert.equal(parseSlurmTime("30"), 1800);
  assert.equal(parseSlurmTime("1-02:00:00"), 93600);
  assert.equal(parseSlurmTime("2-3"), 183600);
  assert.equal(parseSlurmTime("UNLIMITED"), undefined);
  assert.equal(parseSlurmTime("INVALID"), undefined);
});

test("parseSqueue", () => {
  const rows = parseSqueue("5|PENDING|Resources|N/A|10:00\n3|RUNNING|None|2026-11-26T06:37:28|9:58\n7|CANCELLED|None|2026-11-26T06:37:28|9:00|2026-11-26T06:38:30\ngarbage\n");
  assert.equal(rows.length, 3);
  assert.deepEqual(rows[0], { jobId: "5", state: "PENDING", reason: "Resources", startTimeMs: undefined, timeLeftS: 600 });
  assert.equal(rows[1]!.state, "RUNNING");
  assert.equal(rows[1]!.reason, undefined);
  assert.equal(rows[1]!.startTimeMs, Date.parse("2026-11-26T06:37:28"));
  assert.equal(rows[2]!.state, "CANCELLED");
  assert.equal(rows[2]!.endTimeMs, Date.parse("2026-11-26T06:38:30"));
  assert.equal(rows[1]!.endTimeMs, undefined, "no end column → none");
});

const SINFO = "short*|8|22057|2:00:00|up\ndebug|8|22057|30:00|up\nbig|64|500000|infinite|up\nbig|32|250000|infinite|up\n";
const check = (o: JobQueueOptions) =>
  checkAgainstPartitions(resolveJobOptions(o, {}, { defaultName: "SLURMCluster", defaultCommand: "node" }), parseSinfo(SINFO));

test("parseSinfo: partitions, default, largest node", () => {
  const p = parseSinfo(SINFO);
  assert.deepEqual([...p.keys()], ["short", "debug", "big"]);
  assert.equal(p.get("short")!.isDefault, true);
  assert.equal(p.get("debug")!.timeLimitS, 1800);
  assert.equal(p.get("big")!.maxNodeCpus, 64);
  assert.equal(p.get("big")!.timeLimitS, undefined);
  assert.equal(slurmMemToMiB("112G"), 114688);
  assert.equal(slurmMemToMiB("500M"), 500);
});

test("pre-flight: each mismatch named with what to do", () => {
  assert.deepEqual(check({ cores: 2, memory: "4GB", queue: "short", walltime: "00:10:00" }), []);
  assert.match(check({ cores: 2, memory: "4GB", queue: "nosuch" })[0]!, /queue 'nosuch' is not a partition.*short, debug, big/);
  assert.match(check({ cores: 16, memory: "4GB" })[0]!, /16 CPUs but the largest node of partition 'short' has 8/);
  assert.match(check({ cores: 2, memory: "100GB" })[0]!, /--mem=94G.*at most 22057 MiB/);
  assert.match(check({ cores: 2, memory: "4GB", queue: "debug", walltime: "01:00:00" })[0]!, /'01:00:00' is above the time limit of partition 'debug' \(30:00\)/);
  assert.deepEqual(check({ cores: 64, memory: "400GB", queue: "big", walltime: "10-00:00:00" }), []);
  assert.deepEqual(check({ cores: 2, memory: "100GB", jobDirectivesSkip: ["--mem"] }), [], "skipped --mem is not checked");
});

test("workers map to their job by name", () => {
  const jobs = ["C-1", "C-10", "C-2"];
  assert.equal(jobNameOfWorker("C-1-0", jobs), "C-1");
  assert.equal(jobNameOfWorker("C-10", jobs), "C-10");
  assert.equal(jobNameOfWorker("C-10-1", jobs), "C-10");
  assert.equal(jobNameOfWorker("C-2", jobs), "C-2");
  assert.equal(jobNameOfWorker("C-3-0", jobs), undefined);
  assert.equal(jobNameOfWorker("other", jobs), undefined);
});
