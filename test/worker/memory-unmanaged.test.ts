/**
 * Paused with nothing left to spill (issue 9 item 4): the worker runs one task at a time instead of
 * staying paused for good, and returns to normal once process memory is under the target line.
 * Pure policy (nextPauseMode) and the monitor with fake samples; the real cluster run is the
 * swap workload of bench/worker-memory.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { nextPauseMode, type PauseMode } from "../../src/worker/memory/thresholds.js";
import { MemoryMonitor } from "../../src/worker/memory/monitor.js";

const at = (processBytes: number, managedBytes: number, limitBytes = 1000) => ({ processBytes, managedBytes, limitBytes });

test("nextPauseMode: paused with nothing to spill, after a settled GC, throttles; resumes fully under target", () => {
  const settled = { gcSettled: true, floorBytes: 20 };
  const fresh = { gcSettled: false, floorBytes: 20 };
  assert.equal(nextPauseMode("running", at(700, 0), settled), "running");
  assert.equal(nextPauseMode("running", at(850, 0), settled), "paused");
  // Managed memory left to spill: stay paused (spilling will lower RSS), GC or not.
  assert.equal(nextPauseMode("paused", at(850, 300), settled), "paused");
  // Nothing to spill, but no collection settled yet: stay paused and re-sample after it.
  assert.equal(nextPauseMode("paused", at(850, 10), fresh), "paused");
  assert.equal(nextPauseMode("paused", at(850, 10), settled), "throttled");
  // Dask's resume below the pause line still holds.
  assert.equal(nextPauseMode("paused", at(790, 10), settled), "running");
  // Throttled until under target (0.6), not merely under pause: no flapping at the pause line.
  assert.equal(nextPauseMode("throttled", at(900, 0), settled), "throttled");
  assert.equal(nextPauseMode("throttled", at(700, 0), settled), "throttled");
  assert.equal(nextPauseMode("throttled", at(590, 0), settled), "running");
  // No limit or pause off: never paused.
  assert.equal(nextPauseMode("paused", at(850, 0, 0), settled), "running");
  assert.equal(nextPauseMode("throttled", at(850, 0), settled, { target: 0.6, spill: 0.7, pause: false, terminate: 0.95 }), "running");
  // Target off: the spill line is the way back.
  const noTarget = { target: false, spill: 0.7, pause: 0.8, terminate: 0.95 } as const;
  assert.equal(nextPauseMode("throttled", at(690, 0), settled, noTarget), "running");
});

test("monitor: paused with unmanaged memory collects garbage, re-samples, then throttles and unthrottles", async () => {
  let rss = 500;
  let managed = 0;
  let clock = 0;
  const events: string[] = [];
  const m = new MemoryMonitor({
    limitBytes: 1000,
    store: { get memoryBytes() { return managed; }, evict: async () => 0 },
    rss: () => rss,
    now: () => clock,
    gcSettleS: 0.5,
    collectGarbage: () => events.push("gc"),
    onPause: (p) => events.push(p ? "pause" : "resume"),
    onThrottle: (t) => events.push(t ? "throttle" : "unthrottle"),
  });
  const modes: PauseMode[] = [];
  const mode = (): PauseMode => (m.throttled ? "throttled" : m.paused ? "paused" : "running");
  const step = async (dt: number, r: number, mg = managed): Promise<void> => {
    clock += dt;
    rss = r;
    managed = mg;
    await m.tick();
    modes.push(mode());
  };
  await step(0.1, 850, 300); // over pause, results still managed: plain pause, no GC yet
  await step(0.1, 850, 0); // all spilled: collect once, wait for it to settle
  await step(0.2, 840); // 0.2 s after the GC: still waiting
  await step(0.4, 830); // settled and still over the pause line: throttle
  await step(0.1, 700); // under pause but over target: still one at a time
  await step(0.1, 550); // under target: back to normal
  assert.deepEqual(modes, ["paused", "paused", "paused", "throttled", "throttled", "running"]);
  // The throttle is set before the resume, so no burst of tasks starts in between.
  assert.deepEqual(events, ["pause", "gc", "throttle", "resume", "unthrottle"]);
  // A GC that frees enough resumes the plain way, with no throttle.
  events.length = 0;
  await step(0.1, 900, 0);
  await step(0.1, 900, 0);
  await step(0.1, 600, 0);
  assert.deepEqual(events, ["pause", "gc", "resume"]);
  assert.equal(mode(), "running");
});
