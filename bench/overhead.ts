/**
 * Scheduling overhead, against the anchors measured for Python Dask 2022.12 on the same kind of
 * machine (../shared/reference/anchors.md):
 *   - LocalCluster(2 workers × 1 thread) ready, dashboard on       target ≤ 0.3 s   (Dask 0.7 s)
 *   - client.map + gather of 10 000 trivial tasks                   target ≥ 30 000/s (Dask 642/s)
 *   - submit → result round trip of a trivial task (median)        target ≤ 1 ms    (Dask 10.6 ms)
 *   - a 1 000 000-task map completes; scheduler heap per task
 * Prints figures as it goes and, last, one line of JSON.
 *
 *   npm run bench:overhead                 (BENCH_MILLION=0 skips the million-task map)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalCluster } from "../src/cluster/local.js";
import { Client } from "../src/client/client.js";
import { Security } from "../src/protocol/index.js";
import { createLogger } from "../src/util/log.js";

const log = createLogger("bench", { level: "silent" });
const inc = (x: number) => x + 1;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Start times with the dashboard (the default) and without, interleaved so that load hits both alike. */
async function localClusterStart(runs: number): Promise<{ withDashboard: number; without: number }> {
  const on: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < 2 * runs; i++) {
    const dashboard = i % 2 === 0;
    const t0 = performance.now();
    const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, memoryLimit: "2GB", dashboard });
    (dashboard ? on : off).push((performance.now() - t0) / 1000);
    if (dashboard && !cluster.dashboardLink) throw new Error("the dashboard did not start");
    await cluster.close();
  }
  console.log(`LocalCluster(2×1) ready, dashboard on (default): ${on.map((t) => t.toFixed(3)).join(", ")} s → median ${median(on).toFixed(3)} s`);
  console.log(`LocalCluster(2×1) ready, dashboard off:          ${off.map((t) => t.toFixed(3)).join(", ")} s → median ${median(off).toFixed(3)} s`);
  return { withDashboard: median(on), without: median(off) };
}

async function mapThroughput(client: Client, n: number, runs: number): Promise<number> {
  // Warm-up: threads compile the function, the scheduler learns the task duration.
  const warm = client.map(inc, Array.from({ length: 1000 }, (_, i) => -i - 1));
  await client.gather(warm);
  for (const f of warm) f.release();
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const data = Array.from({ length: n }, (_, i) => i + r * n);
    const t0 = performance.now();
    const futures = client.map(inc, data);
    const values = await client.gather(futures);
    const dt = (performance.now() - t0) / 1000;
    if (values[n - 1] !== data[n - 1]! + 1) throw new Error("wrong result");
    rates.push(n / dt);
    for (const f of futures) f.release();
    await new Promise((res) => setTimeout(res, 50)); // let releases reach the scheduler
  }
  console.log(`map+gather of ${n} trivial tasks: ${rates.map((x) => x.toFixed(0)).join(", ")} tasks/s → median ${median(rates).toFixed(0)}`);
  return median(rates);
}

async function roundTrip(client: Client, n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n + 20; i++) {
    const t0 = performance.now();
    const f = client.submitWith({ pure: false }, inc, i);
    await f;
    if (i >= 20) times.push(performance.now() - t0);
    f.release();
  }
  const s = [...times].sort((a, b) => a - b);
  console.log(
    `submit → result round trip (${n}): median ${median(times).toFixed(3)} ms, p10 ${s[Math.floor(n * 0.1)]!.toFixed(3)} ms, p90 ${s[Math.floor(n * 0.9)]!.toFixed(3)} ms`,
  );
  return median(times);
}

const CLI = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf("\n");
      if (nl >= 0) resolve(buf.slice(0, nl).trim());
    });
    child.once("exit", (code) => reject(new Error(`scheduler exited (${code}) before printing its address`)));
  });
}

/** A million-task map on a scheduler in its own process (so its heap can be measured alone). */
async function millionMap(n: number): Promise<{ seconds: number; bytesPerTask: number }> {
  const dir = await mkdtemp(join(tmpdir(), "tessera-bench-"));
  const secretFile = join(dir, "tessera-secret");
  const env = { ...process.env, TESSERA_LOG_LEVEL: "error" };
  const scheduler = spawn(process.execPath, ["--expose-gc", CLI, "scheduler", "--port", "0", "--secret-file", secretFile], {
    env,
    stdio: ["ignore", "pipe", "ignore"],
  });
  let workers: ChildProcess | undefined;
  try {
    const address = await firstLine(scheduler);
    workers = spawn(process.execPath, [CLI, "worker", address, "--secret-file", secretFile, "--nworkers", "2", "--nthreads", "1", "--no-nanny", "--name", "bench"], {
      env,
      stdio: "ignore",
    });
    const client = await Client.connect(address, { security: await Security.fromSecretFile(secretFile), log, setAsDefault: false });
    await client.waitForWorkers(2, { timeoutMs: 30_000 });
    const base = await client.schedulerInfo({ gc: true });
    const t0 = performance.now();
    const data = Array.from({ length: n }, (_, i) => i);
    const futures = client.map(inc, data);
    await client.wait(futures);
    const tDone = performance.now();
    const full = await client.schedulerInfo({ gc: true });
    const bytesPerTask = (full.memory.heapUsed - base.memory.heapUsed) / n;
    // Gather in slices (each slice is one request per worker).
    let sum = 0;
    const slice = 100_000;
    for (let i = 0; i < n; i += slice) {
      const part = (await client.gather(futures.slice(i, i + slice))) as number[];
      for (const v of part) sum += v;
    }
    const seconds = (performance.now() - t0) / 1000;
    const expected = (n * (n + 1)) / 2;
    if (sum !== expected) throw new Error(`million map: sum ${sum} ≠ ${expected}`);
    console.log(
      `map of ${n} tasks: all done in ${((tDone - t0) / 1000).toFixed(1)} s, gathered by ${seconds.toFixed(1)} s ` +
        `(${(n / seconds).toFixed(0)} tasks/s); scheduler heap ${((full.memory.heapUsed - base.memory.heapUsed) / 1e6).toFixed(0)} MB ` +
        `for ${full.tasks} tasks held → ${bytesPerTask.toFixed(0)} B/task`,
    );
    for (const f of futures) f.release();
    await client.close();
    return { seconds, bytesPerTask };
  } finally {
    workers?.kill("SIGTERM");
    scheduler.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
  const starts = await localClusterStart(5);
  const localClusterStartS = starts.withDashboard;
  const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, memoryLimit: "2GB" });
  const client = await Client.connect(cluster, { log, setAsDefault: false });
  const mapTasksPerSec = await mapThroughput(client, 10_000, 7);
  const submitRoundTripMs = await roundTrip(client, 300);
  await client.close();
  await cluster.close();
  let millionTaskMapS: number | null = null;
  let schedulerBytesPerTask: number | null = null;
  if (process.env["BENCH_MILLION"] !== "0") {
    const m = await millionMap(1_000_000);
    millionTaskMapS = m.seconds;
    schedulerBytesPerTask = m.bytesPerTask;
  }
  const round = (x: number | null, d: number) => (x === null ? null : Number(x.toFixed(d)));
  console.log(
    JSON.stringify({
      mapTasksPerSec: Math.round(mapTasksPerSec),
      submitRoundTripMs: round(submitRoundTripMs, 3),
      localClusterStartS: round(localClusterStartS, 3),
      localClusterStartNoDashboardS: round(starts.without, 3),
      millionTaskMapS: round(millionTaskMapS, 1),
      schedulerBytesPerTask: schedulerBytesPerTask === null ? null : Math.round(schedulerBytesPerTask),
    }),
  );
}

await main();
