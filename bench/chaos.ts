// Fault-tolerance figures (issue 6), printed as text then, last, one JSON line:
//   recoverAfterKillS    median seconds from a worker's SIGKILL to its task running on another worker
//                        (the scheduler notices the closed connection at once; goal ≤ 1 s)
//   spillGBPerSec        SpillableStore write+read throughput to local disk (bench/spill.ts)
//   fuzzFramesSurvived   hostile frames sent at the scheduler and a worker during a π computation
//                        that still came out right with no process lost (0 if anything broke)
// Usage: node dist/bench/chaos.js [kills=5] [fuzzFrames=10000]
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalCluster } from "../src/cluster/local.js";
import { Client } from "../src/client/client.js";
import { random } from "../src/array/index.js";
import { createLogger } from "../src/util/log.js";
import { measureSpill } from "./spill.js";
import { fuzzPort } from "../test/fuzz/hostile-peer.js";

const log = createLogger("bench", { level: "silent" });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Appends "<tag> <ms since epoch> <pid>" to `file` when it starts, then sleeps `ms`. */
const markedSleep = (file: string, tag: number, ms: number): number => {
  const fs = process.getBuiltinModule("node:fs") as typeof import("node:fs");
  fs.appendFileSync(file, `${tag} ${Date.now()} ${process.pid}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return tag;
};

/** Runs of task `tag` so far: [ms since epoch, pid]. */
async function starts(file: string, tag: number): Promise<[number, number][]> {
  let text = "";
  try {
    text = await readFile(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => l.split(" ").map(Number))
    .filter(([t]) => t === tag)
    .map(([, ms, pid]) => [ms!, pid!]);
}

async function recoverAfterKill(kills: number): Promise<number[]> {
  const dir = await mkdtemp(join(tmpdir(), "tessera-chaos-bench-"));
  const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, memoryLimit: "1GB", nanny: true, logLevel: "error" });
  const client = await Client.connect(cluster, { log, setAsDefault: false });
  const file = join(dir, "starts");
  const out: number[] = [];
  try {
    for (let k = 0; k < kills; k++) {
      await until(() => cluster.scheduler.state.workers.size === 2, 20_000, "two workers");
      const f = client.submitWith({ pure: false }, markedSleep, file, k, 3000);
      await until(() => cluster.scheduler.state.tasks.get(f.key)?.processingOn != null, 10_000, "the task to be placed");
      let first: [number, number][] = [];
      while ((first = await starts(file, k)).length === 0) await sleep(5);
      // Kill the process that runs it (as its task thread recorded), not the one the scheduler names.
      const victim = first[0]![1];
      const killedAt = Date.now();
      process.kill(victim, "SIGKILL");
      let again: [number, number][] = [];
      while ((again = (await starts(file, k)).filter(([, pid]) => pid !== victim)).length === 0) await sleep(2);
      const s = (again[0]![0] - killedAt) / 1000;
      out.push(s);
      console.log(`kill ${k + 1}: task running again on another worker ${s.toFixed(3)} s after SIGKILL`);
      await f;
      // Forget it: otherwise the next kill loses its result and the scheduler recomputes it.
      f.release();
    }
  } finally {
    await client.close();
    await cluster.close();
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

async function fuzzDuringPi(frames: number): Promise<{ survived: number; detail: string }> {
  const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, memoryLimit: "1GB", logLevel: "silent" });
  const client = await Client.connect(cluster, { log, setAsDefault: false });
  const pi = (): Promise<number> =>
    random.uniform(0, 1, { shape: [25_000_000, 2], chunks: [2_500_000, 2], seed: 5 }).pow(2).sum({ axis: -1 }).lt(1).mean().mul(4).compute({ executor: client }) as Promise<number>;
  try {
    const reference = await pi();
    const workers = [...cluster.scheduler.state.workers.values()];
    let fuzzing = true;
    const values: number[] = [];
    const computing = (async () => {
      while (fuzzing || values.length === 0) values.push(await pi());
    })();
    const t0 = performance.now();
    const [a, b] = await Promise.all([
      fuzzPort(cluster.schedulerAddress, { secret: cluster.security.secret, role: "scheduler", frames: Math.ceil(frames * 0.6), seed: 11 }),
      fuzzPort(workers[0]!.address, { secret: cluster.security.secret, role: "worker", frames: Math.ceil(frames * 0.4), seed: 12 }),
    ]).finally(() => (fuzzing = false));
    await computing;
    const s = (performance.now() - t0) / 1000;
    const ok = values.every((v) => Object.is(v, reference)) && cluster.scheduler.state.counters.workersLost === 0 && cluster.scheduler.state.workers.size === 2;
    const sent = a.frames + b.frames;
    const detail = `${sent} frames on ${a.connections + b.connections} connections in ${s.toFixed(1)} s (${(sent / s).toFixed(0)}/s); ${values.length} π computations during it, ${ok ? "all right, no worker lost" : "SOMETHING BROKE"}`;
    return { survived: ok ? sent : 0, detail };
  } finally {
    await client.close();
    await cluster.close();
  }
}

const kills = Number(process.argv[2] ?? "5");
const fuzzFrames = Number(process.argv[3] ?? "10000");
console.log(`machine: ${(await import("node:os")).availableParallelism()} cores (shared with other work)`);
const rec = await recoverAfterKill(kills);
const recoverAfterKillS = Number(median(rec).toFixed(3));
console.log(`recover after SIGKILL: median ${recoverAfterKillS} s of ${rec.length} (min ${Math.min(...rec).toFixed(3)}, max ${Math.max(...rec).toFixed(3)})`);
const spill = await measureSpill({ totalMB: 1024, runs: 3, log: (l) => console.log(`spill ${l}`) });
console.log(`spill: write ${spill.spillWriteGBPerSec} GB/s, read ${spill.spillReadGBPerSec} GB/s, write+read ${spill.spillGBPerSec} GB/s (median of ${spill.runs} × ${(spill.bytesPerRun / 1e9).toFixed(2)} GB in ${spill.directory}; reads may come from the page cache)`);
const fuzz = await fuzzDuringPi(fuzzFrames);
console.log(`fuzz: ${fuzz.detail}`);
console.log(JSON.stringify({ recoverAfterKillS, spillGBPerSec: spill.spillGBPerSec, fuzzFramesSurvived: fuzz.survived }));
