// ZMTP 3.0 framing and Jupyter's signed messages: the parser against hand-made byte streams, and a
// real TCP round trip through the sockets (the libzmq side is covered by the kernel tests).
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { ZmtpParser, ZmtpSocket, encodeCommand, encodeFrame, encodeMetadata, decodeMetadata, greeting, type ParserEvent } from "../../src/notebook/kernel/zmtp.js";
import { decode, encode, newHeader, sign } from "../../src/notebook/kernel/wire.js";

test("greeting: 64 bytes, signature, version 3.0, NULL", () => {
  const g = greeting();
  assert.equal(g.length, 64);
  assert.equal(g[0], 0xff);
  assert.equal(g[9], 0x7f);
  assert.equal(g[10], 3);
  assert.equal(g.subarray(12, 16).toString(), "NULL");
});

test("parser: greeting, READY, short and long frames, multipart, byte by byte", () => {
  const long = Buffer.alloc(300, 7);
  const bytes = Buffer.concat([
    greeting(),
    encodeCommand("READY", encodeMetadata({ "Socket-Type": "DEALER", Identity: "" })),
    encodeFrame(Buffer.from("a"), true),
    encodeFrame(long, false),
  ]);
  const p = new ZmtpParser();
  const events: ParserEvent[] = [];
  for (const b of bytes) events.push(...p.push(Buffer.from([b])));
  assert.equal(events.length, 3);
  assert.deepEqual(events[0], { kind: "greeting", major: 3, minor: 0, mechanism: "NULL" });
  assert.equal(events[1]!.kind, "command");
  assert.deepEqual(decodeMetadata((events[1] as { data: Buffer }).data), { "Socket-Type": "DEALER", Identity: "" });
  const msg = events[2] as { kind: "message"; frames: Buffer[] };
  assert.deepEqual(msg.frames.map((f) => f.length), [1, 300]);
  assert.throws(() => new ZmtpParser().push(Buffer.from("GET / HTTP/1.1\r\n")), /not a ZMTP peer/);
  const tooBig = Buffer.concat([greeting(), Buffer.from([0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]);
  assert.throws(() => new ZmtpParser().push(tooBig), /over the limit/);
});

test("Jupyter messages: HMAC-SHA256 signed, a wrong signature refused", () => {
  const key = "secret-key";
  const header = newHeader("execute_request", "s1");
  const frames = encode({ ids: [Buffer.from("peer")], header, parent_header: {}, metadata: {}, content: { code: "1 + 1" } }, key);
  const m = decode(frames, key);
  assert.equal(m.header.msg_type, "execute_request");
  assert.equal(m.content["code"], "1 + 1");
  assert.deepEqual(m.ids.map(String), ["peer"]);
  assert.equal(frames[2]!.toString(), sign(key, frames.slice(3, 7)));
  const forged = [...frames];
  forged[6] = Buffer.from(JSON.stringify({ code: "process.exit()" }));
  assert.throws(() => decode(forged, key), /signature does not match/);
  assert.throws(() => decode([Buffer.from("x")], key), /needs '<IDS\|MSG>'/);
});

test("a ROUTER socket over TCP: handshake, message in, reply out", async () => {
  const router = new ZmtpSocket("ROUTER");
  const port = await router.bind("127.0.0.1", 0);
  router.onMessage = (frames, peer) => peer.send([...frames, "pong"]);
  const sock = connect(port, "127.0.0.1");
  const parser = new ZmtpParser();
  const got: ParserEvent[] = [];
  const replied = new Promise<void>((resolve) =>
    sock.on("data", (d: Buffer) => {
      got.push(...parser.push(d));
      if (got.some((e) => e.kind === "message")) resolve();
    }),
  );
  sock.write(Buffer.concat([greeting(), encodeCommand("READY", encodeMetadata({ "Socket-Type": "DEALER" })), encodeFrame(Buffer.from("ping"), false)]));
  await replied;
  const ready = got.find((e) => e.kind === "command") as { name: string; data: Buffer };
  assert.equal(ready.name, "READY");
  assert.deepEqual(decodeMetadata(ready.data), { "Socket-Type": "ROUTER" });
  const msg = got.find((e) => e.kind === "message") as { frames: Buffer[] };
  assert.deepEqual(msg.frames.map(String), ["ping", "pong"]);
  sock.destroy();
  await router.close();
});
