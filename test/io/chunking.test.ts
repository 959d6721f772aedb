// Pure logic of block planning and byte-range mapping (no files).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkWriteAlignment, readChunks } from "../../src/array/io/aligned-chunks.js";
import { copyBox } from "../../src/array/io/copy.js";
import { forEachRun } from "../../src/array/io/runs.js";
import { checkOptions } from "../../src/array/io/options.js";
import { DEFAULT_CHUNK_BYTES } from "../../src/array/index.js";

test("default read blocks are whole storage chunks, inner axes first, within the byte target", () => {
  assert.deepEqual(readChunks(undefined, [100, 60], "float64", [30, 20], "c"), [[100], [60]]);
  const big = readChunks(undefined, [4800, 721, 1440], "float32", [12, 721, 1440], "c");
  const block = big[0]![0]!;
  assert.equal(block % 12, 0, "a block holds whole storage chunks");
  assert.deepEqual([big[1], big[2]], [[721], [1440]]);
  assert.ok(block * 721 * 1440 * 4 <= DEFAULT_CHUNK_BYTES && (block + 12) * 721 * 1440 * 4 > DEFAULT_CHUNK_BYTES);
  // A storage chunk bigger than the target is still read whole, never split.
  assert.deepEqual(readChunks(undefined, [10, 8000, 8000], "float64", [1, 8000, 8000], "c"), [Array(10).fill(1), [8000], [8000]]);
  assert.deepEqual(readChunks([5, 7], [10, 14], "float64", [3, 3], "c"), [[5, 5], [7, 7]], "explicit chunks are taken as given");
});

test("write alignment: block boundaries must be multiples of the storage chunks", () => {
  checkWriteAlignment([[10, 10, 5], [7]], [5, 7], "w");
  checkWriteAlignment([[4, 3, 3]], [1], "w");
  assert.throws(() => checkWriteAlignment([[4, 3, 3]], [4], "w"), { code: "TESSERA_ERR_IO_ALIGNMENT", message: /axis 0 .*boundary at 7 is not a multiple of 4/ });
});

test("forEachRun covers exactly the box, in C order, with merged runs; copyBox agrees", () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
    fc.tuple(fc.constant(shape), fc.tuple(...shape.map((n) => fc.integer({ min: 0, max: n - 1 })))).chain(([s, start]) =>
      fc.tuple(fc.constant(s), fc.constant(start), fc.tuple(...s.map((n, k) => fc.integer({ min: 1, max: n - start[k]! })))))), ([shape, start, count]) => {
    const strides = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
    const want: number[] = [];
    const rec = (k: number, off: number): void => {
      if (k === shape.length) { want.push(off); return; }
      for (let i = 0; i < count[k]!; i++) rec(k + 1, off + (start[k]! + i) * strides[k]!);
    };
    rec(0, 0);
    const got: number[] = [];
    forEachRun(shape, start, count, (off, len) => { for (let i = 0; i < len; i++) got.push(off + i); });
    assert.deepEqual(got, want);
    const src = Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i);
    const dst = new Float64Array(want.length);
    copyBox(src, shape, dst, count, { srcStart: start, dstStart: count.map(() => 0), count });
    assert.deepEqual([...dst], want);
  }));
});

test("unknown options name the closest valid one", () => {
  assert.throws(() => checkOptions({ overwirte: true }, ["overwrite", "path"], "toZarr"), { code: "TESSERA_ERR_IO_OPTIONS", message: /unknown option 'overwirte' \(did you mean 'overwrite'\?\)/ });
  assert.throws(() => checkOptions(3 as never, ["a"], "f"), /options must be an object/);
});
