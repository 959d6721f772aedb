// Option defaults and validation (pure).
import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultProcesses, resolveJobOptions } from "../../src/cluster/jobqueue/options.js";
import { JobQueueConfigError } from "../../src/cluster/jobqueue/errors.js";

const ctx = { defaultName: "SLURMCluster", defaultCommand: "/usr/bin/node" };

test("processes default like dask: ≤4 cores → one per core, else smallest factor ≥ √cores", () => {
  assert.deepEqual([1, 2, 4, 6, 8, 9, 12, 16, 24, 40, 7].map(defaultProcesses), [1, 2, 4, 3, 4, 3, 4, 4, 6, 8, 7]);
  const o = resolveJobOptions({ cores: 24, memory: "100GB" }, {}, ctx);
  assert.equal(o.processes, 6);
  assert.equal(o.nthreads, 4);
});

test("defaults", () => {
  const o = resolveJobOptions({ cores: 2, memory: "4GB" }, {}, ctx);
  assert.equal(o.walltime, "00:30:00");
  assert.equal(o.walltimeS, 1800);
  assert.equal(o.deathTimeoutS, 60);
  assert.equal(o.nanny, true);
  assert.equal(o.jobName, "tessera-worker");
  assert.equal(o.shebang, "#!/usr/bin/env bash");
  assert.equal(o.command, "/usr/bin/node");
  assert.equal(o.name, "SLURMCluster");
  assert.equal(o.maxJobs, Infinity);
  assert.equal(o.workerMemoryBytes, 2e9);
});

test("explicit options win over file defaults, key by key", () => {
  const o = resolveJobOptions({ cores: 4 }, { cores: 2, memory: "8GB", queue: "debug" }, ctx);
  assert.equal(o.cores, 4);
  assert.equal(o.memoryBytes, 8e9);
  assert.equal(o.queue, "debug");
});

test("clear errors naming the bad value", () => {
  const bad = (o: object, re: RegExp) =>
    assert.throws(() => resolveJobOptions(o, {}, ctx), (e: unknown) => e instanceof JobQueueConfigError && re.test(e.message));
  bad({ memory: "4GB" }, /cores/);
  bad({ cores: 2 }, /memory/);
  bad({ cores: 2, memory: "12XB" }, /'12XB' is not a size.*unknown unit/);
  bad({ cores: 0, memory: "1GB" }, /cores: 0/);
  bad({ cores: 2.5, memory: "1GB" }, /cores: 2.5/);
  bad({ cores: 2, memory: "1GB", processes: 3 }, /processes: 3 is more than cores/);
  bad({ cores: 2, memory: "1GB", walltime: "1h" }, /walltime: "1h".*HH:MM:SS/);
  bad({ cores: 2, memory: "1GB", deathTimeout: "soon" }, /deathTimeout/);
  bad({ cores: 2, memory: "1GB", corse: 3 }, /unknown option 'corse'/);
  bad({ cores: 2, memory: "1GB", job_name: "x" }, /did you mean 'jobName'/);
  bad({ cores: 2, memory: "1GB", jobExtraDirectives: "--exclusive" }, /jobExtraDirectives/);
  bad({ cores: 2, memory: "1GB", shebang: "bash" }, /shebang/);
  bad({ cores: 2, memory: "1GB", schedulerOptions: { dashboard: ":8787" } }, /schedulerOptions: unknown option 'dashboard'/);
  bad({ cores: 2, memory: "1GB", maxJobs: 0 }, /maxJobs: 0/);
});

test("walltime forms", () => {
  const w = (walltime: string) => resolveJobOptions({ cores: 1, memory: "1GB", walltime }, {}, ctx).walltimeS;
  assert.equal(w("00:10:00"), 600);
  assert.equal(w("10"), 600);
  assert.equal(w("10:30"), 630);
  assert.equal(w("1-00:00:00"), 86400);
});
