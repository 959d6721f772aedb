import { test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { pino } from "pino";
import { listen, connect, Security, type Comm, type Listener, parseAddress, MessageReader, MessageWriter, PROTOCOL_VERSION } from "../../src/protocol/index.js";
import { AuthenticationError, ConnectError, HandshakeTimeoutError, VersionMismatchError } from "../../src/util/errors.js";

/** A pino logger whose lines the test can read. */
function captureLog() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: "debug" }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const has = (re: RegExp) => lines.some((l) => re.test(JSON.stringify(l)));
  return { log, lines, has };
}

function nextMessage(comm: Comm): Promise<any> {
  return new Promise((resolve) => comm.onMessage(resolve));
}

function closed(comm: Comm): Promise<string> {
  return new Promise((resolve) => comm.onClose(resolve));
}

function rawSocket(address: string): Promise<net.Socket> {
  const { host, port } = parseAddress(address);
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port }, () => resolve(s));
    s.once("error", reject);
  });
}

function socketClosed(s: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (s.destroyed) resolve();
    s.on("error", () => {});
    s.once("close", () => resolve());
  });
}

async function waitFor(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** An echo server: every message comes back with op "echo" and the original under "msg". */
async function echoServer(security: Security, extra: Partial<Parameters<typeof listen>[0]> = {}) {
  const cap = captureLog();
  const comms: Comm[] = [];
  const listener = await listen({
    address: "tcp://127.0.0.1:0",
    security,
    log: cap.log,
    onComm: (c) => {
      comms.push(c);
      c.onMessage((m) => c.send({ op: "echo", msg: m }));
    },
    ...extra,
  });
  return { listener, comms, cap, close: () => listener.close() };
}

async function pingPong(comm: Comm, i: number): Promise<void> {
  const reply = nextMessage(comm);
  comm.send({ op: "ping", i });
  const r = await reply;
  assert.equal(r.msg.i, i);
}

test("messages with Float64Array payloads arrive in order, aligned and intact", async () => {
  const security = Security.temporary();
  const srv = await echoServer(security);
  const comm = await connect(srv.listener.address, { security });
  try {
    assert.match(srv.listener.address, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(parseAddress(srv.listener.address).port, 0);
    const big = new Float64Array(300_000).map((_, i) => Math.sin(i));
    const got: any[] = [];
    const all = new Promise<void>((resolve) =>
      comm.onMessage((m) => {
        got.push(m);
        if (got.length === 1002) resolve();
      }),
    );
    comm.send({ op: "big", data: big, meta: { shape: [big.length], dtype: "float64" } });
    for (let i = 0; i < 1000; i++) comm.send({ op: "small", i, x: new Float64Array([i, i + 0.5]) });
    comm.send({ op: "misc", u: undefined, b: 2n ** 70n, s: "ünïcode" });
    await all;
    assert.equal(got[0].msg.op, "big");
    const back: Float64Array = got[0].msg.data;
    assert.ok(back instanceof Float64Array);
    assert.equal(back.byteOffset % 8, 0);
    assert.deepEqual(Buffer.from(back.buffer, back.byteOffset, back.byteLength), Buffer.from(big.buffer));
    assert.deepEqual(got[0].msg.meta, { shape: [big.length], dtype: "float64" });
    for (let i = 0; i < 1000; i++) {
      const m = got[i + 1].msg;
      assert.equal(m.i, i);
      assert.equal(m.x.byteOffset % 8, 0);
      assert.deepEqual(Array.from(m.x), [i, i + 0.5]);
    }
    assert.deepEqual(got[1001].msg, { op: "misc", u: undefined, b: 2n ** 70n, s: "ünïcode" });
    assert.match(comm.peerAddress, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(srv.comms[0]!.peerAddress, comm.localAddress);
  } finally {
    comm.close();
    await srv.close();
  }
});

test("a wrong secret is refused and logged while a good client on the same listener keeps working", async () => {
  const security = Security.temporary();
  const srv = await echoServer(security);
  const good = await connect(srv.listener.address, { security });
  try {
    await pingPong(good, 1);
    await assert.rejects(connect(srv.listener.address, { security: Security.temporary() }), (e: unknown) => e instanceof AuthenticationError);
    await waitFor(() => srv.cap.has(/handshake failed/), "the failed handshake to be logged");
    const line = srv.cap.lines.find((l) => /handshake failed/.test(String(l["msg"])))!;
    assert.match(String(line["peer"]), /^tcp:\/\/127\.0\.0\.1:\d+$/);
    // the bad client notices first that the server's proof does not match its secret, and hangs up
    assert.match(String(line["reason"]), /closed during the handshake/);
    // a client that answers without checking the server's proof is refused by the server's check
    const forger = await rawSocket(srv.listener.address);
    const replies: any[] = [];
    const reader = new MessageReader({ onMessage: (m) => replies.push(m) });
    forger.on("data", (c) => reader.feed(c));
    const w = new MessageWriter();
    w.write({ op: "tessera-hello", protocol: "tessera", version: PROTOCOL_VERSION, nonce: "ab".repeat(32) });
    for (const c of w.take()) forger.write(c);
    await waitFor(() => replies.length === 1, "the challenge");
    w.write({ op: "tessera-auth", proof: "00".repeat(32) });
    for (const c of w.take()) forger.write(c);
    await socketClosed(forger);
    assert.equal(replies[1]?.op, "tessera-refused");
    assert.equal(replies[1]?.code, "authentication-failed");
    await waitFor(() => srv.cap.has(/client's proof does not match/), "the refused proof to be logged");
    await pingPong(good, 2);
    assert.equal(srv.comms.length, 1);
  } finally {
    good.close();
    await srv.close();
  }
});

test("garbage bytes and huge length claims are refused; the listener keeps serving", async () => {
  const security = Security.temporary();
  const srv = await echoServer(security);
  const good = await connect(srv.listener.address, { security });
  try {
    const http = await rawSocket(srv.listener.address);
    http.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await socketClosed(http);
    const huge = await rawSocket(srv.listener.address);
    const prefix = Buffer.alloc(8);
    prefix.writeUInt32LE(0xfffffff0, 0);
    prefix.writeUInt32LE(0x48000000, 4);
    huge.write(prefix);
    await socketClosed(huge);
    const random = await rawSocket(srv.listener.address);
    random.write(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
    await socketClosed(random);
    await waitFor(() => srv.cap.lines.filter((l) => /bad frames/.test(String(l["msg"]))).length >= 3, "three bad-frame log lines");
    assert.ok(srv.cap.has(/exceeds the maximum frame size/));
    await pingPong(good, 3);
  } finally {
    good.close();
    await srv.close();
  }
});

test("after authentication, a frame larger than the listener's maximum closes that connection only", async () => {
  const security = Security.temporary();
  const srv = await echoServer(security, { maxFrameBytes: 4096 });
  const good = await connect(srv.listener.address, { security });
  const greedy = await connect(srv.listener.address, { security });
  try {
    const gone = closed(greedy);
    greedy.send({ op: "too-big", data: new Uint8Array(8192) });
    assert.match(await gone, /closed/);
    await waitFor(() => srv.cap.has(/8192 bytes exceeds the maximum frame size of 4096/), "the oversized frame to be logged");
    await pingPong(good, 4);
  } finally {
    good.close();
    await srv.close();
  }
});

test("a peer that never finishes the handshake is dropped after the timeout", async () => {
  const security = Security.temporary();
  const srv = await echoServer(security, { handshakeTimeoutMs: 150 });
  try {
    const silent = await rawSocket(srv.listener.address);
    const t0 = Date.now();
    await socketClosed(silent);
    assert.ok(Date.now() - t0 >= 100);
    await waitFor(() => srv.cap.has(/did not complete the handshake within 150 ms/), "the timeout to be logged");
  } finally {
    await srv.close();
  }
});

test("connect() times out against a server that never answers", async () => {
  const accepted: net.Socket[] = [];
  const server = net.createServer((s) => void accepted.push(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    await assert.rejects(connect(`tcp://127.0.0.1:${port}`, { security: Security.temporary(), timeoutMs: 150 }), (e: unknown) => e instanceof HandshakeTimeoutError && /did not complete the handshake within/.test(e.message));
  } finally {
    for (const s of accepted) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test("version mismatch: the server answers with a clear refusal and logs it", async () => {
  const security = Security.temporary();
  const srv = await echoServer(security);
  try {
    const s = await rawSocket(srv.listener.address);
    const replies: any[] = [];
    const reader = new MessageReader({ onMessage: (m) => replies.push(m) });
    s.on("data", (c) => reader.feed(c));
    const w = new MessageWriter();
    w.write({ op: "tessera-hello", protocol: "tessera", version: PROTOCOL_VERSION + 41, nonce: "ab".repeat(32) });
    for (const c of w.take()) s.write(c);
    await socketClosed(s);
    assert.equal(replies.length, 1);
    assert.equal(replies[0].op, "tessera-refused");
    assert.equal(replies[0].code, "version-mismatch");
    assert.match(replies[0].reason, new RegExp(`server speaks Tessera protocol ${PROTOCOL_VERSION}, the client speaks ${PROTOCOL_VERSION + 41}`));
    await waitFor(() => srv.cap.has(/protocol version mismatch/), "the mismatch to be logged");
  } finally {
    await srv.close();
  }
});

test("version mismatch seen from connect(): a server speaking another version gives VersionMismatchError", async () => {
  const server = net.createServer((s) => {
    const reader = new MessageReader({
      onMessage: () => {
        const w = new MessageWriter();
        w.write({ op: "tessera-refused", code: "version-mismatch", reason: "protocol version mismatch: the server speaks Tessera protocol 2, the client speaks 1" });
        for (const c of w.take()) s.write(c);
        s.end();
      },
    });
    s.on("data", (c) => reader.feed(c));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    await assert.rejects(connect(`tcp://127.0.0.1:${port}`, { security: Security.temporary() }), (e: unknown) => e instanceof VersionMismatchError && /127\.0\.0\.1.*refused.*server speaks Tessera protocol 2/.test(e.message));
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test("too many unauthenticated connections: the oldest silent one is dropped (and told why), so a newcomer gets in", async () => {
  const security = Security.temporary();
  const srv = await echoServer(security, { maxPendingHandshakes: 2 });
  try {
    const a = await rawSocket(srv.listener.address);
    const aBytes: Buffer[] = [];
    a.on("data", (d: Buffer) => aBytes.push(d));
    const b = await rawSocket(srv.listener.address);
    await new Promise((r) => setTimeout(r, 30)); // let the server accept both
    const good = await connect(srv.listener.address, { security });
    await socketClosed(a);
    await waitFor(() => srv.cap.has(/too many pending handshakes from 127\.0\.0\.1/), "the eviction to be logged");
    const told: unknown[] = [];
    new MessageReader({ onMessage: (m) => told.push(m) }).feed(Buffer.concat(aBytes));
    assert.match(JSON.stringify(told), /"code":"busy".*too many pending handshakes from 127\.0\.0\.1/);
    await pingPong(good, 5);
    good.close();
    b.destroy();
  } finally {
    await srv.close();
  }
});

test("a peer that sends nothing is dropped after silentPeerTimeoutMs, long before the handshake timeout", async () => {
  const security = Security.temporary();
  const srv = await echoServer(security, { silentPeerTimeoutMs: 200, handshakeTimeoutMs: 60_000 });
  try {
    const t0 = Date.now();
    const a = await rawSocket(srv.listener.address);
    await socketClosed(a);
    assert.ok(Date.now() - t0 < 5000, `dropped after ${Date.now() - t0} ms`);
    await waitFor(() => srv.cap.has(/peer sent nothing after connecting/), "the drop to be logged");
  } finally {
    await srv.close();
  }
});

test("TLS listener: connections still in the TLS handshake count towards maxPendingHandshakes", async () => {
  const security = await Security.temporary({ tls: true });
  const cap = captureLog();
  const listener = await listen({ address: "tls://127.0.0.1:0", security, log: cap.log, maxPendingHandshakes: 2, onComm: (c) => c.onMessage((m) => c.send({ op: "echo", msg: m })) });
  try {
    const a = await rawSocket(listener.address);
    a.resume();
    const b = await rawSocket(listener.address);
    await new Promise((r) => setTimeout(r, 30));
    const c = await rawSocket(listener.address);
    await socketClosed(a);
    await waitFor(() => cap.has(/too many pending handshakes from/), "the eviction to be logged");
    b.destroy();
    c.destroy();
    await Promise.all([socketClosed(b), socketClosed(c)]);
    const good = await connect(listener.address, { security });
    await pingPong(good, 6);
    good.close();
  } finally {
    await listener.close();
  }
});

test("connect() to a closed port rejects with 'connection refused'; bad addresses reject clearly", async () => {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  await assert.rejects(connect(`tcp://127.0.0.1:${port}`, { security: Security.temporary() }), (e: unknown) => e instanceof ConnectError && /connection refused/.test(e.message));
  await assert.rejects(connect("127.0.0.1:1", { security: Security.temporary() }), /use tcp:\/\/HOST:PORT/);
  await assert.rejects(connect("tls://127.0.0.1:1", { security: Security.temporary() }), /no certificates/);
});

test("close() flushes queued messages first; the peer's onClose fires", async () => {
  const security = Security.temporary();
  const got: any[] = [];
  let serverSide: Comm | undefined;
  const serverClosed = new Promise<string>((resolve) => {
    void listen({
      address: "tcp://127.0.0.1:0",
      security,
      log: captureLog().log,
      onComm: (c) => {
        serverSide = c;
        c.onMessage((m) => got.push(m));
        c.onClose(resolve);
      },
    }).then(async (l) => {
      listener = l;
      const comm = await connect(l.address, { security });
      for (let i = 0; i < 100; i++) comm.send({ op: "last-words", i });
      comm.close("done");
      assert.equal(comm.closed, true);
      comm.send({ op: "after-close" }); // dropped, not thrown
    });
  });
  let listener: Listener | undefined;
  const reason = await serverClosed;
  assert.match(reason, /closed/);
  assert.equal(got.length, 100);
  assert.equal(got[99].i, 99);
  assert.equal(serverSide!.closed, true);
  await listener!.close();
});

test("backpressure: 64 MiB sent in one tick all arrives", async () => {
  const security = Security.temporary();
  let total = 0;
  let count = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const listener = await listen({
    address: "tcp://127.0.0.1:0",
    security,
    log: captureLog().log,
    onComm: (c) =>
      c.onMessage((m) => {
        total += m.data.byteLength;
        assert.equal(m.data[0], m.i);
        if (++count === 64) done();
      }),
  });
  const comm = await connect(listener.address, { security });
  try {
    for (let i = 0; i < 64; i++) comm.send({ op: "chunk", i, data: new Float64Array(128 * 1024).fill(i) });
    await finished;
    assert.equal(total, 64 * 1024 * 1024);
  } finally {
    comm.close();
    await listener.close();
  }
});

test("tls:// round trip with temporary self-signed certificates; a client without them is refused", async () => {
  const security = await Security.temporary({ tls: true });
  const cap = captureLog();
  const listener = await listen({
    address: "tls://127.0.0.1:0",
    security,
    log: cap.log,
    onComm: (c) => c.onMessage((m) => c.send({ op: "echo", msg: m })),
  });
  try {
    assert.match(listener.address, /^tls:\/\//);
    const comm = await connect(listener.address, { security });
    const reply = nextMessage(comm);
    comm.send({ op: "hi", data: new Float64Array([1, 2, 3]) });
    const r = await reply;
    assert.deepEqual(Array.from(r.msg.data), [1, 2, 3]);
    assert.equal(r.msg.data.byteOffset % 8, 0);
    assert.match(comm.peerAddress, /^tls:\/\//);
    comm.close();
    // other certificates (another cluster's temporary CA) are refused by TLS itself
    const other = await Security.temporary({ tls: true });
    await assert.rejects(connect(listener.address, { security: { secret: security.secret, tls: other.tls! }, timeoutMs: 2000 }));
    // plain TCP against a TLS port does not get through
    await assert.rejects(connect(listener.address.replace("tls://", "tcp://"), { security, timeoutMs: 1000 }));
  } finally {
    await listener.close();
  }
});
