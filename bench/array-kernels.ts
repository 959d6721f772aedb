// In-process, one-thread costs per element of the array engine's kernels: random draws in 1-D
// vs 2-D chunks, sums of contiguous, transposed and sliced operands, x + x.T, rechunks; NumPy's
// times for the same operations measured in the same run (via /usr/bin/python3, when present).
// Times are CPU seconds of the process (both sides), so other load on a shared machine inflates
// them less than wall-clock times would.
// Usage: node dist/bench/array-kernels.js [n = 8000] [chunk = 2000] [runs = 3]
// Prints a table, then one line of JSON: {"n", "chunk", "ops": {name: {tesseraNsPerElement,
// numpyNsPerElement, ratio}}, "transposedOverContiguous": {sum, sumAxis0}}, ratio = Tessera time /
// NumPy time (lower is better); transposedOverContiguous = Tessera's per-element time of the
// transposed operand over the contiguous one (the bound is 2).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import "../src/graph/execute.js";
import { random, zeros, type TArray } from "../src/array/index.js";

const n = Number(process.argv[2] ?? 8000);
const chunk = Number(process.argv[3] ?? 2000);
const runs = Number(process.argv[4] ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median CPU seconds of this process per run (robust to other load on a shared machine). */
async function time(make: () => TArray): Promise<number> {
  const ts: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    await make().compute();
    const c = process.cpuUsage(c0);
    ts.push((c.user + c.system) / 1e6);
  }
  return median(ts);
}

interface Op { readonly name: string; readonly elements: number; readonly tessera: () => TArray; readonly numpy: string }

const x = await random.random({ shape: [n, n], chunks: [chunk, chunk], seed: 1 }).persist();
const flatChunk = chunk * chunk;
const ops: Op[] = [
  { name: "random_1d_count", elements: n * n, tessera: () => random.random({ shape: [n * n], chunks: flatChunk, seed: 2 }).lt(0.5).sum(),
    numpy: "(rng.random(n * n) < 0.5).sum()" },
  { name: "random_2d_count", elements: n * n, tessera: () => random.random({ shape: [n, n], chunks: [chunk, chunk], seed: 2 }).lt(0.5).sum(),
    numpy: "(rng.random((n, n)) < 0.5).sum()" },
  { name: "sum", elements: n * n, tessera: () => x.sum(), numpy: "x.sum()" },
  { name: "T_sum", elements: n * n, tessera: () => x.T.sum(), numpy: "x.T.sum()" },
  { name: "slice_sum", elements: (n - 1) * (n - 1), tessera: () => x.slice([1, null], [1, null]).sum(), numpy: "x[1:, 1:].sum()" },
  { name: "double_diff", elements: (n - 1) * (n - 1), tessera: () => x.slice([1, null], [1, null]).sub(x.slice([null, -1], [null, -1])).sum(),
    numpy: "(x[1:, 1:] - x[:-1, :-1]).sum()" },
  { name: "x_plus_xT_sum", elements: n * n, tessera: () => x.add(x.T).sum(), numpy: "(x + x.T).sum()" },
  { name: "x_plus_xT_mean0", elements: n * n, tessera: () => x.add(x.T).mean({ axis: 0 }), numpy: "(x + x.T).mean(axis=0)" },
  { name: "T_sum_axis0", elements: n * n, tessera: () => x.T.sum({ axis: 0 }), numpy: "x.T.sum(axis=0)" },
  { name: "sum_axis0", elements: n * n, tessera: () => x.sum({ axis: 0 }), numpy: "x.sum(axis=0)" },
  { name: "zeros_sum_axis1", elements: n * n, tessera: () => zeros([n, n], { chunks: [chunk, chunk] }).sum({ axis: 1 }), numpy: "np.broadcast_to(np.zeros(1), (n, n)).sum(axis=1)" },
  { name: "rechunk_rows_sum", elements: n * n, tessera: () => x.rechunk([Math.max(1, Math.floor(chunk / 4)), -1]).sum(),
    numpy: "np.ascontiguousarray(x).copy().sum()" },
];

const results: Record<string, { tesseraNsPerElement: number; numpyNsPerElement: number | null; ratio: number | null }> = {};
const numpy = numpyTimes(ops);
console.log(`array kernels, in-process, one thread: ${n} × ${n} float64 in ${chunk} × ${chunk} chunks, median of ${runs} (CPU time)`);
console.log("op".padEnd(20) + "tessera ns/elt".padStart(16) + "numpy ns/elt".padStart(16) + "ratio".padStart(10));
for (const op of ops) {
  const s = await time(op.tessera);
  const t = (s * 1e9) / op.elements;
  const np = numpy?.[op.name];
  const npNs = np === undefined ? null : (np * 1e9) / op.elements;
  results[op.name] = { tesseraNsPerElement: round(t), numpyNsPerElement: npNs === null ? null : round(npNs), ratio: npNs === null ? null : round(t / npNs) };
  console.log(op.name.padEnd(20) + t.toFixed(3).padStart(16) + (npNs === null ? "n/a" : npNs.toFixed(3)).padStart(16) + (npNs === null ? "" : (t / npNs).toFixed(2)).padStart(10));
}
// The bound: a transposed operand costs at most 2× a contiguous one per element.
const tr = (t: string, c: string): number => round(results[t]!.tesseraNsPerElement / results[c]!.tesseraNsPerElement);
const transposedOverContiguous = { sum: tr("T_sum", "sum"), sumAxis0: tr("T_sum_axis0", "sum_axis0") };
console.log(`transposed / contiguous per element: x.T.sum() / x.sum() ${transposedOverContiguous.sum}×, x.T.sum(axis 0) / x.sum(axis 0) ${transposedOverContiguous.sumAxis0}×`);
console.log(JSON.stringify({ n, chunk, ops: results, transposedOverContiguous }));

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** Seconds per op in NumPy (median of `runs`), or undefined without /usr/bin/python3 + numpy. */
function numpyTimes(list: readonly Op[]): Record<string, number> | undefined {
  if (!existsSync("/usr/bin/python3")) return undefined;
  const script = [
    "import json, time, numpy as np",
    `n = ${n}; runs = ${runs}`,
    "rng = np.random.default_rng(1)",
    "x = rng.random((n, n))",
    "out = {}",
    ...list.map((op) => [
      "ts = []",
      "for _ in range(runs):",
      "    t0 = time.process_time()",
      `    ${op.numpy}`,
      "    ts.append(time.process_time() - t0)",
      `out[${JSON.stringify(op.name)}] = sorted(ts)[len(ts) // 2]`,
    ].join("\n")),
    "print(json.dumps(out))",
  ].join("\n");
  const r = spawnSync("/usr/bin/python3", ["-c", script], { encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" } });
  if (r.status !== 0) return undefined;
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, number>;
}
