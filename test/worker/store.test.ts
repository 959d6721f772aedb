import { test } from "node:test";
import assert from "node:assert/strict";
import { DataStore, MissingKeyError } from "../../src/worker/store.js";

test("DataStore keeps values with byte accounting", async () => {
  const s = new DataStore();
  s.set("a", new Float64Array(10));
  s.set("b", 42);
  s.set("c", { x: "hi" }, 1000);
  assert.equal(s.size, 3);
  assert.equal(s.nbytes("a"), 80);
  assert.equal(s.nbytes("c"), 1000);
  assert.equal(s.totalBytes, 80 + 8 + 1000);
  assert.equal(s.memoryBytes, s.totalBytes);
  assert.equal(s.spilledBytes, 0);
  assert.equal(s.get("b"), 42);
  assert.deepEqual(await s.load("c"), { x: "hi" });
  s.set("a", new Float64Array(2)); // replace: old bytes released
  assert.equal(s.totalBytes, 16 + 8 + 1000);
  assert.equal(s.delete("b"), true);
  assert.equal(s.delete("b"), false);
  assert.equal(s.has("b"), false);
  assert.equal(s.get("b"), undefined);
  assert.equal(s.totalBytes, 16 + 1000);
  await assert.rejects(s.load("zz"), (e: Error) => e instanceof MissingKeyError && /key 'zz' is not in this worker's data store/.test(e.message));
  s.set("u", undefined);
  assert.equal(s.has("u"), true);
  assert.throws(() => s.set("bad", 1, -1), /nbytes for 'bad' must be a finite number ≥ 0, got -1/);
  await s.close();
  assert.equal(s.size, 0);
  assert.equal(s.totalBytes, 0);
});

test("DataStore keys are in least-recently-used order; reads and writes refresh", async () => {
  const s = new DataStore();
  for (const k of ["a", "b", "c", "d"]) s.set(k, k);
  assert.deepEqual(s.keys(), ["a", "b", "c", "d"]);
  s.get("a");
  assert.deepEqual(s.keys(), ["b", "c", "d", "a"]);
  await s.load("c");
  assert.deepEqual(s.keys(), ["b", "d", "a", "c"]);
  s.set("b", "again");
  assert.deepEqual(s.keys(), ["d", "a", "c", "b"]);
  assert.equal(s.has("d"), true);
  assert.deepEqual(s.keys(), ["d", "a", "c", "b"], "has() does not refresh");
});
