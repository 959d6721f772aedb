// The worker's transfer/spill bookkeeping and CPU meter (pure logic), and the scheduler's checks of
// the heartbeat fields that carry them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ActivityLog, CpuMeter, cpuPercentBetween } from "../../src/worker/activity.js";
import { invalidWorkerMessage } from "../../src/protocol/validate-message.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { wireWorkerMemory } from "../../src/worker/memory-wiring.js";
import { createLogger } from "../../src/util/log.js";

const span = (i: number) => ({ action: "transfer" as const, start: i, stop: i + 1, bytes: 8 * i, keys: 1, peer: "tcp://p:1" });

test("ActivityLog keeps spans in order and drains empty", () => {
  const log = new ActivityLog(4);
  for (let i = 0; i < 3; i++) log.record(span(i));
  assert.equal(log.size, 3);
  const d = log.drain();
  assert.deepEqual(d.spans.map((s) => s.start), [0, 1, 2]);
  assert.equal(d.dropped, 0);
  assert.deepEqual(log.drain(), { spans: [], dropped: 0 });
});

test("ActivityLog drops the oldest beyond its bound and counts them", () => {
  const log = new ActivityLog(4);
  for (let i = 0; i < 11; i++) log.record(span(i));
  assert.equal(log.size, 4);
  const d = log.drain();
  assert.deepEqual(d.spans.map((s) => s.start), [7, 8, 9, 10]);
  assert.equal(d.dropped, 7);
  log.record(span(20));
  assert.deepEqual(log.drain().spans.map((s) => s.start), [20]);
  assert.throws(() => new ActivityLog(0), /maxSpans 0 is not a positive integer/);
});

test("cpuPercentBetween: CPU microseconds over wall microseconds, in percent of one core", () => {
  assert.equal(cpuPercentBetween({ user: 0, system: 0, at: 0 }, { user: 150_000, system: 50_000, at: 100 }), 200);
  assert.equal(cpuPercentBetween({ user: 0, system: 0, at: 5 }, { user: 10, system: 0, at: 5 }), undefined);
  const meter = new CpuMeter();
  const end = performance.now() + 30;
  while (performance.now() < end) {
    // busy: this thread uses CPU
  }
  const pct = meter.sample();
  assert.ok(pct !== undefined && pct > 10, `a busy loop used ${pct} % of a core`);
});

test("heartbeat validation accepts cpuPercent and spans, refuses bad ones with the field named", () => {
  const metrics = { managedBytes: 0, rss: 1, executing: 0, ready: 0, inMemory: 0 };
  assert.equal(invalidWorkerMessage({ op: "heartbeat-worker", metrics: { ...metrics, cpuPercent: 12.5 }, spans: [span(1), { action: "spill", start: 1, stop: 2, bytes: 3, keys: 0 }], droppedSpans: 2 }), null);
  assert.match(invalidWorkerMessage({ op: "heartbeat-worker", metrics: { ...metrics, cpuPercent: -1 } }) ?? "", /metrics/);
  assert.match(invalidWorkerMessage({ op: "heartbeat-worker", metrics, spans: [{ ...span(1), action: "nap" }] }) ?? "", /'spans' entries need action/);
  assert.match(invalidWorkerMessage({ op: "heartbeat-worker", metrics, spans: [{ ...span(1), bytes: "8" }] }) ?? "", /numeric start, stop, bytes and keys/);
  assert.match(invalidWorkerMessage({ op: "heartbeat-worker", metrics, spans: [{ ...span(1), peer: 3 }] }) ?? "", /'peer' must be a string/);
  assert.match(invalidWorkerMessage({ op: "heartbeat-worker", metrics, spans: {} }) ?? "", /'spans' must be an array/);
  assert.match(invalidWorkerMessage({ op: "heartbeat-worker", metrics, droppedSpans: -1 }) ?? "", /'droppedSpans' must be an integer ≥ 0/);
});

test("memory wiring reports each spill round to the worker (start, stop, bytes written)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-activity-"));
  // This test process is far above a 1 MB limit: the monitor spills what the store holds.
  const w = wireWorkerMemory({ memoryLimitBytes: 1e6, localDirectory: dir, intervalS: 0.01, log: createLogger("test", { level: "silent" }) });
  try {
    const spills: { start: number; stop: number; bytes: number }[] = [];
    w.attach({ setPaused: () => undefined, collectGarbage: () => undefined, recordSpill: (start, stop, bytes) => spills.push({ start, stop, bytes }) });
    for (let i = 0; i < 4; i++) w.store.set(`x-${i}`, new Float64Array(50_000).fill(i));
    for (let i = 0; i < 300 && spills.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(spills.length > 0, "a spill round was reported");
    const s = spills[0]!;
    assert.ok(s.bytes >= 400_000, `spilled ${s.bytes} bytes (at least one 400 kB array)`);
    assert.ok(s.start <= s.stop && s.stop <= Date.now(), `span ${s.start}..${s.stop}`);
  } finally {
    await w.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
