// Site configuration: YAML files, TESSERA_JOBQUEUE_CONFIG, environment overrides; explicit options win.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { camelKey, loadJobQueueConfig } from "../../src/cluster/config/jobqueue-config.js";
import { resolveJobOptions } from "../../src/cluster/jobqueue/options.js";
import { JobQueueConfigError } from "../../src/cluster/jobqueue/errors.js";
import { SLURMCluster } from "../../src/cluster/slurm/cluster.js";

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "tessera-jq-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("camelKey", () => {
  assert.equal(camelKey("job-extra-directives"), "jobExtraDirectives");
  assert.equal(camelKey("JOB_EXTRA_DIRECTIVES"), "jobExtraDirectives");
  assert.equal(camelKey("cores"), "cores");
  assert.equal(camelKey("CORES"), "cores");
  assert.equal(camelKey("jobCpu"), "jobCpu");
});

test("user file < TESSERA_JOBQUEUE_CONFIG < environment < explicit", () => {
  withDir((dir) => {
    mkdirSync(join(dir, "cfg"));
    writeFileSync(
      join(dir, "cfg", "jobqueue.yaml"),
      "jobqueue:\n  slurm:\n    cores: 2\n    memory: 4GB\n    queue: short\n    job-extra-directives: ['--exclusive']\n    python: apptainer exec img.sif node\n  pbs:\n    cores: 99\n",
    );
    writeFileSync(join(dir, "site.yaml"), "jobqueue:\n  slurm:\n    queue: debug\n    scheduler-options: {host: 10.0.0.1}\n");
    const env = {
      HOME: dir,
      TESSERA_CONFIG_DIR: join(dir, "cfg"),
      TESSERA_JOBQUEUE_CONFIG: join(dir, "site.yaml"),
      TESSERA_JOBQUEUE__SLURM__MEMORY: "8GB",
      TESSERA_JOBQUEUE__SLURM__SCHEDULER_OPTIONS__PORT: "8786",
    };
    const file = loadJobQueueConfig("slurm", env);
    assert.deepEqual(file, {
      cores: 2,
      memory: "8GB",
      queue: "debug",
      jobExtraDirectives: ["--exclusive"],
      command: "apptainer exec img.sif node",
      schedulerOptions: { host: "10.0.0.1", port: 8786 },
    });
    const o = resolveJobOptions({ cores: 4 }, file, { defaultName: "SLURMCluster", defaultCommand: "node" });
    assert.equal(o.cores, 4);
    assert.equal(o.memoryBytes, 8e9);
    // A cluster built only from the file: scale({cores}) / scale({memory}) still work (dask's quirk fixed).
    const c = new SLURMCluster({ env, siteConfig: true });
    assert.equal(c.options.cores, 2);
    assert.equal(c.jobsFor({ cores: 5 }), 3);
    assert.equal(c.jobsFor({ memory: "20GB" }), 3);
    assert.equal(c.jobsFor(5), 3);
    assert.equal(c.jobsFor({ jobs: 2, cores: 2 }), 2);
  });
});

test("bad files and keys give clear errors", () => {
  withDir((dir) => {
    writeFileSync(join(dir, "bad.yaml"), "jobqueue:\n  slurm:\n    corse: 2\n");
    assert.throws(() => loadJobQueueConfig("slurm", { HOME: dir, TESSERA_CONFIG_DIR: dir, TESSERA_JOBQUEUE_CONFIG: join(dir, "bad.yaml") }), (e: unknown) =>
      e instanceof JobQueueConfigError && /bad\.yaml.*unknown option 'corse'/.test(e.message));
    writeFileSync(join(dir, "broken.yaml"), "jobqueue: [\n");
    assert.throws(() => loadJobQueueConfig("slurm", { HOME: dir, TESSERA_CONFIG_DIR: dir, TESSERA_JOBQUEUE_CONFIG: join(dir, "broken.yaml") }), /not valid YAML/);
    assert.throws(() => loadJobQueueConfig("slurm", { HOME: dir, TESSERA_CONFIG_DIR: dir, TESSERA_JOBQUEUE_CONFIG: join(dir, "none.yaml") }), /does not exist/);
    assert.throws(() => loadJobQueueConfig("slurm", { HOME: dir, TESSERA_CONFIG_DIR: dir, TESSERA_JOBQUEUE__SLURM__NOPE: "1" }), /unknown option 'nope'/);
  });
});

test("scale() requests are validated", () => {
  const c = new SLURMCluster({ cores: 4, processes: 2, memory: "8GB", siteConfig: false });
  assert.throws(() => c.jobsFor(-1), /not a number ≥ 0/);
  assert.throws(() => c.jobsFor({ memory: "lots" }), /'lots' is not a size/);
  assert.throws(() => c.jobsFor({ nodes: 2 } as never), /unknown key 'nodes'/);
  assert.equal(c.jobsFor(3), 2);
  assert.equal(c.jobsFor({ workers: 4 }), 2);
  assert.throws(() => c.schedulerAddress, /not started/);
  assert.match(c.jobScript(), /--nworkers 2/);
});
