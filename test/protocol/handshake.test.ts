import { test } from "node:test";
import assert from "node:assert/strict";
import { ClientHandshake, ServerHandshake, PROTOCOL_VERSION, type HandshakeMessage, type HandshakeStep } from "../../src/protocol/handshake.js";
import { HandshakeAdmission } from "../../src/protocol/admission.js";
import { pino } from "pino";
import { AuthenticationError, VersionMismatchError, ProtocolError } from "../../src/util/errors.js";

const SECRET = "a".repeat(64);

function sent(step: HandshakeStep): HandshakeMessage {
  assert.ok(step.kind === "send", `expected a message to send, got ${step.kind}`);
  return step.msg;
}

test("matching secrets: both sides finish, and the secret never appears in any message", () => {
  const server = new ServerHandshake(SECRET);
  const client = new ClientHandshake(SECRET, "tcp://s:1");
  const hello = client.hello();
  const challenge = sent(server.receive(hello));
  const auth = sent(client.receive(challenge));
  const done = server.receive(auth);
  assert.equal(done.kind, "done");
  assert.ok(done.kind === "done" && done.send);
  assert.equal(client.receive(done.send!).kind, "done");
  for (const m of [hello, challenge, auth, done.send!]) assert.ok(!JSON.stringify(m).includes(SECRET));
});

test("a client with the wrong secret is refused by the server, which says why", () => {
  const server = new ServerHandshake(SECRET);
  // the client also detects that the server's proof does not match its (wrong) secret
  const bad = new ClientHandshake("b".repeat(64), "tcp://s:1");
  const challenge = sent(server.receive(bad.hello()));
  const r = bad.receive(challenge);
  assert.ok(r.kind === "failed" && r.error instanceof AuthenticationError && /could not prove/.test(r.error.message));
  // a client that ignores the server's proof and answers anyway is refused
  const forged = server.receive({ op: "tessera-auth", proof: "0".repeat(64) });
  assert.ok(forged.kind === "failed" && forged.error instanceof AuthenticationError);
  assert.ok(forged.kind === "failed" && forged.send?.op === "tessera-refused");
  const clientView = new ClientHandshake(SECRET, "tcp://s:1").receive(forged.send!);
  assert.ok(clientView.kind === "failed" && clientView.error instanceof AuthenticationError && /refused the connection: authentication failed/.test(clientView.error.message));
});

test("a proof cannot be reflected: the server's proof is not a valid client proof", () => {
  const server = new ServerHandshake(SECRET);
  const client = new ClientHandshake(SECRET, "tcp://s:1");
  const challenge = sent(server.receive(client.hello()));
  const r = server.receive({ op: "tessera-auth", proof: challenge["proof"] });
  assert.equal(r.kind, "failed");
});

test("version mismatch: a clear error on both sides", () => {
  const server = new ServerHandshake(SECRET);
  const r = server.receive({ op: "tessera-hello", protocol: "tessera", version: PROTOCOL_VERSION + 1, nonce: "c".repeat(64) });
  assert.ok(r.kind === "failed" && r.error instanceof VersionMismatchError);
  assert.match(r.error.message, new RegExp(`server speaks Tessera protocol ${PROTOCOL_VERSION}, the client speaks ${PROTOCOL_VERSION + 1}`));
  const c = new ClientHandshake(SECRET, "tcp://s:1").receive(r.send!);
  assert.ok(c.kind === "failed" && c.error instanceof VersionMismatchError && /tcp:\/\/s:1 refused.*protocol version mismatch/.test(c.error.message));
  // a client seeing a newer server version refuses on its own
  const c2 = new ClientHandshake(SECRET, "tcp://s:1");
  c2.hello();
  const r2 = c2.receive({ op: "tessera-challenge", version: 99, nonce: "d".repeat(64), proof: "x" });
  assert.ok(r2.kind === "failed" && r2.error instanceof VersionMismatchError);
});

test("out-of-order or foreign messages fail the handshake", () => {
  const s = new ServerHandshake(SECRET);
  const r = s.receive({ op: "update-graph" });
  assert.ok(r.kind === "failed" && r.error instanceof ProtocolError);
  const s2 = new ServerHandshake(SECRET);
  const r2 = s2.receive({ op: "tessera-hello", protocol: "tessera", version: PROTOCOL_VERSION, nonce: "short" });
  assert.ok(r2.kind === "failed" && /nonce/.test(r2.error.message));
});

test("admission: per-source and total caps evict the oldest silent connection of the busiest source, never the newcomer", () => {
  const evictedSources: string[] = [];
  const gate = new HandshakeAdmission({ maxPending: 4, maxPendingPerSource: 2 }, (source) => evictedSources.push(source));
  const closed: string[] = [];
  const conn = (name: string, source: string) => gate.admit(source, () => closed.push(name));
  const a1 = conn("a1", "A");
  conn("a2", "A");
  a1.talking(); // a1 sent its hello: a2, still silent, goes first
  conn("a3", "A");
  assert.deepEqual(closed, ["a2"]);
  assert.equal(gate.pendingFrom("A"), 2);
  conn("a4", "A"); // a3 is silent, a1 talking: a3 goes
  assert.deepEqual(closed, ["a2", "a3"]);
  a1.talking();
  const b1 = conn("b1", "B");
  conn("b2", "B");
  assert.equal(gate.pending, 4);
  // total cap: a third source gets in; the busiest source (A and B tie: the first found) loses its oldest
  conn("c1", "C");
  assert.equal(closed.length, 3);
  assert.equal(gate.pending, 4);
  assert.deepEqual(evictedSources, ["A", "A", "A"]);
  b1.release();
  b1.release();
  assert.equal(gate.pending, 3);
  assert.throws(() => new HandshakeAdmission({ maxPending: 0, maxPendingPerSource: 1 }, () => undefined), /maxPendingHandshakes 0 is not valid/);
});
