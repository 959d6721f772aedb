/**
 * The SCINet "Parallel Computing on Ceres with Python and Dask" tutorial, on a real SLURM, in Tessera.
 * Every worker is a SLURM batch job.
 *
 *   sudo bash scripts/slurm-dev-cluster.sh up      # a local one-node SLURM, if you have none
 *   npm run build && node dist/examples/slurm-tutorial.js
 *
 * Steps: make a SLURMCluster and look at its job script; connect a Client (0 workers); scale to 3 jobs
 * (squeue: 3 RUNNING, the Client: 6 workers); compute π by Monte Carlo; scale to twice the size
 * (jobs beyond the node's CPUs wait PENDING with their reason); go adaptive with 1–4 jobs: it shrinks
 * to 1 job while idle, grows under a large π, and shrinks back to 1 job. The last line is JSON.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SLURMCluster } from "../src/cluster/slurm/index.js";
import { Client } from "../src/client/client.js";
import { random } from "../src/array/index.js";

const quiet = process.env["TESSERA_LOG_LEVEL"] === undefined;
if (quiet) process.env["TESSERA_LOG_LEVEL"] = "warn";

const t0 = Date.now();
const say = (s: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${s}`);
const squeue = (ids: readonly (string | undefined)[]) =>
  execFileSync("squeue", ["-h", "-o", "%i %T %r", "-j", ids.filter(Boolean).join(",")], { encoding: "utf8" }).trim();

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** π by Monte Carlo: the share of random points in the unit square that fall inside the quarter circle, × 4. */
async function monteCarloPi(samples: number, chunk: number): Promise<number> {
  const xy = random.uniform(0, 1, { shape: [samples, 2], chunks: [chunk, 2], seed: 42 });
  return Number(await xy.pow(2).sum({ axis: -1 }).lt(1).mean().mul(4).compute());
}

const logDirectory = process.env["TUTORIAL_LOG_DIR"] ?? mkdtempSync(join(tmpdir(), "tessera-tutorial-logs-"));
/** Seconds the large π would take on one job (2 cores): long enough for adapt to grow. */
const bigSeconds = Number(process.env["TUTORIAL_BIG_SECONDS"] ?? 40);

const cluster = await SLURMCluster.create({
  cores: 2,
  processes: 2,
  memory: "4GB",
  queue: "short",
  walltime: "00:10:00",
  logDirectory,
  deathTimeout: Number(process.env["TUTORIAL_DEATH_TIMEOUT"] ?? 60),
});
const result: Record<string, unknown> = {};
let client: Client | undefined;
try {
  const script = cluster.jobScript();
  console.log(script);
  result["jobScriptHasMem"] = script.includes("#SBATCH --mem=4G");

  client = await Client.connect(cluster);
  say(`Client: ${client.clusterSummary.workers} workers`);
  result["workersAtStart"] = client.clusterSummary.workers;

  say("scale({jobs: 3})");
  await cluster.scale({ jobs: 3 });
  await client.waitForWorkers(6, { timeoutMs: 60_000 });
  const ids = cluster.jobs.map((j) => j.jobId);
  await until("3 RUNNING jobs", () => squeue(ids).split("\n").filter((l) => l.includes("RUNNING")).length === 3, 10_000);
  console.log(squeue(ids));
  result["runningJobs"] = squeue(ids).split("\n").filter((l) => l.includes("RUNNING")).length;
  result["workersAfterScale"] = (await client.schedulerInfo()).workers.length;
  say(`Client: ${result["workersAfterScale"]} workers`);

  const pi = await monteCarloPi(20_000_000, 1_000_000);
  say(`π ≈ ${pi}`);
  // One chunk on one core: how many samples a core draws per second (sizes the large π below).
  const tPi = performance.now();
  await monteCarloPi(100_000_000, 100_000_000);
  const samplesPerCoreS = 100_000_000 / ((performance.now() - tPi) / 1000);
  result["pi"] = pi;

  say("scale({jobs: 6}): twice the size, more than the node's 8 CPUs");
  await cluster.scale({ jobs: 6 });
  await until("a PENDING job with its reason", () => cluster.jobs.some((j) => j.state === "PENDING" && j.reason !== undefined), 30_000);
  await until("4 RUNNING jobs", () => cluster.jobs.filter((j) => j.state === "RUNNING").length >= 4, 90_000);
  console.log(String(cluster));
  result["pendingReasons"] = [...new Set(cluster.jobs.filter((j) => j.state === "PENDING").map((j) => j.reason))];

  say("adapt({minimumJobs: 1, maximumJobs: 4})");
  cluster.adapt({ minimumJobs: 1, maximumJobs: 4 });
  await until("1 job while idle", () => cluster.jobs.length === 1, 60_000);
  say(`idle: ${cluster.jobs.length} job`);
  result["jobsWhenIdle"] = cluster.jobs.length;

  let maxJobs = 0;
  const watch = setInterval(() => (maxJobs = Math.max(maxJobs, cluster.jobs.filter((j) => j.workers.length > 0).length)), 100);
  const bigSamples = Math.round((samplesPerCoreS * 2 * bigSeconds) / 1e7) * 1e7;
  const bigPi = await monteCarloPi(bigSamples, Math.max(1_000_000, Math.round((samplesPerCoreS * 0.25) / 1e6) * 1e6));
  clearInterval(watch);
  say(`large π (${bigSamples.toExponential(2)} samples) ≈ ${bigPi} with up to ${maxJobs} jobs`);
  result["bigPi"] = bigPi;
  result["adaptMaxJobs"] = maxJobs;
  console.log(String(cluster));

  await until("back to 1 job", () => cluster.jobs.length === 1, 60_000);
  say(`idle again: ${cluster.jobs.length} job`);
  result["jobsAfterAdapt"] = cluster.jobs.length;
  const snap = cluster.jobsSnapshot();
  result["coreSecondsHeld"] = snap.coreSecondsHeld;
  result["coreSecondsBusy"] = snap.coreSecondsBusy;
} finally {
  await client?.close();
  await cluster.close();
}
say("closed: no job left");
console.log(JSON.stringify(result));
