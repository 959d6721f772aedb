// FramedComm over an in-memory transport: the protocol core needs no sockets.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { pino } from "pino";
import { FramedComm, type Transport } from "../../src/protocol/index.js";
import { acceptHandshake, initiateHandshake } from "../../src/protocol/authenticate.js";

const silent = pino({ level: "silent" });

/** One end of an in-memory pipe; write() reports "full" past `highWater` bytes until drain() is called. */
class MemoryTransport implements Transport {
  peer!: MemoryTransport;
  writes: number[] = []; // chunk counts per write call
  buffered = 0;
  #data: ((c: Uint8Array) => void)[] = [];
  #drain: (() => void)[] = [];
  #close: ((r: string) => void)[] = [];
  closed = false;
  constructor(
    readonly localAddress: string,
    readonly peerAddress: string,
    readonly highWater = Infinity,
  ) {}
  write(chunks: Uint8Array[]): boolean {
    this.writes.push(chunks.length);
    for (const c of chunks) {
      const copy = c.slice(); // the wire copies
      this.buffered += copy.byteLength;
      setImmediate(() => this.peer.#data.forEach((f) => f(copy)));
    }
    return this.buffered < this.highWater;
  }
  drain(): void {
    this.buffered = 0;
    this.#drain.forEach((f) => f());
  }
  onData(fn: (c: Uint8Array) => void): void {
    this.#data.push(fn);
  }
  onDrain(fn: () => void): void {
    this.#drain.push(fn);
  }
  onClose(fn: (r: string) => void): void {
    this.#close.push(fn);
  }
  end(): void {
    setImmediate(() => this.destroy());
  }
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.#close.forEach((f) => f("closed"));
    this.peer.destroy();
  }
}

function pair(highWater = Infinity): [MemoryTransport, MemoryTransport] {
  const a = new MemoryTransport("mem://a", "mem://b", highWater);
  const b = new MemoryTransport("mem://b", "mem://a");
  a.peer = b;
  b.peer = a;
  return [a, b];
}

test("messages sent in one tick leave in one write; order is kept", async () => {
  const [ta, tb] = pair();
  const a = new FramedComm(ta, { log: silent });
  const b = new FramedComm(tb, { log: silent });
  const got: number[] = [];
  const all = new Promise<void>((r) => b.onMessage((m) => got.push(m.i) === 500 && r()));
  for (let i = 0; i < 500; i++) a.send({ op: "m", i });
  await all;
  assert.equal(ta.writes.length, 1);
  assert.deepEqual(got, Array.from({ length: 500 }, (_, i) => i));
  a.close();
});

test("backpressure: after write() says full, messages wait in the comm until drain, none lost", async () => {
  const [ta, tb] = pair(1024);
  const a = new FramedComm(ta, { log: silent });
  const b = new FramedComm(tb, { log: silent });
  const got: number[] = [];
  b.onMessage((m) => got.push(m.i));
  a.send({ op: "m", i: 0, pad: "x".repeat(2000) });
  await new Promise((r) => setImmediate(r));
  assert.equal(ta.writes.length, 1);
  for (let i = 1; i <= 10; i++) a.send({ op: "m", i });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(ta.writes.length, 1, "no write while the transport is full");
  ta.drain();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(ta.writes.length, 2);
  assert.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  a.close();
});

test("the handshake works over any transport, and messages sent right after it reach a late onMessage", async () => {
  const secret = "f".repeat(64);
  const [ta, tb] = pair();
  const server = new FramedComm(ta, { log: silent });
  const client = new FramedComm(tb, { log: silent });
  const opts = { security: { secret }, timeoutMs: 1000, maxFrameBytes: 1 << 20 };
  const [s, c] = await Promise.all([acceptHandshake(server, opts), initiateHandshake(client, "mem://a", opts)]);
  s.send({ op: "hello-app", x: new Float64Array([1, 2]) });
  await new Promise((r) => setTimeout(r, 10)); // arrives before anyone listens: queued
  const m = await new Promise<any>((r) => c.onMessage(r));
  assert.equal(m.op, "hello-app");
  assert.deepEqual(Array.from(m.x), [1, 2]);
  c.close();
});

test("an exception in the application's handler is logged, and later messages still arrive", async () => {
  const [ta, tb] = pair();
  const a = new FramedComm(ta, { log: silent });
  const b = new FramedComm(tb, { log: silent });
  const got: number[] = [];
  const done = new Promise<void>((r) =>
    b.onMessage((m) => {
      got.push(m.i);
      if (m.i === 0) throw new Error("handler bug");
      if (m.i === 2) r();
    }),
  );
  for (let i = 0; i < 3; i++) a.send({ op: "m", i });
  await done;
  assert.deepEqual(got, [0, 1, 2]);
  assert.equal(b.closed, false);
  a.close();
});

test("the protocol core does not import node:net or node:tls (only tcp.ts and socket-transport.ts may)", () => {
  const dir = join(fileURLToPath(new URL(".", import.meta.url)), "../../../src/protocol");
  const transportFiles = new Set(["tcp.ts", "socket-transport.ts"]);
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));
  assert.ok(files.includes("frames.ts") && files.includes("codec.ts"));
  for (const f of files) {
    const src = readFileSync(join(dir, f), "utf8");
    const importsNet = /from "node:(net|tls)"/.test(src);
    if (!transportFiles.has(f)) assert.equal(importsNet, false, `${f} imports node:net/tls`);
  }
});
