/**
 * `npm run bench:protocol`, over 127.0.0.1:
 *   - one-way small messages/s (task-finished-sized messages, sent 1000 per tick) and ping-pong round
 *     trips, over a real listen()/connect() pair (handshake, integrity on);
 *   - 32 MiB chunks: the bare net.Socket reference (bench/protocol-bare.ts), then Tessera's
 *     FramedComm stack without and with the integrity tags (bench/protocol-pair.ts): bulk sends
 *     (8 and 32 MiB), fetches one at a time and several at once (received as a worker receives: into
 *     shared memory, with direct reads), then fetches between two real worker processes
 *     (bench/protocol-workers.ts), with the receiving worker's RSS;
 *   - where a received chunk's time goes, stage by stage (bench/protocol-stages.ts), and what the
 *     integrity tags cost in CPU (bench/protocol-integrity.ts).
 * Everything runs in processes started with the environment Tessera gives its workers
 * (src/worker/process-env.ts: huge pages for big buffers); --no-huge-pages runs without, for comparison.
 * Prints medians, then one line of JSON.
 * Usage: node dist/bench/protocol.js [--messages N] [--pings N] [--reps N] [--chunks N] [--concurrency N]
 *        [--worker-rounds N] [--tls] [--no-huge-pages]
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect, listen, Security, type Comm } from "../src/protocol/index.js";
import { createLogger } from "../src/util/log.js";
import { allocateSharedAbove } from "../src/util/shared-memory.js";
import { measureIntegrity, printIntegrity } from "./protocol-integrity.js";
import { bareSocketRates } from "./protocol-bare.js";
import { startPair } from "./protocol-pair.js";
import { workerFetchRates } from "./protocol-workers.js";
import { measureStages, printStages } from "./protocol-stages.js";
import { workerProcessEnv } from "../src/worker/process-env.js";
import { DEFAULT_SHARE_THRESHOLD_BYTES } from "../src/worker/executor/transport.js";
import { ReleaseTracker } from "../src/worker/executor/gc.js";
import { loadavg } from "node:os";

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function serve(): Promise<void> {
  const security = Security.fromEnv();
  if (!security) throw new Error("bench server needs TESSERA_SECRET_FILE");
  let count = 0;
  const listener = await listen({
    address: security.tls ? "tls://127.0.0.1:0" : "tcp://127.0.0.1:0",
    security,
    log: createLogger("bench-server", { level: "warn" }),
    onComm: (c) => {
      c.onMessage((m: { op: string; n?: number; data?: Float64Array }) => {
        switch (m.op) {
          case "task-finished":
            count++;
            break;
          case "count?":
            c.send({ op: "count", count, target: m.n });
            count = 0;
            break;
          case "ping":
            c.send({ op: "pong" });
            break;
          case "bulk":
            c.send({ op: "bulk-ack", bytes: m.data!.byteLength });
            break;
          case "bye":
            c.close();
            void listener.close().then(() => process.exit(0));
        }
      });
    },
  });
  process.stdout.write(listener.address + "\n");
}

/** Chunk size of the fetch figures (Dask's default array chunk target is 128 MiB; 32 MiB is typical). */
const CHUNK_BYTES = 32 * 1024 * 1024;

function request(comm: Comm, msg: { op: string; [k: string]: unknown }): Promise<any> {
  return new Promise((resolve) => {
    comm.onMessage(resolve);
    comm.send(msg);
  });
}

async function main(): Promise<void> {
  const nMessages = arg("--messages", 300_000);
  const nPings = arg("--pings", 5_000);
  const useTls = process.argv.includes("--tls");
  const security = useTls ? await Security.temporary({ tls: true }) : Security.temporary();
  // the secret (and certificates) reach the server process by 0600 files, as they would a worker
  const dir = await mkdtemp(join(tmpdir(), "tessera-bench-"));
  const secretFile = await Security.writeSecretFile(security, dir);
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--serve"], {
    env: { ...process.env, ...Security.toEnv(security, secretFile) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const address = await new Promise<string>((resolve) => child.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim())));
  const comm = await connect(address, { security });

  // one-way
  const msg = (i: number) => ({ op: "task-finished", key: `inc-9f86d081884c7d65-${i}`, worker: "tcp://127.0.0.1:40000", nbytes: 8, type: "number", startstops: [0.1, 0.2] });
  await request(comm, { op: "count?", n: 0 });
  const t0 = process.hrtime.bigint();
  for (let sent = 0; sent < nMessages; ) {
    const until = Math.min(nMessages, sent + 1000);
    for (; sent < until; sent++) comm.send(msg(sent));
    await new Promise((r) => setImmediate(r));
  }
  const reply = await request(comm, { op: "count?", n: nMessages });
  const oneWayS = Number(process.hrtime.bigint() - t0) / 1e9;
  if (reply.count !== nMessages) throw new Error(`server counted ${reply.count} of ${nMessages}`);
  const messagesPerSec = nMessages / oneWayS;

  // ping-pong
  const rtts: number[] = [];
  for (let i = 0; i < nPings; i++) {
    const s = process.hrtime.bigint();
    await request(comm, { op: "ping", i });
    rtts.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  rtts.sort((a, b) => a - b);
  const median_ = rtts[Math.floor(rtts.length / 2)]!;
  const p99 = rtts[Math.floor(rtts.length * 0.99)]!;

  comm.send({ op: "bye" });
  await new Promise<void>((r) => child.once("exit", () => r()));
  comm.close();
  await rm(dir, { recursive: true, force: true });

  // 32 MiB transfers: the bare-socket reference, then Tessera's stack without and with integrity
  // tags (interleaved, so background load hits both alike), then two real worker processes.
  const reps = arg("--reps", 5);
  const perRep = arg("--chunks", 6);
  const concurrency = arg("--concurrency", 4);
  const bareReused: number[] = [];
  const bareFresh: number[] = [];
  const figs = { plain: emptyRates(), integrity: emptyRates() };
  let shared = true;
  for (let round = 0; round < 2; round++) {
    bareReused.push(...(await bareSocketRates({ chunkBytes: CHUNK_BYTES, chunks: perRep, reps: Math.ceil(reps / 2), fresh: false })));
    bareFresh.push(...(await bareSocketRates({ chunkBytes: CHUNK_BYTES, chunks: perRep, reps: Math.ceil(reps / 2), fresh: true })));
    for (const mode of ["plain", "integrity"] as const) {
      const r = await pairRates(mode === "integrity", Math.ceil(reps / 2), perRep, concurrency);
      shared &&= r.shared;
      for (const k of Object.keys(r.rates) as (keyof Rates)[]) figs[mode][k].push(...r.rates[k]);
    }
  }
  const workers = await workerFetchRates({ chunkBytes: CHUNK_BYTES, rounds: arg("--worker-rounds", 8), concurrency });
  const stages = await measureStages(CHUNK_BYTES);

  const m = (xs: number[]) => +median(xs).toFixed(3);
  const P = figs.plain;
  const I = figs.integrity;
  const gb = (x: number) => `${x.toFixed(2)} GB/s`;
  console.log(`transport: ${useTls ? "tls" : "tcp"} over 127.0.0.1 (small messages and round trips; the 32 MiB figures are tcp)`);
  console.log(`processes: ${hugePagesOn() ? "huge pages for big buffers (GLIBC_TUNABLES=" + process.env["GLIBC_TUNABLES"] + ", as workers start)" : "no huge pages (--no-huge-pages)"}; load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  console.log(`one-way small messages: ${Math.round(messagesPerSec).toLocaleString("en")} msg/s (${nMessages} in ${oneWayS.toFixed(2)} s)`);
  console.log(`ping-pong round trip: median ${(median_ * 1000).toFixed(0)} µs, p99 ${(p99 * 1000).toFixed(0)} µs (${nPings} pings)`);
  console.log(`32 MiB chunks, medians of ${P.fetch.length} repetitions × ${perRep} chunks:                 plain      integrity (ChaCha20-Poly1305 tags)`);
  console.log(`  bare net.Socket, onread into one reused buffer (reference):  ${gb(m(bareReused))}`);
  console.log(`  bare net.Socket, onread into a fresh buffer per chunk:       ${gb(m(bareFresh))}`);
  console.log(`  bulk 8 MiB Float64Array request/ack:                          ${gb(m(P.bulk8))}   ${gb(m(I.bulk8))}`);
  console.log(`  bulk 32 MiB Float64Array request/ack:                         ${gb(m(P.bulk))}   ${gb(m(I.bulk))}`);
  console.log(`  fetch 32 MiB, one at a time (into shared memory: ${shared}):   ${gb(m(P.fetch))}   ${gb(m(I.fetch))}`);
  console.log(`  fetch 32 MiB, ${concurrency} at once:                                     ${gb(m(P.fetchMany))}   ${gb(m(I.fetchMany))}`);
  console.log(`  between two worker processes (LocalCluster), one input:                 ${gb(m(workers.one))}`);
  console.log(`  between two worker processes, ${concurrency} inputs at once:                       ${gb(m(workers.many))}`);
  console.log(`  receiving worker: peak RSS ${(workers.peakRssBytes / 2 ** 20).toFixed(0)} MiB, RSS after ${(workers.rssBytes / 2 ** 20).toFixed(0)} MiB (it held at most ${concurrency} × 32 MiB inputs at once)`);
  printStages(stages);
  const integrity = await measureIntegrity({ wireMBps: { plain: m(P.bulk) * 1000, gmac: m(I.bulk) * 1000 } });
  printIntegrity(integrity);
  console.log(
    JSON.stringify({
      integrity,
      transport: useTls ? "tls" : "tcp",
      hugePages: hugePagesOn(),
      loadAverage: loadavg().map((x) => +x.toFixed(2)),
      messagesPerSec: Math.round(messagesPerSec),
      roundTripMedianMs: +median_.toFixed(4),
      roundTripP99Ms: +p99.toFixed(4),
      bulkMBps: Math.round(m(I.bulk8) * 1000),
      bulk32MBps: Math.round(m(I.bulk) * 1000),
      fetch32MBps: Math.round(m(I.fetch) * 1000),
      multiFetch32MBps: Math.round(m(I.fetchMany) * 1000),
      fetchConcurrency: concurrency,
      bareSocketGBps: m(bareReused),
      bareSocketFreshBufferGBps: m(bareFresh),
      bulk32MiBGBps: m(P.bulk),
      bulk32MiBIntegrityGBps: m(I.bulk),
      fetch32MiBGBps: m(P.fetch),
      fetch32MiBIntegrityGBps: m(I.fetch),
      fetch4x32MiBGBps: m(P.fetchMany),
      fetch4x32MiBIntegrityGBps: m(I.fetchMany),
      workerFetch32MiBGBps: m(workers.one),
      workerFetch4x32MiBGBps: m(workers.many),
      workerPeakRssMiB: Math.round(workers.peakRssBytes / 2 ** 20),
      workerRssAfterMiB: Math.round(workers.rssBytes / 2 ** 20),
      fetchIntegrityVsBareSocket: +(m(I.fetch) / m(bareReused)).toFixed(3),
      stagesCpuMsPer32MiB: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, +v.toFixed(2)])),
    }),
  );
}

interface Rates {
  bulk8: number[];
  bulk: number[];
  fetch: number[];
  fetchMany: number[];
}
const emptyRates = (): Rates => ({ bulk8: [], bulk: [], fetch: [], fetchMany: [] });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

const hugePagesOn = () => /(^|:)glibc\.malloc\.hugetlb=[12]/.test(process.env["GLIBC_TUNABLES"] ?? "");

/** GB/s per repetition of each 32 MiB figure over one pair (bench/protocol-pair.ts); the first repetition warms up. */
async function pairRates(integrity: boolean, reps: number, perRep: number, concurrency: number): Promise<{ rates: Rates; shared: boolean }> {
  const pair = await startPair({ integrity, chunkBytes: CHUNK_BYTES });
  // as in a worker: arrays received land in shared memory, so task threads use them uncopied
  allocateSharedAbove(DEFAULT_SHARE_THRESHOLD_BYTES);
  const rates = emptyRates();
  const releases = new ReleaseTracker();
  let shared = true;
  const timed = async (bytes: number, fn: () => Promise<void>): Promise<number> => {
    const t = process.hrtime.bigint();
    await fn();
    return bytes / 1e9 / (Number(process.hrtime.bigint() - t) / 1e9);
  };
  const bulk = (bytes: number) => {
    const data = new Float64Array(bytes / 8).fill(2.5);
    return timed(perRep * bytes, async () => {
      for (let i = 0; i < perRep; i++) await pair.request({ op: "bulk", data });
    });
  };
  const fetchOne = async () => {
    const m = await pair.request<{ data: Float64Array }>({ op: "get-data" });
    if (m.data.byteLength !== CHUNK_BYTES || m.data[m.data.length - 1] !== 1.5) throw new Error("fetched chunk is wrong");
    shared &&= m.data.buffer instanceof SharedArrayBuffer;
    releases.released(m.data.byteLength); // dropped, as a worker drops an input it no longer needs
  };
  const fetch = (parallel: number) =>
    timed(perRep * CHUNK_BYTES * (parallel > 1 ? parallel / 2 : 1), async () => {
      const n = perRep * (parallel > 1 ? parallel / 2 : 1);
      let started = 0;
      const lane = async () => {
        while (started < n) {
          started++;
          await fetchOne();
        }
      };
      await Promise.all(Array.from({ length: parallel }, lane));
    });
  for (let rep = 0; rep <= reps; rep++) {
    const r = { bulk8: await bulk(8 * 1024 * 1024), bulk: await bulk(CHUNK_BYTES), fetch: await fetch(1), fetchMany: await fetch(concurrency) };
    if (rep > 0) for (const k of Object.keys(r) as (keyof Rates)[]) rates[k].push(r[k]);
  }
  allocateSharedAbove(Infinity);
  await pair.close();
  return { rates, shared };
}

/** The bench runs in a process started as Tessera starts its workers (src/worker/process-env.ts), unless --no-huge-pages. */
function asWorkerProcess(): boolean {
  if (process.env["TESSERA_BENCH_AS_WORKER"] === "1") return false;
  const base = process.argv.includes("--no-huge-pages") ? { ...process.env, GLIBC_TUNABLES: "glibc.malloc.hugetlb=0" } : process.env;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    env: { ...workerProcessEnv(base), TESSERA_BENCH_AS_WORKER: "1" },
    stdio: "inherit",
  });
  child.once("exit", (code) => process.exit(code ?? 1));
  return true;
}

if (process.argv.includes("--serve")) void serve();
else if (!asWorkerProcess())
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
