/**
 * Where a received 32 MiB chunk's time goes, stage by stage, in CPU milliseconds (median of 9, one
 * process each, so the machine's load inflates them less than wall-clock rates):
 *   - fresh: allocating a new SharedArrayBuffer and writing it once (what a socket read into a new
 *     buffer costs beyond the copy), with huge pages (as workers start) and without;
 *   - warm copy: the same bytes copied into memory already written once (what the kernel's copy
 *     out of the socket costs at best);
 *   - tag: the integrity MAC (integrity.ts) over the chunk;
 *   - codec: encoding and decoding the message that carries it (header only: the bytes travel apart).
 * Used by bench/protocol.ts.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { FrameSealer } from "../src/protocol/integrity.js";
import { decodeMessage, encodeMessage } from "../src/protocol/codec.js";

export interface StageFigures {
  freshHugePagesMs: number;
  freshSmallPagesMs: number;
  warmCopyMs: number;
  tagMs: number;
  codecMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function cpuMs(fn: () => void, runs = 9): number {
  fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    fn();
    const u = process.cpuUsage(c);
    out.push((u.user + u.system) / 1000);
  }
  return median(out);
}

/** In this process: a fresh SharedArrayBuffer written once (dropped buffers collected between runs). */
function freshMs(bytes: number): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  const src = new Uint8Array(64 * 1024).fill(1);
  return cpuMs(() => {
    gc?.();
    const b = new Uint8Array(new SharedArrayBuffer(bytes));
    for (let at = 0; at < bytes; at += src.byteLength) b.set(src, at);
  });
}

function freshInChild(bytes: number, hugePages: boolean): Promise<number> {
  const env = { ...process.env, GLIBC_TUNABLES: `glibc.malloc.hugetlb=${hugePages ? 1 : 0}` };
  const child = spawn(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "--fresh", String(bytes)], { env, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`fresh-memory child exited with ${code}`))));
  });
}

export async function measureStages(bytes: number): Promise<StageFigures> {
  const src = randomBytes(bytes);
  const dst = new Uint8Array(new SharedArrayBuffer(bytes));
  dst.fill(1);
  const sealer = new FrameSealer(randomBytes(32));
  const msg = { op: "data", id: 1, data: { "x-1": new Float64Array(src.buffer, src.byteOffset, bytes / 8) } };
  return {
    freshHugePagesMs: await freshInChild(bytes, true),
    freshSmallPagesMs: await freshInChild(bytes, false),
    warmCopyMs: cpuMs(() => dst.set(src)),
    tagMs: cpuMs(() => {
      const mac = sealer.begin();
      mac.frame(bytes, 0x52000000, src);
      sealer.finish(mac);
    }),
    codecMs: cpuMs(() => {
      const { header, buffers } = encodeMessage(msg);
      decodeMessage(header.slice(), buffers.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
    }),
  };
}

export function printStages(s: StageFigures): void {
  const f = (x: number) => `${x.toFixed(1)} ms`;
  console.log(`where a 32 MiB chunk's time goes (CPU ms, median of 9):`);
  console.log(`  fresh memory, written once: ${f(s.freshHugePagesMs)} with huge pages (as workers start), ${f(s.freshSmallPagesMs)} without`);
  console.log(`  copy into warm memory: ${f(s.warmCopyMs)}; integrity tag: ${f(s.tagMs)}; message encode + decode: ${f(s.codecMs)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === "--fresh") {
  process.stdout.write(`${freshMs(Number(process.argv[3]))}\n`);
}
