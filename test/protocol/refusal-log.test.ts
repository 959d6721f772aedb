import { test } from "node:test";
import assert from "node:assert/strict";
import { RefusalLog } from "../../src/protocol/validate-message.js";
import { refusalKind } from "../../src/protocol/tcp.js";
import { AuthenticationError, ConnectError, FrameTooLargeError, HandshakeTimeoutError, ProtocolError, VersionMismatchError } from "../../src/util/errors.js";

function capture() {
  const lines: { fields: Record<string, unknown>; text: string }[] = [];
  return { lines, warn: (fields: Record<string, unknown>, text: string) => void lines.push({ fields, text }) };
}

test("summarising: the first few in full, then one summary line per window, by kind, naming the last peer", () => {
  const { lines, warn } = capture();
  let now = 0;
  const log = new RefusalLog(warn, { noun: "connections", fullLines: 3, now: () => now });
  try {
    for (let i = 0; i < 500; i++) log.refused({ i }, "handshake failed", i % 5 === 0 ? "malformed" : "wrong secret", `tcp://10.0.0.1:${i}`);
    assert.equal(lines.length, 3);
    assert.deepEqual(lines.map((l) => l.fields["i"]), [0, 1, 2]);
    assert.equal(log.pending, 497);
    // the flood goes on into the next window: the summary comes out, and nothing in full
    now = 1000;
    for (let i = 500; i < 600; i++) log.refused({ i }, "handshake failed", "timed out", `tcp://10.0.0.2:${i}`);
    assert.equal(lines.length, 4);
    const summary = lines[3]!;
    assert.equal(summary.fields["refused"], 497);
    assert.deepEqual(summary.fields["byKind"], { "wrong secret": 398, malformed: 99 });
    assert.equal(summary.text, "refused 497 connections in the last second: 398 wrong secret, 99 malformed (last from tcp://10.0.0.1:499)");
    assert.equal(log.pending, 100);
    log.close();
    assert.equal(lines.length, 5);
    assert.match(lines[4]!.text, /^refused 100 connections in the last second: 100 timed out \(last from tcp:\/\/10\.0\.0\.2:599\)$/);
    // every refusal is accounted for: in full or in a summary
    const total = lines.reduce((n, l) => n + (typeof l.fields["refused"] === "number" ? (l.fields["refused"] as number) : 1), 0);
    assert.equal(total, 600);
    // after a quiet window, refusals are logged in full again
    now = 5000;
    log.refused({ i: 600 }, "handshake failed", "wrong secret", "tcp://10.0.0.3:1");
    assert.deepEqual(lines[5], { fields: { i: 600 }, text: "handshake failed" });
  } finally {
    log.close();
  }
});

test("summarising: a timer writes the summary when the flood stops mid-window", async () => {
  const { lines, warn } = capture();
  const log = new RefusalLog(warn, { noun: "connections", fullLines: 1, intervalMs: 50 });
  try {
    for (let i = 0; i < 20; i++) log.refused({ i }, "refused", "malformed", "p");
    assert.equal(lines.length, 1);
    const until = Date.now() + 2000;
    while (lines.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    assert.equal(lines.length, 2);
    assert.equal(lines[1]!.fields["refused"], 19);
    assert.match(lines[1]!.text, /^refused 19 connections in the last 0\.\d s: 19 malformed \(last from p\)$/);
  } finally {
    log.close();
  }
  assert.equal(lines.length, 2, "close() adds nothing when nothing is pending");
});

test("bad RefusalLog settings are named", () => {
  assert.throws(() => new RefusalLog(() => {}, { fullLines: -1 }), /fullLines -1 is not valid/);
  assert.throws(() => new RefusalLog(() => {}, 0), /intervalMs 0 is not valid/);
});

test("failed handshakes are classified by their error", () => {
  assert.equal(refusalKind(new AuthenticationError("x")), "wrong secret");
  assert.equal(refusalKind(new VersionMismatchError("x")), "version mismatch");
  assert.equal(refusalKind(new HandshakeTimeoutError("x")), "timed out");
  assert.equal(refusalKind(new ProtocolError("x")), "malformed");
  assert.equal(refusalKind(new FrameTooLargeError(10, 5)), "malformed");
  assert.equal(refusalKind(new ConnectError("protocol error from tcp://a:1: bad length during the handshake")), "malformed");
  assert.equal(refusalKind(new ConnectError("closed during the handshake")), "hung up");
});
