import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createWorkerMemory, SpillableStore } from "../../src/worker/memory/index.js";
import { DataStore } from "../../src/worker/store.js";

test("no memory limit: an in-memory store and no monitor", async () => {
  const m = createWorkerMemory({ memoryLimitBytes: 0 });
  assert.ok(m.store instanceof DataStore && !(m.store instanceof SpillableStore));
  assert.equal(m.monitor, undefined);
  await m.close();
  const off = createWorkerMemory({ memoryLimitBytes: 1e6, thresholds: { target: false, spill: false } });
  assert.ok(!(off.store instanceof SpillableStore), "spilling turned off");
  assert.ok(off.monitor, "pause/terminate still watched");
  await off.close();
  assert.throws(() => createWorkerMemory({ memoryLimitBytes: -1 }), /memory limit must be a finite number of bytes ≥ 0, got -1/);
  assert.throws(() => createWorkerMemory({ memoryLimitBytes: 1, thresholds: { pause: 2 } }), /'pause' must be a fraction/);
});

test("with a limit, results beyond target × limit spill to --local-directory and read back", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-wm-"));
  try {
    const paused: boolean[] = [];
    const m = createWorkerMemory({ memoryLimitBytes: 1e6, localDirectory: dir, intervalS: 0.01, onPause: (p) => paused.push(p) });
    const s = m.store as SpillableStore;
    for (let i = 0; i < 20; i++) s.set(`k${i}`, new Float64Array(10_000).fill(i));
    for (let i = 0; i < 200 && s.memoryBytes > 600_000; i++) await new Promise((r) => setTimeout(r, 5));
    assert.ok(s.memoryBytes <= 600_000, `managed ${s.memoryBytes} ≤ target`);
    assert.ok(s.spilledCount >= 13);
    assert.equal(s.totalBytes, 20 * 80_000);
    for (let i = 0; i < 20; i++) assert.equal(((await s.load(`k${i}`)) as Float64Array)[9_999], i);
    // This test process is far above a 1 MB limit: the monitor pauses.
    for (let i = 0; i < 100 && paused.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(paused, [true]);
    await m.close();
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("spill files are removed when the worker process exits without closing", () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-wm-exit-"));
  try {
    const script = fileURLToPath(new URL("./memory-fixtures/exit-without-close.js", import.meta.url));
    const r = spawnSync(process.execPath, [script, dir], { encoding: "utf8", timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    const spillDir = r.stdout.trim();
    assert.ok(spillDir.startsWith(dir), spillDir);
    assert.equal(existsSync(spillDir), false);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
