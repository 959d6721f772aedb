/** histogram (given bins and range, or explicit edges), bincount and unique. */
import { blockIndices } from "../chunks.js";
import { TArray, binary } from "../core.js";
import { fromArray } from "../creation.js";
import { isInt } from "../dtype.js";
import { ArrayArgumentError, checkOptions, showValue } from "../errors.js";
import { applyArray } from "./apply.js";
import { requireKnownChunks } from "./util.js";
import { alignArrays } from "../core.js";

export interface HistogramOptions {
  /** Number of equal-width bins (then `range` is required: the data are not scanned first) or the bin edges. */
  readonly bins?: number | readonly number[];
  readonly range?: readonly [number, number];
  /** Weights of the same shape as the data (sums of weights instead of counts). */
  readonly weights?: TArray;
  /** Divide by the total and the bin widths, so that the histogram integrates to 1. */
  readonly density?: boolean;
}

/** Equal-width edges exactly as numpy.histogram computes them (via linspace). */
function uniformEdges(bins: number, lo: number, hi: number): number[] {
  if (lo === hi) { lo -= 0.5; hi += 0.5; }
  const step = (hi - lo) / bins;
  const e = Array.from({ length: bins + 1 }, (_, i) => i * step + lo);
  e[bins] = hi;
  return e;
}

/** [counts, edges], like numpy.histogram (counts int64, or float64 with weights / density). */
export function histogram(a: TArray, opts: HistogramOptions = {}): [TArray, TArray] {
  const where = "histogram";
  checkOptions(opts, ["bins", "range", "weights", "density"], where);
  requireKnownChunks(a, where);
  const bins = opts.bins ?? 10;
  let edges: number[];
  if (typeof bins === "number") {
    if (!Number.isInteger(bins) || bins < 1) throw new ArrayArgumentError(`${where}: bins ${showValue(bins)} must be a positive integer or a list of edges`);
    const r = opts.range;
    if (!Array.isArray(r) || r.length !== 2 || !r.every((v) => typeof v === "number" && Number.isFinite(v)) || r[0] > r[1]) {
      throw new ArrayArgumentError(`${where}: with a number of bins, give range: [min, max] (finite, min <= max), as dask does; got ${showValue(r)}`);
    }
    edges = uniformEdges(bins, r[0], r[1]);
  } else {
    if (opts.range !== undefined) throw new ArrayArgumentError(`${where}: give either explicit bin edges or a range, not both`);
    if (!Array.isArray(bins) || bins.length < 2 || bins.some((v, i) => typeof v !== "number" || !Number.isFinite(v) || (i > 0 && v < bins[i - 1]!))) {
      throw new ArrayArgumentError(`${where}: bins must be at least two finite, increasing edges, got ${showValue(bins)}`);
    }
    edges = [...bins];
  }
  const nb = edges.length - 1;
  let x = a;
  let w: TArray | undefined;
  if (opts.weights !== undefined) {
    if (!(opts.weights instanceof TArray) || opts.weights.ndim !== a.ndim || opts.weights.shape.some((n, k) => n !== a.shape[k])) {
      throw new ArrayArgumentError(`${where}: weights must be an array of the data's shape [${a.shape.join(", ")}]`);
    }
    [x, w] = alignArrays([a, opts.weights]).aligned as [TArray, TArray];
  }
  const idxs = blockIndices(x.numblocks);
  const dtype = w === undefined ? "int64" : w.dtype === "float32" ? "float32" : "float64";
  const partial = applyArray({
    prefix: `${where}-chunk`, kernel: "histChunk", params: { edges }, inputs: w ? [x, w] : [x], dtype,
    chunks: [idxs.map(() => 1), [nb]],
    block: ([i]) => ({ keys: w ? [x.key(idxs[i!]!), w.key(idxs[i!]!)] : [x.key(idxs[i!]!)] }),
  });
  let counts = partial.sum({ axis: 0, dtype });
  const edgeArr = fromArray(Float64Array.from(edges));
  if (opts.density === true) {
    const widths = fromArray(Float64Array.from({ length: nb }, (_, i) => edges[i + 1]! - edges[i]!));
    counts = binary("div", binary("div", counts.astype("float64"), counts.sum()), widths);
  }
  return [counts, edgeArr];
}

export interface BincountOptions {
  readonly weights?: TArray;
  readonly minlength?: number;
}

/** Counts of each non-negative integer in a 1-d array; the length (max + 1) is unknown until computed. */
export function bincount(a: TArray, opts: BincountOptions = {}): TArray {
  const where = "bincount";
  checkOptions(opts, ["weights", "minlength"], where);
  requireKnownChunks(a, where);
  if (a.ndim !== 1 || !(isInt(a.dtype) || a.dtype === "bool")) throw new ArrayArgumentError(`${where}: needs a 1-d array of non-negative integers, got ${a.dtype} with ${a.ndim} axes`);
  const minlength = opts.minlength ?? 0;
  if (!Number.isInteger(minlength) || minlength < 0) throw new ArrayArgumentError(`${where}: minlength ${showValue(minlength)} must be a non-negative integer`);
  let x = a;
  let w: TArray | undefined;
  if (opts.weights !== undefined) {
    if (!(opts.weights instanceof TArray) || opts.weights.ndim !== 1 || opts.weights.shape[0] !== a.shape[0]) throw new ArrayArgumentError(`${where}: weights must be a 1-d array of length ${a.shape[0]}`);
    [x, w] = alignArrays([a, opts.weights]).aligned as [TArray, TArray];
  }
  const dtype = w === undefined ? "int64" : "float64";
  const partial = applyArray({
    prefix: `${where}-chunk`, kernel: "bincountChunk", params: { dtype }, inputs: w ? [x, w] : [x], dtype,
    chunks: [x.chunks[0]!.map(() => NaN)],
    block: (idx) => ({ keys: w ? [x.key(idx), w.key(idx)] : [x.key(idx)] }),
  });
  return applyArray({
    prefix: where, kernel: "bincountMerge", params: { dtype, minlength }, inputs: [partial], dtype, chunks: [[NaN]],
    block: () => ({ keys: x.chunks[0]!.map((_, i) => partial.key([i])) }),
  });
}

/** Sorted distinct values (flattened), one block of unknown length. */
export function unique(a: TArray): TArray {
  requireKnownChunks(a, "unique");
  const idxs = a.ndim === 0 ? [[]] : blockIndices(a.numblocks);
  const partial = applyArray({
    prefix: "unique-chunk", kernel: "uniqueChunk", params: { dtype: a.dtype }, inputs: [a], dtype: a.dtype,
    chunks: [idxs.map(() => NaN)],
    block: ([i]) => ({ keys: [a.key(idxs[i!]!)] }),
  });
  return applyArray({
    prefix: "unique", kernel: "uniqueChunk", params: { dtype: a.dtype }, inputs: [partial], dtype: a.dtype, chunks: [[NaN]],
    block: () => ({ keys: idxs.map((_, i) => partial.key([i])) }),
  });
}
