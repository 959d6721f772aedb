/**
 * Frames after the handshake carry a GMAC tag (integrity.ts): a byte relay on the path can pass the
 * handshake through but cannot inject, alter, replay, reorder or reflect messages.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as net from "node:net";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { MessageReader, MessageWriter, parseAddress, Security, listen, connect } from "../../src/protocol/index.js";
import { deriveSessionKeys, FrameOpener, FrameSealer } from "../../src/protocol/integrity.js";
import { Scheduler } from "../../src/scheduler/server.js";
import { Worker } from "../../src/worker/server.js";
import { Client } from "../../src/client/client.js";
import { silent, waitFor } from "../fixtures/cluster.js";

const cN = "ab".repeat(32);
const sN = "cd".repeat(32);

function sealedWriter(role: "client" | "server", secret = "s".repeat(32)): MessageWriter {
  const w = new MessageWriter();
  w.sealer = new FrameSealer(deriveSessionKeys(secret, cN, sN, role).send);
  return w;
}

function openedReader(role: "client" | "server", got: unknown[], secret = "s".repeat(32)): MessageReader {
  const r = new MessageReader({ onMessage: (m) => got.push(m) });
  r.opener = new FrameOpener(deriveSessionKeys(secret, cN, sN, role).receive);
  return r;
}

const concat = (chunks: Uint8Array[]) => Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));

function messages(w: MessageWriter, ...msgs: Record<string, unknown>[]): Buffer[] {
  return msgs.map((m) => {
    w.write(m);
    return concat(w.take());
  });
}

test("tagged messages pass, with typed arrays of every size; every kind of tampering is refused", () => {
  // many messages in one batch share one tag; an untagged run longer than a batch is refused
  {
    const w = sealedWriter("client");
    const got: unknown[] = [];
    const r = openedReader("server", got);
    for (let i = 0; i < 1000; i++) w.write({ op: "small", i });
    r.feed(concat(w.take()));
    assert.equal(got.length, 1000);
    const plainWriter = new MessageWriter();
    for (let i = 0; i < 300; i++) plainWriter.write({ op: "x" });
    assert.throws(() => openedReader("server", []).feed(concat(plainWriter.take())), /more than 256 messages arrived without an integrity tag/);
  }
  const big = new Float64Array(1 << 16).map((_, i) => i);
  const [a, b, c] = messages(sealedWriter("client"), { op: "one", data: big }, { op: "two", small: new Uint8Array(10) }, { op: "three" });
  const got: unknown[] = [];
  const r = openedReader("server", got);
  r.feed(Buffer.concat([a!, b!, c!]));
  assert.deepEqual(got.map((m) => (m as { op: string }).op), ["one", "two", "three"]);
  assert.deepEqual((got[0] as { data: Float64Array }).data, big);

  const refused = (bytes: Buffer[], role: "client" | "server" = "server", why = /integrity/) => {
    const seen: unknown[] = [];
    const reader = openedReader(role, seen);
    assert.throws(() => {
      for (const x of bytes) reader.feed(x);
    }, why);
    return seen.length;
  };
  // one bit flipped in a payload
  const altered = Buffer.from(a!);
  altered[100]! ^= 1;
  assert.equal(refused([altered]), 0, "nothing of an altered message is delivered");
  // replayed: the first message twice
  assert.equal(refused([a!, a!]), 1);
  // reordered
  assert.equal(refused([b!, a!]), 0);
  // reflected: the client's own messages sent back to it
  assert.equal(refused([a!], "client"), 0);
  // injected: a well-formed message without a tag, before or between tagged ones
  const plain = concat((() => { const w = new MessageWriter(); w.write({ op: "update-graph", tasks: [], wanted: [] }); return w.take(); })());
  // (held until a tag would come: the next tag does not cover it)
  assert.equal(refused([plain, a!], "server", /failed its integrity check/), 0);
  assert.equal(refused([a!, plain, b!], "server", /failed its integrity check/), 1);
  // a tag under another secret
  const [forged] = messages(sealedWriter("client", "x".repeat(32)), { op: "one" });
  assert.equal(refused([forged!]), 0);
});

/** Reads `bytes` as a socket with direct reads would: each read fills at most what readTarget() offers. */
function directReads(r: MessageReader, bytes: Uint8Array, sizes: number[]): void {
  for (let at = 0, i = 0; at < bytes.byteLength; i++) {
    const target = r.readTarget();
    const n = Math.min(target.byteLength, sizes[i % sizes.length]!, bytes.byteLength - at);
    target.set(bytes.subarray(at, at + n));
    r.bytesRead(target, n);
    at += n;
  }
}

test("a big tagged frame checked read by read: any split of the stream (tag frame included) passes; one altered byte anywhere fails", () => {
  const big = new Float64Array(300_000).map((_, i) => i * 0.5); // 2.4 MB: spans many reads
  const w = sealedWriter("client");
  w.write({ op: "before", x: 1 });
  w.write({ op: "chunk", data: big });
  // frames first, tag after (as the Comm writes them): the same bytes as take()
  const frames = concat(w.takeFrames());
  const tag = concat(w.takeTag());
  assert.equal(tag.byteLength, 8 + 16, "the tag frame comes on its own");
  const [after] = messages(w, { op: "after", y: new Uint8Array(100_000).fill(7) });
  const stream = Buffer.concat([frames, tag, after!]);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 300_000 }), { minLength: 1, maxLength: 40 }), fc.boolean(), (sizes, direct) => {
      const got: any[] = [];
      const r = openedReader("server", got);
      if (direct) directReads(r, stream, sizes);
      else for (let at = 0, i = 0; at < stream.byteLength; i++) {
        const n = Math.min(sizes[i % sizes.length]!, stream.byteLength - at);
        r.feed(Buffer.from(stream.subarray(at, at + n)));
        at += n;
      }
      assert.deepEqual(got.map((m) => m.op), ["before", "chunk", "after"]);
      assert.deepEqual(got[1].data, big);
      assert.equal(r.midMessage, false);
    }),
    { numRuns: 60 },
  );
  // one flipped bit at the start, middle and end of the big payload, and in the tag itself
  const payloadAt = stream.indexOf(Buffer.from(big.buffer, 0, 64));
  assert.ok(payloadAt > 0);
  for (const at of [payloadAt, payloadAt + big.byteLength / 2, payloadAt + big.byteLength - 1, frames.byteLength + 8 + 3]) {
    for (const direct of [true, false]) {
      const bad = Buffer.from(stream);
      bad[at]! ^= 0x10;
      const got: unknown[] = [];
      const r = openedReader("server", got);
      assert.throws(() => (direct ? directReads(r, bad, [65_536, 1_000_000, 13]) : r.feed(bad)), /failed its integrity check/);
      assert.equal(got.length, 0, `nothing of the altered batch is delivered (byte ${at}, direct reads: ${direct})`);
    }
  }
  // the same batch again (a replay) after it passed once
  const got: unknown[] = [];
  const r = openedReader("server", got);
  directReads(r, Buffer.concat([frames, tag]), [1 << 20]);
  assert.equal(got.length, 2);
  assert.throws(() => directReads(r, Buffer.concat([frames, tag]), [1 << 20]), /failed its integrity check/);
  assert.equal(got.length, 2, "the replayed batch delivers nothing");
});

test("a tag frame arriving without its frames, or frames whose tag is cut off, deliver nothing", () => {
  const w = sealedWriter("client");
  w.write({ op: "chunk", data: new Float64Array(50_000).fill(3) });
  const frames = concat(w.takeFrames());
  const tag = concat(w.takeTag());
  const got: unknown[] = [];
  const r = openedReader("server", got);
  directReads(r, frames, [4096]);
  assert.equal(got.length, 0, "held until the tag arrives");
  assert.equal(r.midMessage, true, "a stream that ends here is truncated");
  directReads(r, tag.subarray(0, 10), [3]);
  assert.equal(got.length, 0);
  directReads(r, tag.subarray(10), [3]);
  assert.equal(got.length, 1);
  assert.throws(() => openedReader("server", []).feed(Buffer.from(tag)), /integrity tag frame arrived where none was expected/);
});

/** A TCP relay: passes bytes both ways; `inject` writes its own bytes toward the server. */
async function relay(upstream: string): Promise<{ address: string; inject(b: Buffer): void; close(): Promise<void> }> {
  const { host, port } = parseAddress(upstream);
  const ups: net.Socket[] = [];
  const server = net.createServer((down) => {
    const up = net.connect({ host, port });
    ups.push(up);
    down.pipe(up).pipe(down);
    up.on("error", () => down.destroy());
    down.on("error", () => up.destroy());
    up.on("close", () => down.destroy());
    down.on("close", () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    address: `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    inject: (b) => void ups[ups.length - 1]!.write(b),
    close: () => new Promise<void>((r) => { for (const u of ups) u.destroy(); server.close(() => r()); }),
  };
}

test("a relay between a real client and the scheduler injects an update-graph after the handshake: refused, logged, nothing runs", async () => {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const security = Security.temporary();
  const dir = mkdtempSync(join(tmpdir(), "tessera-relay-"));
  const marker = join(dir, "pwned");
  const scheduler = await Scheduler.start({ security, log });
  const worker = await Worker.start({ schedulerAddress: scheduler.address, security, name: "w", nthreads: 1, log: silent() });
  const r = await relay(scheduler.address);
  try {
    const client = await Client.connect(r.address, { security, log: silent(), setAsDefault: false });
    assert.equal(await client.submit((x: number) => x * 2, 21).result(), 42, "the relay passes honest traffic");
    // the relay's own graph: code that would leave a file behind
    const evil = { op: "update-graph", tasks: [{ key: "evil", op: "call", fn: 0, args: [marker] }], functions: [{ kind: "source", source: `(p) => process.getBuiltinModule("node:fs").writeFileSync(p, "x")`, name: "evil" }], wanted: ["evil"] };
    const w = new MessageWriter();
    w.write(evil);
    r.inject(concat(w.take()));
    // held, undecoded, until a tag would vouch for it: the client's next batch's tag does not cover it
    const next = client.submit((x: number) => x * 3, 1);
    await waitFor(() => lines.some((l) => /integrity check/.test(String(l["err"]))), 10_000, "the scheduler to log the injected frame");
    const line = lines.find((l) => /integrity check/.test(String(l["err"])))!;
    assert.equal(line["msg"], "closing connection: bad frames");
    assert.equal(line["level"], 40, "logged as a warning");
    // the compromised connection is gone; the client learns it, nothing of the relay's ran
    await waitFor(() => client.status === "closed", 10_000, "the client to see its connection closed");
    await assert.rejects(next.result(), /lost the connection/);
    await new Promise((res) => setTimeout(res, 300));
    assert.equal(existsSync(marker), false);
    assert.equal(scheduler.state.tasks.has("evil"), false);
    await client.close();
    // the scheduler itself is fine: a direct client works
    const direct = await Client.connect(scheduler.address, { security, log: silent(), setAsDefault: false });
    assert.equal(await direct.submit((x: number) => x + 1, 1).result(), 2);
    await direct.close();
  } finally {
    await r.close();
    await worker.close();
    await scheduler.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("replayed traffic through a relay is refused (reordering: see the first test)", async () => {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const security = Security.temporary();
  const got: string[] = [];
  const listener = await listen({ address: "tcp://127.0.0.1:0", security, log, onComm: (c) => c.onMessage((m: { op: string }) => got.push(m.op)) });
  // a relay that records client→server bytes and replays the last chunk once asked
  const { host, port } = parseAddress(listener.address);
  let lastChunk: Buffer | undefined;
  let up!: net.Socket;
  const server = net.createServer((down) => {
    up = net.connect({ host, port });
    down.on("data", (d: Buffer) => {
      lastChunk = Buffer.from(d);
      up.write(d);
    });
    up.pipe(down);
    up.on("error", () => down.destroy());
    down.on("error", () => up.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  try {
    const comm = await connect(`tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`, { security, log: silent() });
    comm.send({ op: "transfer", amount: 100 });
    await waitFor(() => got.length === 1, 5000, "the honest message");
    up.write(lastChunk!); // the same bytes again
    await waitFor(() => lines.some((l) => /failed its integrity check/.test(String(l["err"]))), 5000, "the replay to be refused");
    assert.deepEqual(got, ["transfer"], "the replayed message was not delivered");
    comm.close();
  } finally {
    up?.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    await listener.close();
  }
});

test("takeSealed (big payloads written piece by piece, MACed after each write) gives the same bytes as take(), and they check out", () => {
  // payloads longer than a piece, with lengths that end mid MAC block, between small frames
  const odd = new Uint8Array(5 * 1024 * 1024 + 13).map((_, i) => (i * 7) & 0xff);
  const f64 = new Float64Array(600_001).map((_, i) => i);
  const fill = (w: MessageWriter) => {
    w.write({ op: "a", x: 1 });
    w.write({ op: "b", data: odd, small: new Uint8Array(5).fill(9) });
    w.write({ op: "c", data: f64 });
    w.write({ op: "d" });
  };
  const viaTake = sealedWriter("client");
  fill(viaTake);
  const expected = concat(viaTake.take());
  const sealed = sealedWriter("client");
  fill(sealed);
  const writes: Uint8Array[][] = [];
  assert.equal(sealed.takeSealed((chunks) => (writes.push(chunks), true)), true);
  assert.ok(writes.length > 4, `the big payloads go out in several writes (got ${writes.length})`);
  const stream = concat(writes.flat());
  assert.ok(stream.equals(expected), "the same bytes, tag included, as one take()");
  for (const sizes of [[1 << 20], [65_536, 7, 1_000_003], [13]]) {
    const got: any[] = [];
    directReads(openedReader("server", got), stream, sizes);
    assert.deepEqual(got.map((m) => m.op), ["a", "b", "c", "d"]);
    assert.deepEqual(got[1].data, odd);
    assert.deepEqual(got[2].data, f64);
  }
  const bad = Buffer.from(stream);
  bad[stream.indexOf(Buffer.from(odd.subarray(0, 64))) + odd.byteLength - 1]! ^= 1;
  assert.throws(() => directReads(openedReader("server", []), bad, [65_536]), /failed its integrity check/);
  // nothing to tag: takeSealed hands out plain take()
  const plain = new MessageWriter();
  plain.write({ op: "p" });
  const out: Uint8Array[] = [];
  plain.takeSealed((chunks) => (out.push(...chunks), true));
  assert.equal(concat(out).byteLength > 0, true);
});
