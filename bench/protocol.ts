/**
 * Protocol benchmark over 127.0.0.1: a server in a child process, the client here.
 *   - one-way small messages/s (task-finished-sized messages, sent 1000 per tick)
 *   - ping-pong round trip (median and p99 of sequential request/replies)
 *   - bulk Float64Array throughput (MB/s): 8 MiB and 32 MiB arrays sent and acknowledged
 *   - fetch: 32 MiB arrays asked for and received, one at a time and several at once (a worker
 *     fetching inputs from a peer: the receiving side allocates array data as a worker does, in
 *     shared memory, so it can go to task threads uncopied)
 * Prints figures, then one line of JSON.
 * Usage: node dist/bench/protocol.js [--messages N] [--pings N] [--fetches N] [--concurrency N] [--tls]
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

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function serve(): Promise<void> {
  const security = Security.fromEnv();
  if (!security) throw new Error("bench server needs TESSERA_SECRET_FILE");
  let count = 0;
  const chunk = new Float64Array(CHUNK_BYTES / 8).fill(1.5);
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
          case "get-data":
            c.send({ op: "data", id: (m as { id?: number }).id, data: chunk });
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
  const median = rtts[Math.floor(rtts.length / 2)]!;
  const p99 = rtts[Math.floor(rtts.length * 0.99)]!;

  // bulk: sent and acknowledged
  const bulk = async (bytes: number, n: number): Promise<number> => {
    const data = new Float64Array(bytes / 8);
    const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await request(comm, { op: "bulk", data });
    return (n * bytes) / 1e6 / (Number(process.hrtime.bigint() - t) / 1e9);
  };
  const bulkMBps = await bulk(8 * 1024 * 1024, 32);
  const bulk32MBps = await bulk(CHUNK_BYTES, 16);

  // fetch: the receiver allocates array data as a worker does (shared memory above 64 KiB)
  allocateSharedAbove(64 * 1024);
  const nFetch = arg("--fetches", 32);
  const concurrency = arg("--concurrency", 4);
  const pending = new Map<number, (m: { data: Float64Array }) => void>();
  comm.onMessage((m: { id: number; data: Float64Array }) => pending.get(m.id)?.(m));
  let nextId = 1;
  let shared = true;
  const fetchOne = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, (m) => {
        pending.delete(id);
        if (m.data.byteLength !== CHUNK_BYTES || m.data[m.data.length - 1] !== 1.5) reject(new Error("fetched chunk is wrong"));
        shared &&= m.data.buffer instanceof SharedArrayBuffer;
        resolve();
      });
      comm.send({ op: "get-data", id });
    });
  const fetchRate = async (parallel: number): Promise<number> => {
    const t = process.hrtime.bigint();
    let started = 0;
    const lane = async (): Promise<void> => {
      while (started < nFetch) {
        started++;
        await fetchOne();
      }
    };
    await Promise.all(Array.from({ length: parallel }, lane));
    return (nFetch * CHUNK_BYTES) / 1e6 / (Number(process.hrtime.bigint() - t) / 1e9);
  };
  await fetchRate(1); // warm-up: first-touch of fresh memory
  const fetchMBps = await fetchRate(1);
  const multiFetchMBps = await fetchRate(concurrency);
  allocateSharedAbove(Infinity);

  comm.send({ op: "bye" });
  await new Promise<void>((r) => child.once("exit", () => r()));
  comm.close();
  await rm(dir, { recursive: true, force: true });

  console.log(`transport: ${useTls ? "tls" : "tcp"} over 127.0.0.1`);
  console.log(`one-way small messages: ${Math.round(messagesPerSec).toLocaleString("en")} msg/s (${nMessages} in ${oneWayS.toFixed(2)} s)`);
  console.log(`ping-pong round trip: median ${(median * 1000).toFixed(0)} µs, p99 ${(p99 * 1000).toFixed(0)} µs (${nPings} pings)`);
  console.log(`bulk 8 MiB Float64Array request/ack: ${bulkMBps.toFixed(0)} MB/s`);
  console.log(`bulk 32 MiB Float64Array request/ack: ${bulk32MBps.toFixed(0)} MB/s`);
  console.log(`fetch 32 MiB arrays (into shared memory: ${shared}), one at a time: ${fetchMBps.toFixed(0)} MB/s; ${concurrency} at once: ${multiFetchMBps.toFixed(0)} MB/s (${nFetch} fetches each)`);
  // frame integrity (the figures above include it: it is always on after the handshake)
  const integrity = await measureIntegrity();
  printIntegrity(integrity);
  console.log(
    JSON.stringify({
      integrity,
      transport: useTls ? "tls" : "tcp",
      messagesPerSec: Math.round(messagesPerSec),
      roundTripMedianMs: +median.toFixed(4),
      roundTripP99Ms: +p99.toFixed(4),
      bulkMBps: Math.round(bulkMBps),
      bulk32MBps: Math.round(bulk32MBps),
      fetch32MBps: Math.round(fetchMBps),
      multiFetch32MBps: Math.round(multiFetchMBps),
      fetchConcurrency: concurrency,
    }),
  );
}

if (process.argv.includes("--serve")) void serve();
else
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
