import { test } from "node:test";
import assert from "node:assert/strict";
import { decideMemory, defaultMemoryThresholds, validateThresholds } from "../../src/worker/memory/thresholds.js";

const GB = 1e9;
const at = (processBytes: number, managedBytes: number, limitBytes = 10 * GB) => ({ processBytes, managedBytes, limitBytes });

test("Dask's defaults: target 0.6 managed, spill 0.7 process, pause 0.8, terminate 0.95", () => {
  assert.deepEqual(defaultMemoryThresholds, { target: 0.6, spill: 0.7, pause: 0.8, terminate: 0.95 });
  assert.deepEqual(decideMemory(at(5 * GB, 5 * GB)), { spillBytes: 0, paused: false, terminate: false, reason: "none" });
  // Managed above target: spill down to target.
  assert.deepEqual(decideMemory(at(6.5 * GB, 6.5 * GB)), { spillBytes: 0.5 * GB, paused: false, terminate: false, reason: "target" });
  // Process above spill (managed under target): spill until process would be under target.
  assert.deepEqual(decideMemory(at(7.5 * GB, 4 * GB)), { spillBytes: 1.5 * GB, paused: false, terminate: false, reason: "spill" });
  // Cannot spill more than is managed.
  assert.equal(decideMemory(at(7.5 * GB, 1 * GB)).spillBytes, 1 * GB);
  assert.deepEqual(decideMemory(at(8.5 * GB, 5 * GB)), { spillBytes: 2.5 * GB, paused: true, terminate: false, reason: "spill" });
  assert.deepEqual(decideMemory(at(9.6 * GB, 0)), { spillBytes: 0, paused: true, terminate: true, reason: "none" });
});

test("thresholds can be turned off or moved; no limit means no action", () => {
  const off = { target: false, spill: false, pause: false, terminate: false } as const;
  assert.deepEqual(decideMemory(at(9.9 * GB, 9.9 * GB), off), { spillBytes: 0, paused: false, terminate: false, reason: "none" });
  // Spill without target: evict down to the spill line.
  assert.equal(decideMemory(at(8 * GB, 5 * GB), { ...off, spill: 0.7 }).spillBytes, 1 * GB);
  assert.equal(decideMemory(at(6 * GB, 6 * GB), { ...defaultMemoryThresholds, target: 0.5 }).spillBytes, 1 * GB);
  assert.deepEqual(decideMemory(at(100 * GB, 100 * GB, 0)), { spillBytes: 0, paused: false, terminate: false, reason: "none" });
  assert.throws(() => validateThresholds({ ...defaultMemoryThresholds, pause: 80 }), /memory threshold 'pause' must be a fraction in \(0, 1\] or false, got 80/);
  assert.throws(() => validateThresholds({ ...defaultMemoryThresholds, target: 0 }), /'target'/);
});
