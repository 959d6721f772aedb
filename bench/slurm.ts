/**
 * SLURMCluster on the real SLURM (start one with `sudo bash scripts/slurm-dev-cluster.sh up`), then
 * the same on the real Grid Engine (`sudo bash scripts/sge-dev-cluster.sh up`) when `qstat` answers.
 *   npm run bench:slurm      [BENCH_SLURM_REPEATS=3] [BENCH_SLURM_BIG_SECONDS=30] [--no-sge]
 * Figures (the tutorial's cluster: cores 2, processes 2, memory 4GB, queue short):
 *   scaleToWorkersS          time from scale({jobs: 3}) to 6 connected workers (median of repeats)
 *   workersUpAfterRunningS   time from a job starting to run (its script's first line) to all its
 *                            workers connected (median over jobs; goal ≤ 1 s)
 *   adaptIdleCoreSecondsRatio for adapt({minimumJobs: 1, maximumJobs: 4}) around a large π, from the
 *                            start of the computation until it is back to 1 job: (core-seconds
 *                            held − core-seconds busy) / core-seconds busy (goal ≤ 0.25)
 * The last line is JSON: the SLURM figures, and the same three under "sge".
 */
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { SLURMCluster } from "../src/cluster/slurm/index.js";
import { SGECluster } from "../src/cluster/sge/index.js";
import type { JobQueueCluster } from "../src/cluster/jobqueue/cluster.js";
import { Client } from "../src/client/client.js";
import { random } from "../src/array/index.js";

process.env["TESSERA_LOG_LEVEL"] ??= "warn";
const repeats = Number(process.env["BENCH_SLURM_REPEATS"] ?? 3);
/** The large π's size in seconds of work for one job (2 cores); sized by measuring the kernel's speed. */
const bigSeconds = Number(process.env["BENCH_SLURM_BIG_SECONDS"] ?? 30);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

interface Figures {
  scaleToWorkersS: number;
  workersUpAfterRunningS: number;
  adaptIdleCoreSecondsRatio: number;
}

async function measure(system: "slurm" | "sge"): Promise<Figures> {
  const logDirectory = mkdtempSync(join(tmpdir(), `tessera-bench-${system}-`));
  const common = {
    cores: 2,
    processes: 2,
    memory: "4GB",
    walltime: "00:20:00",
    logDirectory,
    deathTimeout: 10,
    // The job's start, written by the job itself, to measure how fast its workers come up.
    jobScriptPrologue: ['echo "TESSERA_JOB_STARTED_AT $(date +%s.%N)"'],
  };
  const cluster: JobQueueCluster =
    system === "slurm"
      ? await SLURMCluster.create({ ...common, queue: "short" })
      : await SGECluster.create({ ...common, queue: "all.q", jobExtraDirectives: ["-pe smp 2"] });
  console.log(`— ${system.toUpperCase()}`);
  const client = await Client.connect(cluster);
  const scaleTimes: number[] = [];
  const upTimes: number[] = [];
  try {
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      const connectedAt = new Map<string, number>();
      await cluster.scale({ jobs: 3 });
      await until("6 workers", () => {
        for (const j of cluster.jobs) if (j.jobId && j.workers.length === 2 && !connectedAt.has(j.jobId)) connectedAt.set(j.jobId, Date.now());
        return cluster.workers.length >= 6 && connectedAt.size >= 3;
      }, 120_000);
      scaleTimes.push((performance.now() - t0) / 1000);
      for (const [id, at] of connectedAt) {
        const out = cluster.batchSystem.logFiles(cluster.options, id, process.cwd()).find((f) => existsSync(f) && readFileSync(f, "utf8").includes("TESSERA_JOB_STARTED_AT"));
        const m = out ? /TESSERA_JOB_STARTED_AT (\d+\.\d+)/.exec(readFileSync(out, "utf8")) : null;
        if (m) upTimes.push(at / 1000 - Number(m[1]));
      }
      await cluster.scale(0);
      await until("no jobs", () => cluster.jobs.length === 0 && cluster.workers.length === 0, 60_000);
    }
    console.log(`scale({jobs: 3}) → 6 workers: ${scaleTimes.map((t) => t.toFixed(2)).join(", ")} s`);
    console.log(`job running → its workers connected: ${upTimes.map((t) => t.toFixed(2)).join(", ")} s`);

    // The tutorial's adaptive loop.
    cluster.adapt({ minimumJobs: 1, maximumJobs: 4 });
    const piOf = async (samples: number, chunkSize: number) =>
      Number(await random.uniform(0, 1, { shape: [samples, 2], chunks: [chunkSize, 2], seed: 7 }).pow(2).sum({ axis: -1 }).lt(1).mean().mul(4).compute({ executor: client }));
    await piOf(10_000_000, 10_000_000); // warm-up: the first call compiles the fused kernel
    const tRate = performance.now();
    await piOf(100_000_000, 100_000_000);
    const rate = 100_000_000 / ((performance.now() - tRate) / 1000);
    const bigSamples = Math.round((rate * 2 * bigSeconds) / 1e7) * 1e7;
    // Tasks of about 0.25 s: large enough that per-task overhead is small (dask's advice: ≥ 100 ms).
    const chunk = Math.max(1e6, Math.round((rate * 0.25) / 1e6) * 1e6);
    await until("1 job with workers", () => cluster.jobs.length === 1 && cluster.workers.length === 2, 60_000);
    const before = cluster.jobsSnapshot();
    const t0 = performance.now();
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, cluster.jobs.filter((j) => j.workers.length > 0).length)), 50);
    const pi = await piOf(bigSamples, chunk);
    const computeS = (performance.now() - t0) / 1000;
    const atEnd = cluster.jobsSnapshot();
    await until("back to 1 job", () => cluster.jobs.length === 1, 120_000);
    const shrinkS = (performance.now() - t0) / 1000 - computeS;
    clearInterval(watch);
    const after = cluster.jobsSnapshot();
    // The one job adapt keeps at its minimum is held before and after; count it only while it works.
    const held = after.coreSecondsHeld - before.coreSecondsHeld;
    const busy = (after.coreSecondsBusy ?? 0) - (before.coreSecondsBusy ?? 0);
    const ratio = (held - busy) / busy;
    console.log(
      `adapt: core-seconds held during the computation ${(atEnd.coreSecondsHeld - before.coreSecondsHeld).toFixed(1)}, ` +
        `after it until back to 1 job ${(after.coreSecondsHeld - atEnd.coreSecondsHeld).toFixed(1)} (${shrinkS.toFixed(1)} s)`,
    );
    console.log(
      `adapt: π of ${bigSamples.toExponential(2)} samples in chunks of ${chunk.toExponential(1)} ≈ ${pi.toFixed(5)} in ${computeS.toFixed(1)} s, up to ${peak} jobs; core-seconds held ${held.toFixed(1)}, busy ${busy.toFixed(1)}, idle/busy ${ratio.toFixed(3)}`,
    );
    return {
      scaleToWorkersS: Number(median(scaleTimes).toFixed(3)),
      workersUpAfterRunningS: Number(median(upTimes).toFixed(3)),
      adaptIdleCoreSecondsRatio: Number(ratio.toFixed(3)),
    };
  } finally {
    await client.close();
    await cluster.close();
  }
}

const slurm = await measure("slurm");
const sgeUp = !process.argv.includes("--no-sge") && spawnSync("qstat", ["-f"], { encoding: "utf8", timeout: 15_000 }).status === 0;
const sge = sgeUp ? await measure("sge") : undefined;
console.log(JSON.stringify({ ...slurm, ...(sge ? { sge } : {}) }));
