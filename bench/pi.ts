/**
 * `npm run bench:pi`: the Monte-Carlo π on a LocalCluster of 2 workers × 1 thread (the issue's
 * setting), plus `ones(1e7, chunks 1e4).sum()` (1000 chunks). Prints figures, then one JSON line:
 * {"gbPerSec", "gbPerSecPerCore", "seconds10GB", "seconds100GB", "workerPeakRssMB", "onesSum1000ChunksS"}.
 *
 * Env: BENCH_PI_SIZES_GB (default "10,100"), BENCH_PI_WORKERS (default 2), BENCH_PI_REPEATS (default 3).
 * Worker peak RSS is read from /proc (VmHWM of this process's descendants: the worker processes).
 */
import { readdirSync, readFileSync } from "node:fs";
import { ones } from "../src/array/index.js";
import { Client } from "../src/client/client.js";
import { LocalCluster } from "../src/cluster/local.js";
import { piArray } from "../src/cli/pi.js";

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};

/** Peak resident set (VmHWM) in MB of every descendant process of this one. */
function descendantsPeakRssMB(): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parent.set(Number(d), ppid);
    } catch { /* exited */ }
  }
  const mine = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  const out: number[] = [];
  for (const pid of parent.keys()) {
    if (!mine(pid)) continue;
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) out.push(Number(m[1]) / 1024);
    } catch { /* exited */ }
  }
  return out;
}

async function main(): Promise<void> {
  const sizes = (process.env["BENCH_PI_SIZES_GB"] ?? "10,100").split(",").map(Number);
  const nWorkers = Number(process.env["BENCH_PI_WORKERS"] ?? 2);
  const repeats = Number(process.env["BENCH_PI_REPEATS"] ?? 3);
  const cluster = await LocalCluster.start({ nWorkers, threadsPerWorker: 1, logLevel: "error" });
  const client = await Client.connect(cluster, { setAsDefault: false });
  try {
    await client.waitForWorkers(nWorkers);
    // Warm up: kernels compiled, connections open.
    await piArray(1e9, 200e6, 1).compute({ executor: client });
    await ones(1e6, { chunks: 1e4 }).sum().compute({ executor: client });

    const onesTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const v = await ones(1e7, { chunks: 1e4 }).sum().compute({ executor: client });
      onesTimes.push((performance.now() - t) / 1000);
      if (v !== 1e7) throw new Error(`ones(1e7).sum() gave ${String(v)}`);
    }
    const onesS = median(onesTimes);
    console.log(`ones(1e7, chunks 1e4).sum(): median ${onesS.toFixed(3)} s of ${onesTimes.map((x) => x.toFixed(3)).join(", ")}`);

    const seconds = new Map<number, number>();
    for (const gb of sizes) {
      const times: number[] = [];
      const reps = gb >= 100 ? 1 : repeats;
      for (let i = 0; i < reps; i++) {
        const t = performance.now();
        const pi = Number(await piArray(gb * 1e9, 200e6, 42 + i).compute({ executor: client }));
        const s = (performance.now() - t) / 1000;
        times.push(s);
        console.log(`π ${gb} GB: ${pi.toFixed(11)} (err ${Math.abs(pi - Math.PI).toExponential(3)}) in ${s.toFixed(3)} s = ${(gb / s).toFixed(2)} GB/s`);
      }
      seconds.set(gb, median(times));
    }
    const rss = descendantsPeakRssMB();
    console.log(`worker peak RSS (MB): ${rss.map((x) => x.toFixed(1)).join(", ")}`);
    const s10 = seconds.get(10) ?? null;
    const s100 = seconds.get(100) ?? null;
    const [refGb, refS] = s10 !== null ? [10, s10] : [sizes[0]!, seconds.get(sizes[0]!)!];
    const gbPerSec = refGb / refS;
    console.log(JSON.stringify({
      gbPerSec: Number(gbPerSec.toFixed(3)),
      gbPerSecPerCore: Number((gbPerSec / nWorkers).toFixed(3)),
      seconds10GB: s10 === null ? null : Number(s10.toFixed(3)),
      seconds100GB: s100 === null ? null : Number(s100.toFixed(3)),
      workerPeakRssMB: rss.length ? Number(Math.max(...rss).toFixed(1)) : null,
      onesSum1000ChunksS: Number(onesS.toFixed(4)),
    }));
  } finally {
    await client.close();
    await cluster.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
