/**
 * `npm run bench:worker-memory`: time and peak worker memory of `(x + x.T).mean({axis: 0}).sum()`
 * on a LocalCluster of 2 workers × 1 thread (the issue's x_plus_xT), x = random float64 N × N in
 * C × C chunks (default 20000² in 2000² chunks: 3.2 GB, 100 chunks of 32 MB).
 *
 * Peak RSS per worker is the kernel's high-water mark (VmHWM in /proc) after the run, baseline its
 * RSS just before; the target: peak − baseline ≤ 2 × the chunk bytes a thread has in flight. A
 * thread of x + x.T has in flight: its two inputs and its output (3 chunks); the bound is then
 * 6 chunks per thread. Also reports transfers (bytes fetched between workers, from the scheduler's
 * transfer spans).
 * Prints figures, then one JSON line.
 *
 * BENCH_MEM_WORKLOAD=swap instead rechunks full columns (N × C) to full rows (C × N) and sums,
 * with BENCH_MEM_LIMIT per worker (default 300MB) below the input's size: every output block
 * reads a piece of every input block, so all of the input is live at once and the workers must
 * spill; reports the peak RSS, the most bytes spilled at once, the time and checks the sum.
 *
 * Env: BENCH_MEM_N (20000), BENCH_MEM_CHUNK (2000), BENCH_MEM_REPEATS (1), BENCH_MEM_WORKLOAD
 * (xT | swap), BENCH_MEM_LIMIT (8GB for xT, 300MB for swap), BENCH_MEM_LOG (warn: show the workers' memory warnings).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { random } from "../src/array/index.js";
import { Client } from "../src/client/client.js";
import { LocalCluster } from "../src/cluster/local.js";
import { TesseraError } from "../src/util/errors.js";

function procStatus(pid: number, field: "VmHWM" | "VmRSS"): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Reset the high-water mark (writing 5 to clear_refs; root or the process owner may). */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** A wrong result: the benchmark's figures would mean nothing. */
class BenchCheckError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_BENCH_CHECK", message);
  }
}

/** Full columns → full rows at an input larger than one worker's memory limit. */
async function swapBeyondMemory(n: number, c: number): Promise<void> {
  const limit = process.env["BENCH_MEM_LIMIT"] ?? "300MB";
  const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, logLevel: process.env["BENCH_MEM_LOG"] === "warn" ? "warn" : "error", memoryLimit: limit });
  const client = await Client.connect(cluster);
  try {
    const pids = [...cluster.workerPids().values()];
    const w = random.random({ shape: [4 * c, 4 * c], chunks: [4 * c, c], seed: 1 });
    await w.rechunk([c, 4 * c]).sum().compute({ executor: client });
    pids.forEach(resetPeak);
    const baselines = pids.map((p) => procStatus(p, "VmRSS"));
    let spilledPeak = 0;
    const watch = setInterval(() => {
      let s = 0;
      for (const v of cluster.scheduler.workers()) s += v.spilledBytes;
      spilledPeak = Math.max(spilledPeak, s);
    }, 100);
    const x = random.random({ shape: [n, n], chunks: [n, c], seed: 42 });
    const t0 = performance.now();
    const total = Number(await x.rechunk([c, n]).sum().compute({ executor: client }));
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(watch);
    const peaks = pids.map((p) => procStatus(p, "VmHWM"));
    const mean = total / (n * n);
    if (!(Math.abs(mean - 0.5) < 1e-3)) throw new BenchCheckError(`wrong result: mean ${mean}, expected about 0.5`);
    const MB = 1024 ** 2;
    console.log(`full columns → full rows: ${n}² float64 (${((n * n * 8) / 1e9).toFixed(2)} GB) in ${n / c} blocks each way, 2 workers × 1 thread, memory limit ${limit} each`);
    console.log(`time ${seconds.toFixed(2)} s; mean ${mean.toFixed(5)}; most spilled at once ${(spilledPeak / MB).toFixed(0)} MiB`);
    pids.forEach((pid, i) => console.log(`worker pid ${pid}: baseline ${(baselines[i]! / MB).toFixed(0)} MiB, peak ${(peaks[i]! / MB).toFixed(0)} MiB`));
    console.log(JSON.stringify({ workload: "swap", n, chunk: c, limit, seconds: +seconds.toFixed(3), spilledPeakMB: Math.round(spilledPeak / MB), peakMB: peaks.map((p) => Math.round(p / MB)) }));
  } finally {
    await client.close();
    await cluster.close();
  }
}

async function main(): Promise<void> {
  const n = Number(process.env["BENCH_MEM_N"] ?? 20000);
  const c = Number(process.env["BENCH_MEM_CHUNK"] ?? 2000);
  const repeats = Number(process.env["BENCH_MEM_REPEATS"] ?? 1);
  const workload = process.env["BENCH_MEM_WORKLOAD"] ?? "xT";
  if (workload === "swap") return swapBeyondMemory(n, c);
  if (workload !== "xT") throw new BenchCheckError(`BENCH_MEM_WORKLOAD must be xT or swap, got '${workload}'`);
  const chunkBytes = c * c * 8;
  const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, logLevel: "error", memoryLimit: process.env["BENCH_MEM_LIMIT"] ?? "8GB" });
  const client = await Client.connect(cluster);
  let transferBytes = 0;
  let transfers = 0;
  cluster.scheduler.addPlugin({
    name: "bench-memory",
    span: (s) => {
      if (s.action === "transfer") {
        transferBytes += s.bytes;
        transfers += s.keys;
      }
    },
  });
  try {
    // Warm-up: task threads compile their kernels.
    const w = random.random({ shape: [2 * c, 2 * c], chunks: [c, c], seed: 1 });
    await w.add(w.T).mean({ axis: 0 }).sum().compute({ executor: client });
    const pids = [...cluster.workerPids().values()];
    const times: number[] = [];
    let peaks: number[] = [];
    let baselines: number[] = [];
    let value = NaN;
    for (let r = 0; r < repeats; r++) {
      const reset = pids.map(resetPeak).every(Boolean);
      baselines = pids.map((p) => procStatus(p, "VmRSS"));
      const x = random.random({ shape: [n, n], chunks: [c, c], seed: 42 + r });
      const t0 = performance.now();
      value = Number(await x.add(x.T).mean({ axis: 0 }).sum().compute({ executor: client }));
      times.push((performance.now() - t0) / 1000);
      peaks = pids.map((p) => procStatus(p, "VmHWM"));
      if (!reset) console.log("(could not reset the peak RSS counters: peaks include the warm-up)");
    }
    // x + x.T has mean 1 per element: the sum of the column means is n (to statistical noise).
    if (!(Math.abs(value - n) < n * 0.01)) throw new BenchCheckError(`wrong result ${value}, expected about ${n}`);
    await new Promise((r) => setTimeout(r, 1500)); // the last heartbeat's transfer spans
    const perThreadInFlight = 3 * chunkBytes;
    const MB = 1024 ** 2;
    const rows = pids.map((pid, i) => ({ pid, baselineMB: baselines[i]! / MB, peakMB: peaks[i]! / MB, aboveBaselineMB: (peaks[i]! - baselines[i]!) / MB }));
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
    console.log(`(x + x.T).mean(axis 0).sum(), ${n}² float64 in ${c}² chunks (${((n * n * 8) / 1e9).toFixed(1)} GB, ${(chunkBytes / MB).toFixed(1)} MiB chunks), 2 workers × 1 thread`);
    console.log(`time: median ${median.toFixed(2)} s of ${times.map((t) => t.toFixed(2)).join(", ")}; result ${value.toFixed(3)}`);
    for (const r of rows) {
      console.log(`worker pid ${r.pid}: baseline ${r.baselineMB.toFixed(0)} MiB, peak ${r.peakMB.toFixed(0)} MiB, above baseline ${r.aboveBaselineMB.toFixed(0)} MiB (${(r.aboveBaselineMB / (chunkBytes / MB)).toFixed(1)} chunks)`);
    }
    const bound = (2 * perThreadInFlight) / MB;
    const worst = Math.max(...rows.map((r) => r.aboveBaselineMB));
    console.log(`target: above baseline ≤ 2 × ${(perThreadInFlight / MB).toFixed(0)} MiB in flight per thread = ${bound.toFixed(0)} MiB: ${worst <= bound ? "met" : "NOT met"} (worst ${worst.toFixed(0)} MiB)`);
    console.log(`transfers between workers: ${transfers} values, ${(transferBytes / MB).toFixed(0)} MiB (all runs)`);
    console.log(
      JSON.stringify({
        n,
        chunk: c,
        seconds: +median.toFixed(3),
        workers: rows.map((r) => ({ baselineMB: Math.round(r.baselineMB), peakMB: Math.round(r.peakMB), aboveBaselineMB: Math.round(r.aboveBaselineMB) })),
        boundMB: Math.round(bound),
        withinBound: worst <= bound,
        transferMB: Math.round(transferBytes / MB),
      }),
    );
  } finally {
    await client.close();
    await cluster.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
