/**
 * The workloads of `npm run bench:arrays` as data: shapes, chunks and the expected summary of the
 * result. The same spec (JSON) drives both sides, Tessera (bench/arrays.ts) and Python Dask
 * (bench/arrays_dask.py), so both compute the same sizes. Modelled on the public coiled/benchmarks
 * array suite, scaled to a 2-core 24 GiB machine (3–6 GB of input each at scale 1).
 */

export interface WorkloadSpec {
  readonly name: string;
  /** Shapes and chunks, named per workload (see the builders in arrays.ts / arrays_dask.py). */
  readonly shape: readonly number[];
  readonly chunks: readonly number[];
  /** A second chunking (rechunk targets). */
  readonly chunks2?: readonly number[];
  /** Input bytes (float64) of the arrays the workload reads. */
  readonly inputBytes: number;
  /** Expected result shape and the mean of its elements (the scalar itself for 0-d results). */
  readonly expectShape: readonly number[];
  readonly expectStat: number;
  /** Tolerance on the stat: absolute, or relative to expectStat when `relTol`. */
  readonly tol: number;
  readonly relTol?: boolean;
  /** The stat is divided by this before comparing (e.g. a sum turned into a mean). */
  readonly statDivisor?: number;
}

const scaleDim = (n: number, f: number): number => Math.max(1, Math.round(n * f));
const clipChunks = (shape: readonly number[], chunks: readonly number[]): number[] => chunks.map((c, i) => Math.min(c, shape[i]!));

/** All workloads at `scale` (1 = full size; dimensions scale so that bytes scale by `scale`). */
export function workloadSpecs(scale: number): WorkloadSpec[] {
  const f2 = Math.sqrt(scale);
  const sq = (n: number): number[] => [scaleDim(n, f2), scaleDim(n, f2)];
  const out: WorkloadSpec[] = [];
  const add = (w: Omit<WorkloadSpec, "chunks" | "inputBytes"> & { chunks: readonly number[]; inputs?: number }): void => {
    const { inputs, ...rest } = w;
    const n = w.shape.reduce((a, b) => a * b, 1);
    out.push({ ...rest, chunks: clipChunks(w.shape, w.chunks), ...(w.chunks2 ? { chunks2: clipChunks(w.shape, w.chunks2) } : {}), inputBytes: n * 8 * (inputs ?? 1) });
  };
  const n = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

  // zeros 21600² (3.7 GB), ~100 MiB square chunks (3600² × 8 B = 99 MiB), sum over axis 1.
  let s = sq(21600);
  add({ name: "basic_sum_square", shape: s, chunks: [3600, 3600], expectShape: [s[0]!], expectStat: 0, tol: 0 });
  // The same bytes in one-column chunks: 1.25e6 × 400 (4 GB), chunks (-1, 1): 400 tasks of 10 MB.
  s = [scaleDim(1_250_000, scale), 400];
  add({ name: "basic_sum_thin", shape: s, chunks: [s[0]!, 1], expectShape: [s[0]!], expectStat: 0, tol: 0 });
  // a[1:,1:] - b[:-1,:-1] summed; a, b uniform 16000² (2 GB each) in 2000² chunks.
  s = sq(16000);
  add({ name: "double_diff", shape: s, chunks: [2000, 2000], inputs: 2, expectShape: [], expectStat: 0, tol: 2e-3, statDivisor: (s[0]! - 1) * (s[1]! - 1) });
  // (x + x.T).mean(axis 0); x uniform 20000² (3.2 GB) in 2000² chunks.
  s = sq(20000);
  add({ name: "x_plus_xT", shape: s, chunks: [2000, 2000], expectShape: [s[1]!], expectStat: 1, tol: 2e-3 });
  add({ name: "random_sum_2d", shape: s, chunks: [2000, 2000], expectShape: [], expectStat: 0.5, tol: 1e-3, statDivisor: n(s) });
  // Square tiles to full-width rows (100 rows of 32 MB).
  add({ name: "rechunk_tiles_to_rows", shape: s, chunks: [2000, 2000], chunks2: [200, s[1]!], expectShape: [], expectStat: 0.5, tol: 1e-3, statDivisor: n(s) });
  // Full columns to full rows: every output block takes a piece of every input block.
  add({ name: "rechunk_swap_axes", shape: s, chunks: [s[0]!, 200], chunks2: [200, s[1]!], expectShape: [], expectStat: 0.5, tol: 1e-3, statDivisor: n(s) });
  // y = persist(x); (y + y.T).sum() — only the second step is timed.
  add({ name: "persisted_transpose_add", shape: s, chunks: [2000, 2000], expectShape: [], expectStat: 1, tol: 2e-3, statDivisor: n(s) });
  // (a @ a.T).sum(), a uniform 8000² in 2000² chunks: E[sum] = n²·k/4 (+ the diagonal's k/12 per row).
  s = sq(8000);
  add({ name: "dot_product", shape: s, chunks: [2000, 2000], expectShape: [], expectStat: 0.25 + 1 / (12 * s[0]!), tol: 1e-2, relTol: true, statDivisor: s[0]! * s[0]! * s[1]! });
  // Napari-like: 10000² in 50² chunks (40 000 chunks), map_overlap(identity, depth 1), then a 10×10 slice.
  s = sq(10000);
  add({ name: "map_overlap_slice", shape: s, chunks: [50, 50], expectShape: [Math.min(10, s[0]!), Math.min(10, s[1]!)], expectStat: 0.5, tol: 0.2 });
  // Climate-like mean over time: 500 × 1000 × 1000 (4 GB), one time step per chunk.
  s = [scaleDim(500, scale), 1000, 1000];
  add({ name: "mean_3d_axis0", shape: s, chunks: [1, 1000, 1000], expectShape: [1000, 1000], expectStat: 0.5, tol: 1e-3 });
  return out;
}

/** Whether a measured (shape, stat) matches the spec; returns a reason when not. */
export function checkSummary(w: WorkloadSpec, shape: readonly number[], stat: number): string | null {
  if (shape.length !== w.expectShape.length || shape.some((e, i) => e !== w.expectShape[i])) {
    return `shape [${shape.join(", ")}], expected [${w.expectShape.join(", ")}]`;
  }
  const v = stat / (w.statDivisor ?? 1);
  const err = Math.abs(v - w.expectStat);
  const lim = w.relTol ? w.tol * Math.abs(w.expectStat) : w.tol;
  if (!(err <= lim)) return `stat ${v} differs from the expected ${w.expectStat} by ${err} (tolerance ${lim})`;
  return null;
}
