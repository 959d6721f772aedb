import { test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { pino } from "pino";
import { listen, connect, Security, parseAddress, MessageReader, MessageWriter, PROTOCOL_VERSION, type Comm } from "../../src/protocol/index.js";
import { REFUSALS_LOGGED_IN_FULL } from "../../src/protocol/tcp.js";

/** Opens a raw socket, lets `talk` misbehave on it, and waits until the server hangs up. */
function badPeer(address: string, talk: (s: net.Socket, reply: Promise<unknown>) => void): Promise<void> {
  const { host, port } = parseAddress(address);
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port }, () => {
      let gotReply!: (m: unknown) => void;
      const reply = new Promise<unknown>((r) => (gotReply = r));
      const reader = new MessageReader({ onMessage: (m) => gotReply(m) });
      s.on("data", (c) => {
        try {
          reader.feed(c);
        } catch {
          /* the server's bytes are fine; a torn read at close is not our concern */
        }
      });
      talk(s, reply);
    });
    s.on("error", () => {}); // resets are expected: the server drops bad peers
    s.once("close", () => resolve());
    s.once("timeout", () => reject(new Error("bad peer was not dropped")));
    s.setTimeout(10_000);
  });
}

function frames(msg: Record<string, unknown>): Buffer[] {
  const w = new MessageWriter();
  w.write(msg);
  return w.take().map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength));
}

const garbage = (s: net.Socket) => void s.write(Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
const wrongVersion = (s: net.Socket) => {
  for (const c of frames({ op: "tessera-hello", protocol: "tessera", version: PROTOCOL_VERSION + 1, nonce: "ab".repeat(32) })) s.write(c);
};
const forgedProof = (s: net.Socket, reply: Promise<unknown>) => {
  for (const c of frames({ op: "tessera-hello", protocol: "tessera", version: PROTOCOL_VERSION, nonce: "cd".repeat(32) })) s.write(c);
  void reply.then(() => {
    for (const c of frames({ op: "tessera-auth", proof: "00".repeat(32) })) s.write(c);
  });
};

test("1 000 bad connections give a bounded number of log lines, every one counted, while a good client is served", async () => {
  const lines: Record<string, unknown>[] = [];
  // the level a user runs at: what they would see
  const log = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const security = Security.temporary();
  const listener = await listen({
    address: "tcp://127.0.0.1:0",
    security,
    log,
    onComm: (c) => c.onMessage((m) => c.send({ op: "echo", msg: m })),
  });
  const good: Comm = await connect(listener.address, { security });
  const started = Date.now();
  let pings = 0;
  try {
    const kinds = [garbage, wrongVersion, forgedProof, garbage];
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => badPeer(listener.address, kinds[(batch * 50 + i) % kinds.length]!)));
      const echoed = new Promise<any>((r) => good.onMessage(r));
      good.send({ op: "ping", batch });
      assert.equal((await echoed).msg.batch, batch);
      pings++;
    }
  } finally {
    good.close();
    await listener.close();
  }
  const seconds = (Date.now() - started) / 1000;
  assert.equal(pings, 20);
  const warns = lines.filter((l) => l["level"] === 40);
  // the first few in full, then at most one summary a second (+1 for the partial last second, +1 at close)
  assert.ok(warns.length <= REFUSALS_LOGGED_IN_FULL + Math.ceil(seconds) + 2, `${warns.length} warn lines in ${seconds.toFixed(1)} s`);
  assert.equal(warns.slice(0, REFUSALS_LOGGED_IN_FULL).filter((l) => l["msg"] === "handshake failed; connection closed").length, REFUSALS_LOGGED_IN_FULL);
  const summaries = warns.filter((l) => typeof l["refused"] === "number");
  assert.ok(summaries.length >= 1);
  for (const s of summaries) assert.match(String(s["msg"]), /^refused \d+ connections in the last (second|[\d.]+ s): .+ \(last from tcp:\/\/127\.0\.0\.1:\d+\)$/);
  // nothing lost: refusals in full plus those summarised are exactly the bad connections
  const counted = warns.reduce((n, l) => n + (typeof l["refused"] === "number" ? (l["refused"] as number) : 1), 0);
  assert.equal(counted, 1000);
  const byKind: Record<string, number> = {};
  for (const s of summaries) for (const [k, n] of Object.entries(s["byKind"] as Record<string, number>)) byKind[k] = (byKind[k] ?? 0) + n;
  assert.ok((byKind["malformed"] ?? 0) > 400, JSON.stringify(byKind));
  assert.ok((byKind["version mismatch"] ?? 0) > 200, JSON.stringify(byKind));
  assert.ok((byKind["wrong secret"] ?? 0) > 200, JSON.stringify(byKind));
});
