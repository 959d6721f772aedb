// ReleaseTracker (src/worker/executor/gc.ts): dropped chunk buffers are collected once enough bytes
// were let go of, so their memory goes back instead of piling up until V8 happens to collect; the
// young-first mode (task threads) frees young buffers with young-generation collections.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ReleaseTracker } from "../../src/worker/executor/gc.js";

const MiB = 1024 * 1024;

function churn(tracker: ReleaseTracker, rounds: number): number {
  let peak = 0;
  for (let i = 0; i < rounds; i++) {
    const b = new Float64Array(new SharedArrayBuffer(32 * MiB));
    for (let j = 0; j < b.length; j += 512) b[j] = i; // touch every page
    tracker.released(b.byteLength);
    peak = Math.max(peak, process.memoryUsage.rss());
  }
  return peak;
}

test("dropped 32 MiB buffers are collected every 64 MiB released, in both modes: RSS stays bounded", () => {
  const before = process.memoryUsage.rss();
  for (const youngFirst of [false, true]) {
    const t = new ReleaseTracker(64 * MiB, youngFirst);
    const peak = churn(t, 24); // 768 MiB let go of in all
    assert.equal(t.collections, 12);
    assert.ok(peak - before < 400 * MiB, `youngFirst ${youngFirst}: RSS grew by ${((peak - before) / MiB).toFixed(0)} MiB for 768 MiB churned`);
  }
});
