/**
 * What frame integrity (src/protocol/integrity.ts) costs on 32 MB chunks over 127.0.0.1: the same
 * MessageWriter → socket → MessageReader path with and without the per-batch tag, the receiver in
 * a child process. Beside it, single-core CPU rates of the alternatives considered (HMAC-SHA256 over the
 * payload, AES-256-GMAC, AES-256-GCM encryption) to show why ChaCha20-Poly1305 (authenticated data only) was chosen.
 * Used by bench/protocol.ts (`npm run bench:protocol`); run alone: node dist/bench/protocol-integrity.js
 */
import { spawn } from "node:child_process";
import { createCipheriv, createHmac, randomBytes } from "node:crypto";
import * as net from "node:net";
import { fileURLToPath } from "node:url";
import { MessageReader, MessageWriter } from "../src/protocol/frames.js";
import { FrameOpener, FrameSealer } from "../src/protocol/integrity.js";

const CHUNK_BYTES = 32 * 1024 * 1024;

export interface IntegrityFigures {
  chunkBytes: number;
  plainMBps: number;
  gmacMBps: number;
  /** gmacMBps / plainMBps (gmacMBps: the tagged rate, whatever the tag; the key name is kept for old results) */
  ratio: number;
  /** One core, CPU only, MB/s: the tag in use (ChaCha20-Poly1305 over authenticated data only) and the alternatives. */
  cpu: { chachaPoly1305MBps: number; gmacMBps: number; hmacSha256MBps: number; aes256GcmEncryptMBps: number };
  /** Small (task-finished-sized) messages through writer → reader in one process, msg/s, median of 3. */
  small: { plainPerSec: number; taggedPerSec: number };
}

function smallRate(tagged: boolean, n: number): number {
  const key = randomBytes(32);
  const w = new MessageWriter();
  let got = 0;
  const r = new MessageReader({ onMessage: () => void got++ });
  if (tagged) {
    w.sealer = new FrameSealer(key);
    r.opener = new FrameOpener(key);
  }
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    w.write({ op: "task-finished", key: `inc-9f86d081884c7d65-${i}`, worker: "tcp://127.0.0.1:40000", nbytes: 8, type: "number", startstops: [0.1, 0.2] });
    if ((i & 1023) === 1023) for (const c of w.take()) r.feed(c); // one batch per 1000 messages, as a busy tick
  }
  for (const c of w.take()) r.feed(c);
  if (got !== n) throw new Error(`small messages: ${got} of ${n} arrived`);
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Child: accept one connection, read messages (checking tags when keyed), ack each with one byte. */
function sink(keyHex: string | undefined): void {
  const server = net.createServer((socket) => {
    const reader = new MessageReader({ onMessage: () => void socket.write(ACK) });
    if (keyHex) reader.opener = new FrameOpener(Buffer.from(keyHex, "hex"));
    socket.on("data", (c) => reader.feed(c));
    socket.on("close", () => server.close(() => process.exit(0)));
  });
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`));
}
const ACK = Buffer.from([1]);

async function wire(mode: "plain" | "gmac", messages: number, reps: number): Promise<number> {
  const key = randomBytes(32);
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--sink", ...(mode === "gmac" ? [key.toString("hex")] : [])], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = Number(await new Promise<string>((r) => child.stdout!.once("data", (d: Buffer) => r(d.toString().trim()))));
  const socket = net.connect({ host: "127.0.0.1", port });
  socket.setNoDelay(true);
  await new Promise((r) => socket.once("connect", r));
  const writer = new MessageWriter();
  if (mode === "gmac") writer.sealer = new FrameSealer(key);
  const data = new Float64Array(CHUNK_BYTES / 8).map((_, i) => i);
  let acked = 0;
  let onAck: (() => void) | undefined;
  socket.on("data", (d: Buffer) => {
    acked += d.byteLength;
    onAck?.();
  });
  const send = () => {
    writer.write({ op: "chunk", data });
    socket.cork();
    for (const c of writer.take()) socket.write(c);
    socket.uncork();
  };
  const rates: number[] = [];
  for (let rep = 0; rep <= reps; rep++) {
    const start = acked;
    const t0 = process.hrtime.bigint();
    let sent = 0;
    // two in flight: the sender encodes the next while the receiver checks the last
    while (acked - start < messages) {
      while (sent < messages && sent - (acked - start) < 2) {
        send();
        sent++;
      }
      await new Promise<void>((r) => (onAck = r));
    }
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (rep > 0) rates.push((messages * CHUNK_BYTES) / 1e6 / s); // rep 0 warms up
  }
  socket.end();
  await new Promise<void>((r) => child.once("exit", () => r()));
  return median(rates);
}

function cpuRate(fn: (b: Buffer) => void): number {
  const buf = randomBytes(CHUNK_BYTES);
  fn(buf);
  const rates: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    fn(buf);
    rates.push(CHUNK_BYTES / 1e6 / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  return median(rates);
}

/**
 * `wireMBps`: the plain and tagged 32 MiB rates measured elsewhere on the same stack (bench/protocol.ts
 * passes its bulk figures); without it the writer → socket → reader wire is measured here.
 */
export async function measureIntegrity(opts: { messages?: number; reps?: number; wireMBps?: { plain: number; gmac: number } } = {}): Promise<IntegrityFigures> {
  const messages = opts.messages ?? 16;
  const reps = opts.reps ?? 5;
  // interleaved, so background load on the machine hits both alike
  const plain: number[] = [];
  const gmac: number[] = [];
  if (opts.wireMBps) {
    plain.push(opts.wireMBps.plain);
    gmac.push(opts.wireMBps.gmac);
  } else {
    for (let i = 0; i < 2; i++) {
      plain.push(await wire("plain", messages, reps));
      gmac.push(await wire("gmac", messages, reps));
    }
  }
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cpu = {
    chachaPoly1305MBps: cpuRate((b) => {
      const c = createCipheriv("chacha20-poly1305", key, iv, { authTagLength: 16 });
      c.setAAD(b, { plaintextLength: 0 });
      c.final();
      c.getAuthTag();
    }),
    gmacMBps: cpuRate((b) => {
      const c = createCipheriv("aes-256-gcm", key, iv);
      c.setAAD(b);
      c.final();
      c.getAuthTag();
    }),
    hmacSha256MBps: cpuRate((b) => void createHmac("sha256", key).update(b).digest()),
    aes256GcmEncryptMBps: cpuRate((b) => {
      const c = createCipheriv("aes-256-gcm", key, iv);
      c.update(b);
      c.final();
    }),
  };
  const smallPlain: number[] = [];
  const smallTagged: number[] = [];
  for (let i = 0; i < 3; i++) {
    smallPlain.push(smallRate(false, 100_000));
    smallTagged.push(smallRate(true, 100_000));
  }
  const p = median(plain);
  const g = median(gmac);
  return { chunkBytes: CHUNK_BYTES, plainMBps: Math.round(p), gmacMBps: Math.round(g), ratio: +(g / p).toFixed(3), cpu: { chachaPoly1305MBps: Math.round(cpu.chachaPoly1305MBps), gmacMBps: Math.round(cpu.gmacMBps), hmacSha256MBps: Math.round(cpu.hmacSha256MBps), aes256GcmEncryptMBps: Math.round(cpu.aes256GcmEncryptMBps) }, small: { plainPerSec: Math.round(median(smallPlain)), taggedPerSec: Math.round(median(smallTagged)) } };
}

export function printIntegrity(f: IntegrityFigures): void {
  console.log(`frame integrity, ${f.chunkBytes / 2 ** 20} MiB chunks over 127.0.0.1 (writer → socket → reader in a child, median):`);
  console.log(`  plain (no tag):        ${f.plainMBps} MB/s`);
  console.log(`  tagged (integrity on): ${f.gmacMBps} MB/s  (${(f.ratio * 100).toFixed(0)} % of plain)`);
  console.log(`  small messages, writer → reader in one process: plain ${f.small.plainPerSec} msg/s, tagged ${f.small.taggedPerSec} msg/s (one tag per batch)`);
  console.log(`  one core, CPU only: ChaCha20-Poly1305 (in use) ${f.cpu.chachaPoly1305MBps} MB/s, AES-256-GMAC ${f.cpu.gmacMBps} MB/s, HMAC-SHA256 ${f.cpu.hmacSha256MBps} MB/s, AES-256-GCM encrypt ${f.cpu.aes256GcmEncryptMBps} MB/s`);
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] === self) {
  const i = process.argv.indexOf("--sink");
  if (i >= 0) sink(process.argv[i + 1]);
  else
    void measureIntegrity().then((f) => {
      printIntegrity(f);
      console.log(JSON.stringify({ integrity: f }));
    });
}
