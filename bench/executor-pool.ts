// Micro-benchmark of the task thread pool: trivial-task throughput and single-task round trip.
// Usage: node dist/bench/executor-pool.js [nthreads]
import { TaskThreadPool } from "../src/worker/executor/index.js";
import { describeFunction } from "../src/client/functions.js";


const nthreads = Number(process.argv[2] ?? "1");
const opModules = [new URL("./executor-pool-ops.js", import.meta.url).href];
const pool = await TaskThreadPool.start({ nthreads, opModules });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function throughput(n: number, op: string, argsOf: (i: number) => unknown[]): Promise<number> {
  const t0 = performance.now();
  const ps = new Array<Promise<unknown>>(n);
  for (let i = 0; i < n; i++) ps[i] = pool.run({ key: `k-${i}`, op, args: argsOf(i) });
  await Promise.all(ps);
  return n / ((performance.now() - t0) / 1000);
}

// Warm up.
await throughput(20_000, "bench.inc", (i) => [i]);
const rates: number[] = [];
for (let r = 0; r < 5; r++) rates.push(await throughput(100_000, "bench.inc", (i) => [i]));
const inc = describeFunction((x: number) => x + 1);
const callRates: number[] = [];
for (let r = 0; r < 5; r++) callRates.push(await throughput(100_000, "call", (i) => [inc, i]));
const rtts: number[] = [];
for (let i = 0; i < 2000; i++) {
  const t0 = performance.now();
  await pool.run({ key: `rt-${i}`, op: "bench.inc", args: [i] });
  rtts.push(performance.now() - t0);
}
await pool.close();
const result = {
  nthreads,
  opTasksPerSec: Math.round(median(rates)),
  callTasksPerSec: Math.round(median(callRates)),
  roundTripUs: Math.round(median(rtts) * 1000),
};
console.log(`pool with ${nthreads} thread(s): ${result.opTasksPerSec} registered-op tasks/s, ${result.callTasksPerSec} shipped-function tasks/s (median of 5 × 100 000); single-task round trip median ${result.roundTripUs} µs`);
console.log(JSON.stringify(result));
