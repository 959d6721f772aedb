/**
 * Two Comms over 127.0.0.1 built exactly as listen()/connect() build them — FramedComm over a
 * SocketTransport, the connecting side with direct reads — but without the handshake, so the same
 * stack can run with the integrity tags (integrity.ts, as after every real handshake) and without them
 * (`plain`), side by side. The serving end runs in a child process; it sends 32 MiB arrays on
 * "get-data" and acknowledges "bulk" messages.
 * Used by bench/protocol.ts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as net from "node:net";
import { fileURLToPath } from "node:url";
import { FramedComm, type Comm } from "../src/protocol/comm.js";
import { DirectReads, SocketTransport } from "../src/protocol/socket-transport.js";
import { deriveSessionKeys } from "../src/protocol/integrity.js";
import { createLogger } from "../src/util/log.js";
import { allocateSharedAbove } from "../src/util/shared-memory.js";
import { DEFAULT_SHARE_THRESHOLD_BYTES } from "../src/worker/executor/transport.js";
import { ReleaseTracker } from "../src/worker/executor/gc.js";

const SECRET = "bench-secret-".repeat(4);
const CLIENT_NONCE = "ab".repeat(32);
const SERVER_NONCE = "cd".repeat(32);
const log = createLogger("bench-pair", { level: "warn" });

export interface Pair {
  comm: Comm;
  /** Sends `msg` and resolves with the reply carrying the same id. */
  request<R = Record<string, unknown>>(msg: { op: string; [k: string]: unknown }): Promise<R>;
  close(): Promise<void>;
}

/** The serving child: one connection; replies to get-data with a `chunkBytes` Float64Array. */
function serve(integrity: boolean, chunkBytes: number): void {
  // as a worker: arrays received (bulk) land in shared memory
  allocateSharedAbove(DEFAULT_SHARE_THRESHOLD_BYTES);
  const chunk = new Float64Array(chunkBytes / 8).fill(1.5);
  // as a worker: arrays it lets go of are collected every 64 MiB, so their memory is reused warm
  const releases = new ReleaseTracker();
  const server = net.createServer((socket) => {
    const comm = new FramedComm(new SocketTransport(socket, "tcp"), { log });
    if (integrity) comm.protect(deriveSessionKeys(SECRET, CLIENT_NONCE, SERVER_NONCE, "server"));
    comm.onMessage((m: { op: string; id: number; data?: Float64Array }) => {
      if (m.op === "get-data") comm.send({ op: "data", id: m.id, data: chunk });
      else if (m.op === "bulk") {
        comm.send({ op: "bulk-ack", id: m.id, bytes: m.data!.byteLength });
        releases.released(m.data!.byteLength);
      }
      else if (m.op === "cpu") comm.send({ op: "cpu", id: m.id, cpu: process.cpuUsage() });
    });
    comm.onClose(() => server.close(() => process.exit(0)));
  });
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`));
}

export async function startPair(opts: { integrity: boolean; chunkBytes: number }): Promise<Pair> {
  const child: ChildProcess = spawn(process.execPath, [fileURLToPath(import.meta.url), "--serve", opts.integrity ? "1" : "0", String(opts.chunkBytes)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = Number(await new Promise<string>((r) => child.stdout!.once("data", (d: Buffer) => r(d.toString().trim()))));
  const reads = new DirectReads();
  const socket = net.connect({ host: "127.0.0.1", port, onread: reads.onread });
  await new Promise((r) => socket.once("connect", r));
  const comm = new FramedComm(new SocketTransport(socket, "tcp", reads), { log });
  if (opts.integrity) comm.protect(deriveSessionKeys(SECRET, CLIENT_NONCE, SERVER_NONCE, "client"));
  const pending = new Map<number, (m: unknown) => void>();
  comm.onMessage((m: { id: number }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    p?.(m);
  });
  let nextId = 1;
  return {
    comm,
    request: <R>(msg: { op: string; [k: string]: unknown }) =>
      new Promise<R>((resolve) => {
        const id = nextId++;
        pending.set(id, resolve as (m: unknown) => void);
        comm.send({ ...msg, id });
      }),
    close: async () => {
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      comm.close();
      await exited;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === "--serve") {
  serve(process.argv[3] === "1", Number(process.argv[4]));
}
