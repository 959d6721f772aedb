import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readdirSync, rmSync, existsSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SpillableStore, MemoryMonitor, spillDirPrefix, sweepStaleSpillDirs, removeSpillDirsOf } from "../../src/worker/memory/index.js";
import { encodeValue, decodeHeader, decodePayload, HEADER_BYTES } from "../../src/worker/memory/spill-codec.js";

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "tessera-spill-test-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const files = (s: SpillableStore) => readdirSync(s.directory);

test("codec round-trips typed arrays raw and other values via msgpack", () => {
  const values: unknown[] = [
    new Float64Array([1.5, -2, Math.PI]), new Int32Array([1, -2, 3]), new BigInt64Array([1n, -2n]), new Uint8Array([255]),
    new Float32Array(new SharedArrayBuffer(16)).fill(0.5), { a: [1, "x", null], b: new Float64Array([7]) }, "text", 42, null, [1n],
    // array blocks: fields packed, data raw after them (8-byte aligned whatever the fields' size)
    { dtype: "float64", shape: [2, 2], data: new Float64Array([1, 2, 3, 4]) }, { dtype: "int32", shape: [3], name: "x".repeat(5), data: new Int32Array([5, 6, 7]) },
  ];
  for (const v of values) {
    const { header, parts, payloadBytes } = encodeValue(v);
    const h = decodeHeader(header, "mem");
    const copy = new Uint8Array(payloadBytes);
    let at = 0;
    for (const p of parts) (copy.set(p, at), (at += p.byteLength));
    assert.equal(at, payloadBytes);
    assert.deepEqual(decodePayload(h, copy), v instanceof Float32Array ? new Float32Array(4).fill(0.5) : v);
  }
  assert.equal(encodeValue(new Float64Array(3)).payloadBytes, 24, "typed arrays are written raw");
  const block = encodeValue({ dtype: "float64", shape: [3], data: new Float64Array([1, 2, 3]) });
  assert.equal(block.header[4], 2, "an array block is written as a block");
  assert.equal(block.parts[1]!.byteLength, 24, "its data raw, uncopied");
  assert.equal(block.parts[0]!.byteLength % 8, 0, "its data starts 8-byte aligned");
  assert.throws(() => decodeHeader(new Uint8Array(HEADER_BYTES), "f.spill"), /spill file f.spill is not a Tessera spill file/);
  assert.throws(() => decodeHeader(new Uint8Array(3), "f.spill"), /truncated/);
});

test("values above target spill to real files, least recently used first, and read back transparently", withDir(async (dir) => {
  const s = new SpillableStore({ directory: dir, targetBytes: 3 * 8000 });
  const arr = (v: number) => new Float64Array(1000).fill(v);
  s.set("a", arr(1));
  s.set("b", arr(2));
  s.set("c", arr(3));
  assert.equal(s.get("a") instanceof Float64Array, true); // a is now most recently used: b is the oldest
  s.set("d", arr(4));
  s.set("meta", { note: "small object", n: 5 }, 8000);
  await s.evict(0); // wait for the spill in flight
  while (s.memoryBytes > 3 * 8000) await new Promise((r) => setTimeout(r, 5));
  assert.equal(s.isSpilled("b"), true);
  assert.equal(s.isSpilled("c"), true);
  assert.equal(s.isSpilled("a"), false);
  assert.equal(s.spilledCount, 2);
  assert.equal(s.spilledBytes, 16000);
  assert.equal(s.memoryBytes, 24000);
  assert.equal(s.totalBytes, 40000);
  assert.equal(s.size, 5);
  assert.equal(files(s).length, 2);
  assert.ok(s.diskBytes >= 16000 + 2 * 16);
  assert.deepEqual(s.keys().slice(0, 2).sort(), ["b", "c"]); // spilled (in either order) before those in memory
  // Read back: async (shared memory by default), concurrent loads share one read.
  const [b1, b2] = await Promise.all([s.load("b"), s.load("b")]);
  assert.equal(b1, b2);
  assert.deepEqual(b1, arr(2));
  assert.ok((b1 as Float64Array).buffer instanceof SharedArrayBuffer);
  assert.equal(s.isSpilled("b"), false);
  // Sync read-back works too.
  await s.evict(0);
  const c = s.isSpilled("c") ? s.get("c") : await s.load("c");
  assert.deepEqual(c, arr(3));
  assert.equal(s.stats.unspillCount >= 2, true);
  // Everything eventually settles under target again.
  for (let i = 0; i < 100 && s.memoryBytes > 24000; i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(s.memoryBytes <= 24000);
  assert.equal(s.totalBytes, 40000);
  for (const k of ["a", "b", "c", "d"]) assert.deepEqual(await s.load(k), arr(k.charCodeAt(0) - 96));
  assert.deepEqual(await s.load("meta"), { note: "small object", n: 5 });
  await s.close();
  assert.equal(existsSync(s.directory), false, "spill directory removed on close");
}));

test("evict() spills on request; deleting a spilled key removes its file; missing keys reject", withDir(async (dir) => {
  const s = new SpillableStore({ directory: dir });
  for (let i = 0; i < 10; i++) s.set(`k${i}`, new Uint8Array(1000).fill(i));
  assert.equal(s.spilledCount, 0, "no target: nothing spills on set");
  const spilled = await s.evict(2500);
  assert.equal(spilled, 3000);
  // The three least recently used went to disk (written concurrently, so in any order).
  assert.deepEqual(s.keys().slice(0, 3).sort(), ["k0", "k1", "k2"]);
  assert.equal(s.spilledCount, 3);
  assert.equal(s.delete("k1"), true);
  assert.equal(s.has("k1"), false);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(files(s).length, 2);
  s.set("k0", "replaced");
  assert.equal(s.isSpilled("k0"), false);
  assert.equal(s.get("k0"), "replaced");
  await assert.rejects(s.load("nope"), /key 'nope' is not in this worker's data store/);
  assert.equal(s.get("nope"), undefined);
  assert.equal(await s.evict(1e9), 7000 + 32, "everything left in memory (7 arrays + the string) spilled");
  await s.close();
  assert.equal(existsSync(s.directory), false);
  assert.throws(() => s.set("x", 1), /closed/);
}));

test("a value deleted while it is being written leaves no file; maxSpillBytes caps the disk", withDir(async (dir) => {
  const s = new SpillableStore({ directory: dir, maxSpillBytes: 2000 });
  s.set("x", new Uint8Array(1_000_000));
  const p = s.evict(1);
  s.delete("x");
  assert.equal(await p, 0);
  for (let i = 0; i < 50 && files(s).length > 0; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(files(s).length, 0);
  for (let i = 0; i < 5; i++) s.set(`s${i}`, new Uint8Array(1000));
  assert.equal(await s.evict(5000), 2000);
  assert.equal(s.spilledBytes, 2000);
  await s.close();
}));

test("a disk that fails turns spilling off with a clear error and keeps the values", withDir(async (dir) => {
  const errors: string[] = [];
  const s = new SpillableStore({ directory: dir, onSpillError: (e) => errors.push(e.message) });
  s.set("a", new Float64Array(10).fill(1));
  rmSync(s.directory, { recursive: true, force: true });
  writeFileSync(s.directory, "not a directory");
  chmodSync(s.directory, 0o400);
  assert.equal(await s.evict(80), 0);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /spilling 'a' to .* failed, spilling is now off and values stay in memory/);
  assert.ok(s.spillError);
  assert.deepEqual(s.get("a"), new Float64Array(10).fill(1));
  await s.close();
  const blocker = join(dir, "a-file");
  writeFileSync(blocker, "x");
  assert.throws(() => new SpillableStore({ directory: join(blocker, "sub") }), /cannot create a spill directory in '.*a-file\/sub'.*pass a writable --local-directory/);
}));

test("the memory monitor spills, pauses, resumes and reports the terminate line", withDir(async (dir) => {
  const s = new SpillableStore({ directory: dir });
  for (let i = 0; i < 10; i++) s.set(`k${i}`, new Uint8Array(100).fill(i));
  let rss = 500;
  let clock = 0;
  const events: string[] = [];
  const m = new MemoryMonitor({
    limitBytes: 1000,
    store: s,
    rss: () => rss,
    now: () => (clock += 10), // every tick is past the release grace period
    releaseGraceS: 1,
    onPause: (p) => events.push(p ? "pause" : "resume"),
    onSpill: (i) => events.push(`spill ${i.reason} ${i.requestedBytes}→${i.spilledBytes}`),
    onTerminate: () => events.push("terminate"),
  });
  // Managed 1000 bytes > 600 target: spill 400.
  assert.equal((await m.tick())?.reason, "target");
  assert.equal(s.memoryBytes, 600);
  rss = 850; // process above spill and pause: spill down toward target (250 → 300 in whole values) and pause
  await m.tick();
  assert.equal(m.paused, true);
  rss = 960;
  await m.tick();
  rss = 100;
  await m.tick();
  assert.equal(m.paused, false);
  assert.deepEqual(events, ["spill target 400→400", "pause", "spill spill 250→300", "terminate", "spill spill 300→300", "resume"]);
  m.start();
  m.stop();
  await s.close();
}));

test("stale spill directories of dead processes on this host are swept; live and other hosts' are kept", withDir(async (dir) => {
  const { spawnSync } = await import("node:child_process");
  const dead = spawnSync(process.execPath, ["-e", "0"]).pid!;
  const mine = spillDirPrefix(process.pid);
  const deadDir = join(dir, `${spillDirPrefix(dead)}abc`);
  const liveDir = join(dir, `${mine}abc`);
  const otherHost = join(dir, `tessera-spill-some-other-node-${dead}-abc`);
  for (const d of [deadDir, liveDir, otherHost]) mkdirSync(d);
  writeFileSync(join(deadDir, "1.spill"), "x");
  assert.deepEqual(await sweepStaleSpillDirs(dir), [deadDir]);
  assert.deepEqual(readdirSync(dir).sort(), [otherHost, liveDir].map((p) => p.slice(dir.length + 1)).sort());
  assert.deepEqual(await removeSpillDirsOf(dir, process.pid), [liveDir]);
  assert.deepEqual(await sweepStaleSpillDirs(join(dir, "missing")), []);
}));

test("after a spill the monitor expects RSS to fall and does not spill again while V8 catches up", withDir(async (dir) => {
  const s = new SpillableStore({ directory: dir });
  for (let i = 0; i < 10; i++) s.set(`k${i}`, new Uint8Array(100));
  let clock = 0;
  const spills: number[] = [];
  const m = new MemoryMonitor({ limitBytes: 2000, store: s, rss: () => 1500, now: () => clock, releaseGraceS: 1, onSpill: (i) => spills.push(i.spilledBytes) });
  await m.tick(); // process 1500 > spill 1400: evict down to target 1200 → 300 bytes
  assert.deepEqual(spills, [300]);
  clock = 0.5; // RSS still reads 1500 (no GC yet) but the spill is credited: nothing more to do
  await m.tick();
  assert.deepEqual(spills, [300]);
  assert.equal(m.lastSample?.processBytes, 1200);
  clock = 2; // grace over and RSS never fell: spill again
  await m.tick();
  assert.deepEqual(spills, [300, 300]);
  await s.close();
}));

test("a range of a spilled array block is read alone and the block stays on disk; loadArgs reads only the ranges a task names", withDir(async (dir) => {
  const { loadArgs } = await import("../../src/worker/load-args.js");
  const { rangeRef } = await import("../../src/graph/range-ref.js");
  const s = new SpillableStore({ directory: dir });
  const block = (v: number) => ({ dtype: "float64", shape: [100, 10], data: new Float64Array(1000).map((_, i) => v * 10_000 + i) });
  s.set("x", block(1), 8000);
  s.set("y", block(2), 8000);
  s.set("plain", new Float64Array([1, 2, 3]));
  assert.equal(await s.evict(1e9), 16024);
  const before = s.stats.readBytes;
  const piece = (await s.peekRange("x", 250, 20)) as { dtype: string; shape: number[]; data: Float64Array };
  assert.deepEqual(piece, { dtype: "float64", shape: [20], data: new Float64Array(20).map((_, i) => 10_250 + i) });
  assert.ok(s.stats.readBytes - before < 1000, `read ${s.stats.readBytes - before} bytes for a 160-byte range of an 8000-byte block`);
  assert.equal(s.isSpilled("x"), true, "the block stays on disk");
  assert.equal(await s.peekRange("x", 990, 20), undefined, "out of bounds");
  assert.deepEqual(await s.peekRange("plain", 1, 2), undefined, "a bare typed array is not a block");
  // a task reading x only through ranges, y both whole and through a range
  const args = [[rangeRef("x", 0, 3, 8), rangeRef("x", 997, 3, 8)], { $ref: "y" }, rangeRef("y", 5, 2, 8)];
  const [xs, y, yr] = (await loadArgs(args, s)) as [{ $range: { data: Float64Array }; start: number; length: number }[], { data: Float64Array }, { $range: { data: Float64Array }; start: number; length: number }];
  assert.deepEqual(xs.map((r) => [...r.$range.data.subarray(r.start, r.start + r.length)]), [[10_000, 10_001, 10_002], [10_997, 10_998, 10_999]]);
  assert.equal(s.isSpilled("x"), true, "x was read by ranges only");
  assert.equal(y.data[5], 20_005);
  assert.deepEqual([...yr.$range.data.subarray(yr.start, yr.start + yr.length)], [20_005, 20_006]);
  assert.equal(s.isSpilled("y"), false, "y, needed whole, came back into memory");
  await s.close();
}));
