/**
 * Fetches between two real worker processes (LocalCluster, 2 workers × 1 thread, integrity on as on
 * every authenticated connection): worker A makes 32 MiB Float64Arrays, worker B runs tasks that need
 * them, so B fetches them from A with get-data. Rates come from B's own transfer spans (start to end
 * of each get-data request, reported to the scheduler with heartbeats): one input per task (one fetch
 * at a time), then `concurrency` inputs per task (B fetches them at once, within its transfer
 * limits). Also B's RSS after the rounds, against the bytes it was asked to hold at once.
 * Used by bench/protocol.ts.
 */
import { readFileSync } from "node:fs";
import { Client } from "../src/client/client.js";
import { LocalCluster } from "../src/cluster/local.js";
import type { SpanInfo } from "../src/scheduler/plugin.js";

export interface WorkerFetchFigures {
  /** GB/s per round, one input per task. */
  one: number[];
  /** GB/s per round, `concurrency` inputs per task (first span start to last span end). */
  many: number[];
  concurrency: number;
  /** Worker B's VmHWM (peak RSS) and RSS after the rounds, bytes. */
  peakRssBytes: number;
  rssBytes: number;
}

function procStatus(pid: number, field: "VmHWM" | "VmRSS"): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function workerFetchRates(opts: { chunkBytes: number; rounds: number; concurrency: number }): Promise<WorkerFetchFigures> {
  const { chunkBytes, rounds, concurrency } = opts;
  const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, logLevel: "error" });
  const client = await Client.connect(cluster);
  const spans: SpanInfo[] = [];
  cluster.scheduler.addPlugin({ name: "bench-transfers", span: (s) => void (s.action === "transfer" && spans.push(s)) });
  try {
    const workers = (await client.schedulerInfo()).workers.map((w) => w.address);
    const [a, b] = [workers[0]!, workers[1]!];
    const pidB = cluster.workerPids().get((await client.schedulerInfo()).workers[1]!.name);
    const n = chunkBytes / 8;
    let seq = 0;
    const make = () => client.submitWith({ workers: [a], pure: false }, (len: number, v: number) => new Float64Array(len).fill(v), n, ++seq);
    const windows: { from: number; to: number; many: boolean }[] = [];
    const round = async (inputs: number, many: boolean) => {
      const made = Array.from({ length: inputs }, make);
      await Promise.all(made.map((f) => f.result().then(() => undefined)));
      const from = Date.now();
      const use = client.submitWith({ workers: [b], pure: false }, (...xs: Float64Array[]) => xs.reduce((s, x) => s + x.length, 0), ...made);
      const got = await use.result();
      windows.push({ from, to: Date.now(), many });
      if (got !== inputs * n) throw new Error(`worker B saw ${got} elements, expected ${inputs * n}`);
      use.release();
      for (const f of made) f.release();
    };
    await round(1, false); // warm-up: connections, task threads
    windows.length = 0;
    for (let r = 0; r < rounds; r++) await round(1, false);
    for (let r = 0; r < rounds; r++) await round(concurrency, true);
    // spans arrive with the next heartbeat
    const expected = windows.reduce((s, w) => s + (w.many ? concurrency : 1), 0) * chunkBytes;
    for (let waited = 0; waited < 10_000; waited += 100) {
      if (spans.filter((s) => s.worker === b && s.start >= windows[0]!.from).reduce((t, s) => t + s.bytes, 0) >= expected) break;
      await sleep(100);
    }
    const rate = (w: (typeof windows)[number]): number => {
      const mine = spans.filter((s) => s.worker === b && s.start >= w.from && s.start <= w.to);
      const bytes = mine.reduce((t, s) => t + s.bytes, 0);
      const ms = Math.max(...mine.map((s) => s.stop)) - Math.min(...mine.map((s) => s.start));
      return mine.length === 0 ? NaN : bytes / 1e9 / (Math.max(ms, 0.5) / 1e3);
    };
    return {
      one: windows.filter((w) => !w.many).map(rate),
      many: windows.filter((w) => w.many).map(rate),
      concurrency,
      peakRssBytes: pidB !== undefined ? procStatus(pidB, "VmHWM") : NaN,
      rssBytes: pidB !== undefined ? procStatus(pidB, "VmRSS") : NaN,
    };
  } finally {
    await client.close();
    await cluster.close();
  }
}
