// rechunk's graph: partial pieces are cut in tasks that read one block each, tiles → rows stays
// linear in the blocks, swapping which axis is whole goes through an intermediate (far fewer
// than n² tasks, bounded fan-in), and the values are exact for any pair of chunkings.
import { test } from "node:test";
import assert from "node:assert/strict";
import "../../src/graph/execute.js";
import { fromArray, NDArray, type TArray } from "../../src/array/index.js";
import { isTask, type Graph } from "../../src/graph/spec.js";

function lcg(seed: number): (m: number) => number {
  let s = seed;
  return (m) => { s = (s * 1103515245 + 12345) % 2147483648; return s % m; };
}

function iota(shape: number[]): NDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  return new NDArray("float64", shape, Float64Array.from({ length: n }, (_, i) => i));
}

/** The rechunk tasks of y's unoptimized graph and the number of references each holds. */
function rechunkTasks(y: TArray): { count: number; maxRefs: number; splitRefs: number[] } {
  const g: Graph = y.buildGraph(false);
  let count = 0, maxRefs = 0;
  const splitRefs: number[] = [];
  for (const [k, v] of Object.entries(g)) {
    if (!k.startsWith("rechunk") || !isTask(v)) continue;
    count++;
    const refs = JSON.stringify(v.args).split('"$ref"').length - 1;
    maxRefs = Math.max(maxRefs, refs);
    if (k.startsWith("rechunk-split")) splitRefs.push(refs);
  }
  return { count, maxRefs, splitRefs };
}

async function exact(y: TArray, ref: NDArray, what: string): Promise<void> {
  const got = await y.computeArray();
  assert.deepEqual(got.shape, ref.shape, what);
  assert.deepEqual(Array.from(got.data as Float64Array), Array.from(ref.data as Float64Array), what);
}

test("tiles → rows: one cut per (output, input) overlap, each reading one block; values exact", async () => {
  const ref = iota([60, 60]);
  const x = fromArray(ref, { chunks: [10, 10] });
  const y = x.rechunk([5, -1]);
  const t = rechunkTasks(y);
  // 12 output blocks, each from 6 half-tiles: 72 cuts + 12 assembles, linear in the blocks
  assert.equal(t.count, 72 + 12);
  assert.ok(t.splitRefs.length === 72 && t.splitRefs.every((r) => r === 1), "every cut reads exactly one block");
  await exact(y, ref, "tiles → rows");
  await exact(x.rechunk([-1, 5]), ref, "tiles → columns");
});

test("swapping which axis is whole: an intermediate chunking, far fewer than n² tasks, bounded fan-in", async () => {
  const ref = iota([200, 200]);
  const x = fromArray(ref, { chunks: [200, 2] }); // 100 column blocks
  const y = x.rechunk([2, 200]); // 100 row blocks: directly, 100 × 100 pieces
  const t = rechunkTasks(y);
  assert.ok(t.count < (100 * 100) / 4, `${t.count} tasks`);
  assert.ok(t.maxRefs <= 16, `a task reads ${t.maxRefs} pieces`);
  await exact(y, ref, "columns → rows");
  await exact(y.rechunk([200, 2]), ref, "rows → columns");
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
