import { test } from "node:test";
import assert from "node:assert/strict";
import { normalizeChunks, DEFAULT_CHUNK_BYTES } from "../../src/array/chunks.js";

test("normalizeChunks: sizes per axis, -1/null, explicit blocks", () => {
  assert.deepEqual(normalizeChunks(4, [10, 3], "float64"), [[4, 4, 2], [3]]);
  assert.deepEqual(normalizeChunks([5, -1], [10, 3], "float64"), [[5, 5], [3]]);
  assert.deepEqual(normalizeChunks([null, 2], [4, 3], "float64"), [[4], [2, 1]]);
  assert.deepEqual(normalizeChunks([[3, 7], [1, 1, 1]], [10, 3], "float64"), [[3, 7], [1, 1, 1]]);
  assert.deepEqual(normalizeChunks(5, [0], "float64"), [[0]]);
  assert.deepEqual(normalizeChunks([], [], "float64"), []);
});

test("normalizeChunks: byte sizes and 'auto'", () => {
  // 200 MB of float64 pairs: 12.5e6 rows × 2.
  assert.deepEqual(normalizeChunks("200MB", [5e7, 2], "float64").map((c) => c[0]), [12_500_000, 2]);
  const auto = normalizeChunks("auto", [1e5, 1e5], "float64");
  const bytes = auto[0]![0]! * auto[1]![0]! * 8;
  assert.ok(bytes <= DEFAULT_CHUNK_BYTES && bytes > DEFAULT_CHUNK_BYTES / 4, `auto chunk of ${bytes} bytes`);
  assert.deepEqual(normalizeChunks(["auto", 10], [100, 10], "float64"), [[100], [10]]);
  assert.deepEqual(normalizeChunks(undefined, [7], "uint8"), [[7]]);
});

test("normalizeChunks: bad input names the argument", () => {
  assert.throws(() => normalizeChunks([[3, 3]], [10], "float64"), /chunks\[0\]: blocks \[3, 3\] sum to 6, but axis 0 has length 10/);
  assert.throws(() => normalizeChunks([2], [10, 3], "float64"), /has 1 entries but the shape \[10, 3\] has 2 axes/);
  assert.throws(() => normalizeChunks(0, [10], "float64"), /0 is not a positive integer block size/);
  assert.throws(() => normalizeChunks([2.5], [10], "float64"), /2.5 is not a positive integer/);
  assert.throws(() => normalizeChunks("12XB", [10], "float64"), /'12XB' is neither 'auto' nor a byte size/);
  assert.throws(() => normalizeChunks([[-1, 11]], [10], "float64"), /-1 is not a non-negative integer/);
});
