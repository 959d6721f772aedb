// The base is batch-system-agnostic: another system is one data object (here a PBS-like one), and the
// REPL view renders any cluster's jobs.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { BatchSystem } from "../../src/cluster/jobqueue/batch-system.js";
import { parseJobId } from "../../src/cluster/jobqueue/batch-system.js";
import { JobQueueCluster } from "../../src/cluster/jobqueue/cluster.js";
import { renderClusterView } from "../../src/cluster/jobqueue/repl-view.js";

const pbsLike: BatchSystem = {
  name: "pbs",
  directivePrefix: "#PBS",
  headerLines: (o) => [
    `#PBS -N ${o.jobName}`,
    ...(o.queue ? [`#PBS -q ${o.queue}`] : []),
    `#PBS -l select=1:ncpus=${o.cores}:mem=${Math.ceil(o.memoryBytes / 2 ** 30)}GB`,
    ...(o.walltime ? [`#PBS -l walltime=${o.walltime}`] : []),
  ],
  submitCommand: (p) => ["qsub", p],
  jobIdPattern: /^(?<jobId>\d+)(\.\S+)?/,
  cancelCommand: (ids) => ["qdel", ...ids],
  statusCommand: () => ["qstat", "-x"],
  parseStatus: () => [],
  logFiles: () => [],
};

class PBSCluster extends JobQueueCluster {
  constructor(opts: ConstructorParameters<typeof JobQueueCluster>[2]) {
    super(pbsLike, "PBSCluster", opts);
  }
}

test("a second batch system is a data object plus a three-line subclass", () => {
  const c = new PBSCluster({ cores: 8, memory: "16GiB", queue: "regular", walltime: "01:00:00", siteConfig: false, jobExtraDirectives: ["-V"] });
  const s = c.jobScript();
  assert.match(s, /^#!\/usr\/bin\/env bash\n\n#PBS -N tessera-worker\n#PBS -q regular\n#PBS -l select=1:ncpus=8:mem=16GB\n#PBS -l walltime=01:00:00\n#PBS -V\n/);
  assert.match(s, /worker 'tcp:\/\/<scheduler-address>:<port>' --name PBSCluster-0 --nthreads 2 --memory-limit 4.00GiB --nworkers 4 --nanny --death-timeout 60/);
  assert.equal(parseJobId(pbsLike, "1234.pbs-server\n"), "1234");
  assert.match(String(c), /^PBSCluster\('PBSCluster', \(not started\)\)/);
});

test("REPL view: totals, dashboard link, jobs table with pending reasons", () => {
  const view = renderClusterView(
    {
      className: "SLURMCluster", name: "SLURMCluster", schedulerAddress: "tcp://10.0.0.1:8786", dashboardLink: "http://127.0.0.1:8787/status",
      workers: 2, cores: 2, memoryBytes: 4e9, desiredJobs: 2, adaptive: undefined, problem: undefined,
    },
    [
      { name: "SLURMCluster-0", jobId: "11", state: "RUNNING", reason: undefined, submittedAt: new Date(0), startTime: new Date(0), walltimeLeftS: 595, workers: ["SLURMCluster-0-0", "SLURMCluster-0-1"], workersUpAfterRunningS: 0.7 },
      { name: "SLURMCluster-1", jobId: "12", state: "PENDING", reason: "Resources", submittedAt: new Date(0), startTime: undefined, walltimeLeftS: 600, workers: [], workersUpAfterRunningS: undefined },
    ],
  );
  const lines = view.split("\n");
  assert.equal(lines[0], "SLURMCluster('SLURMCluster', tcp://10.0.0.1:8786)");
  assert.match(lines[1]!, /Workers: 2\s+Cores: 2\s+Memory: 4.00 GB\s+Jobs: 2 \(wanted 2\)/);
  assert.equal(lines[2], "  Dashboard: http://127.0.0.1:8787/status");
  assert.match(lines[3]!, /^\s+JOBID\s+NAME\s+STATE\s+REASON\s+START\s+LEFT\s+WORKERS$/);
  assert.match(lines[4]!, /^\s+11\s+SLURMCluster-0\s+RUNNING\s+\S+\s+9:55\s+2$/);
  assert.match(lines[5]!, /^\s+12\s+SLURMCluster-1\s+PENDING\s+Resources\s+10:00\s+0$/);
});
