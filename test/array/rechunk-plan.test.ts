// rechunk's graph: one task per output block reading range pieces, a split only for input blocks
// whose pieces are not contiguous; O(input blocks + output blocks) tasks for tiles → rows/columns
// and for swapping which axis is whole (counted at 100 × 100 blocks); values exact for any pair of
// chunkings.
import { test } from "node:test";
import assert from "node:assert/strict";
import "../../src/graph/execute.js";
import { fromArray, NDArray, zeros, type TArray } from "../../src/array/index.js";
import { contiguous } from "../../src/array/rechunk.js";
import { isRangeRef } from "../../src/graph/range-ref.js";
import { isTask, type Graph } from "../../src/graph/spec.js";
import { ARRAY_OPS } from "../../src/array/ops-names.js";

function lcg(seed: number): (m: number) => number {
  let s = seed;
  return (m) => { s = (s * 1103515245 + 12345) % 2147483648; return s % m; };
}

function iota(shape: number[]): NDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  return new NDArray("float64", shape, Float64Array.from({ length: n }, (_, i) => i));
}

/** The rechunk tasks of y's unoptimized graph: assembles, splits, range pieces, most pieces per task. */
function rechunkTasks(y: TArray): { assembles: number; splits: number; pieces: number; maxPieces: number } {
  const g: Graph = y.buildGraph(false);
  let assembles = 0, splits = 0, pieces = 0, maxPieces = 0;
  for (const [k, v] of Object.entries(g)) {
    if (!isTask(v) || !k.startsWith("rechunk")) continue;
    if (v.op === ARRAY_OPS.rechunkSplit) { splits++; continue; }
    assembles++;
    if (v.op === ARRAY_OPS.assemble) { pieces++; maxPieces = Math.max(maxPieces, 1); continue; } // a one-piece cut
    assert.equal(v.op, ARRAY_OPS.rechunkAssemble);
    const ps = v.args[2] as { src: unknown }[];
    assert.ok(ps.every((p) => isRangeRef(p.src)), "every piece is a range reference");
    pieces += ps.length;
    maxPieces = Math.max(maxPieces, ps.length);
  }
  return { assembles, splits, pieces, maxPieces };
}

async function exact(y: TArray, ref: NDArray, what: string): Promise<void> {
  const got = await y.computeArray();
  assert.deepEqual(got.shape, ref.shape, what);
  assert.deepEqual(Array.from(got.data as Float64Array), Array.from(ref.data as Float64Array), what);
}

test("contiguous boxes of a C-ordered block", () => {
  assert.equal(contiguous([10, 10], [3, 10]), true); // whole rows
  assert.equal(contiguous([10, 10], [1, 4]), true); // part of one row
  assert.equal(contiguous([10, 10], [10, 5]), false); // a column range
  assert.equal(contiguous([4, 10, 10], [1, 2, 10]), true);
  assert.equal(contiguous([4, 10, 10], [2, 2, 10]), false);
});

test("tiles → rows reads the tiles' row ranges in place; tiles → columns splits each tile once; values exact", async () => {
  const ref = iota([60, 60]);
  const x = fromArray(ref, { chunks: [10, 10] });
  const rows = x.rechunk([5, -1]);
  assert.deepEqual(rechunkTasks(rows), { assembles: 12, splits: 0, pieces: 72, maxPieces: 6 });
  await exact(rows, ref, "tiles → rows");
  const cols = x.rechunk([-1, 5]);
  assert.deepEqual(rechunkTasks(cols), { assembles: 12, splits: 36, pieces: 72, maxPieces: 6 });
  await exact(cols, ref, "tiles → columns");
});

test("at 100 × 100 blocks: tiles → full columns and swapping the whole axis are O(blocks) tasks", () => {
  const n = 20000;
  // 100 × 100 tiles of 200² → full columns 200 wide: each column is 100 whole tiles.
  const tiles = zeros([n, n], { chunks: [200, 200] });
  assert.deepEqual(rechunkTasks(tiles.rechunk([n, 200])), { assembles: 100, splits: 0, pieces: 10000, maxPieces: 100 });
  // … → full columns 100 wide: every tile's two column halves are packed by one split per tile.
  assert.deepEqual(rechunkTasks(tiles.rechunk([n, 100])), { assembles: 200, splits: 10000, pieces: 20000, maxPieces: 100 });
  // 100 full columns → 100 full rows: every output reads a row range of every input block.
  const cols = zeros([n, n], { chunks: [n, 200] });
  assert.deepEqual(rechunkTasks(cols.rechunk([200, n])), { assembles: 100, splits: 0, pieces: 10000, maxPieces: 100 });
  // 100 full rows → 100 full columns: the pieces are column ranges, one split per input block.
  const rows = zeros([n, n], { chunks: [200, n] });
  assert.deepEqual(rechunkTasks(rows.rechunk([n, 200])), { assembles: 100, splits: 100, pieces: 10000, maxPieces: 100 });
});

test("swapping which axis is whole: values exact both ways; tiny pieces go through an intermediate", async () => {
  const ref = iota([200, 200]);
  const x = fromArray(ref, { chunks: [200, 20] }); // 10 column blocks, pieces of 20 × 20 × 8 B
  await exact(x.rechunk([20, 200]), ref, "columns → rows");
  await exact(x.rechunk([20, 200]).rechunk([200, 20]), ref, "rows → columns");
  const thin = fromArray(ref, { chunks: [200, 2] }); // 100 blocks, 2 × 2 pieces: far below a useful fetch
  const y = thin.rechunk([2, 200]);
  const t = rechunkTasks(y);
  assert.ok(t.pieces < 100 * 100, `${t.pieces} pieces`);
  await exact(y, ref, "thin columns → thin rows");
});

test("any pair of chunkings: values exact (2-D and 3-D, uneven blocks)", async () => {
  const r = lcg(5);
  const cut = (n: number): number[] => {
    const out: number[] = [];
    for (let s = 0; s < n;) { const b = Math.min(n - s, 1 + r(Math.max(1, Math.floor(n / 2)))); out.push(b); s += b; }
    return out;
  };
  for (let c = 0; c < 12; c++) {
    const shape = c % 3 === 0 ? [1 + r(9), 1 + r(9), 1 + r(9)] : [1 + r(40), 1 + r(40)];
    const ref = iota(shape);
    const x = fromArray(ref, { chunks: shape.map(cut) });
    await exact(x.rechunk(shape.map(cut)), ref, `case ${c}: ${JSON.stringify(x.chunks)}`);
  }
});
