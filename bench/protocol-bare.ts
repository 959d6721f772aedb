/**
 * The reference for the transfer figures: what a bare net.Socket carries over 127.0.0.1 in this Node,
 * with no framing, no MAC, nothing of Tessera. A child writes a 32 MiB Buffer for each request byte;
 * this process reads it with `onread` straight into a 32 MiB buffer — the same buffer every time
 * (`reused`: the socket's own speed) or a fresh one per chunk (`fresh`: what first-touch of new
 * memory costs on this machine, which every received chunk pays).
 * Used by bench/protocol.ts.
 */
import { spawn } from "node:child_process";
import * as net from "node:net";
import { fileURLToPath } from "node:url";

function source(chunkBytes: number): void {
  const data = Buffer.alloc(chunkBytes, 7);
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    s.on("data", (d: Buffer) => {
      for (let i = 0; i < d.byteLength; i++) s.write(data);
    });
    s.on("close", () => server.close(() => process.exit(0)));
  });
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`));
}

/** GB/s of `chunks` chunks received one at a time, per repetition (the first rep warms up and is dropped). */
export async function bareSocketRates(opts: { chunkBytes: number; chunks: number; reps: number; fresh: boolean }): Promise<number[]> {
  const { chunkBytes, chunks, reps, fresh } = opts;
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--source", String(chunkBytes)], { stdio: ["ignore", "pipe", "inherit"] });
  const port = Number(await new Promise<string>((r) => child.stdout!.once("data", (d: Buffer) => r(d.toString().trim()))));
  let buf = new Uint8Array(chunkBytes);
  let fill = 0;
  let done: (() => void) | undefined;
  const socket = net.connect({
    host: "127.0.0.1",
    port,
    onread: {
      buffer: () => buf.subarray(fill),
      callback: (n: number) => {
        fill += n;
        if (fill === chunkBytes) {
          fill = 0;
          if (fresh) buf = new Uint8Array(chunkBytes);
          done?.();
        }
        return true;
      },
    },
  });
  socket.setNoDelay(true);
  await new Promise((r) => socket.once("connect", r));
  const one = Buffer.from([1]);
  const rates: number[] = [];
  for (let rep = 0; rep <= reps; rep++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < chunks; i++) {
      const got = new Promise<void>((r) => (done = r));
      socket.write(one);
      await got;
    }
    if (rep > 0) rates.push((chunks * chunkBytes) / 1e9 / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  socket.end();
  await exited;
  return rates;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === "--source") source(Number(process.argv[3]));
