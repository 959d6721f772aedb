/**
 * median / percentile / quantile (and their nan* forms) along one axis, NumPy's default
 * 'linear' method. The axis is gathered into one block (as dask's median does); the flattened
 * array when no axis is given.
 */
import { TArray } from "../core.js";
import { ArrayArgumentError, checkOptions, showValue } from "../errors.js";
import { reshape } from "../shape-ops.js";
import { applyArray } from "./apply.js";
import { expandDims } from "./shaping.js";
import { normAxis, requireKnownChunks, wholeAxis } from "./util.js";

export interface QuantileOptions {
  readonly axis?: number | null;
  readonly keepdims?: boolean;
}

function run(a: TArray, qIn: number | readonly number[], opts: QuantileOptions, where: string, ignoreNaN: boolean, median: boolean): TArray {
  checkOptions(opts, ["axis", "keepdims"], where);
  requireKnownChunks(a, where);
  const scalarQ = typeof qIn === "number";
  const qs = scalarQ ? [qIn] : [...(qIn as readonly number[])];
  for (const q of qs) {
    if (typeof q !== "number" || !(q >= 0 && q <= 1)) throw new ArrayArgumentError(`${where}: ${showValue(q)} is not a valid ${where.includes("percentile") ? "percentile (0..100)" : "quantile (0..1)"}`);
  }
  if (opts.axis === undefined || opts.axis === null) {
    const r = run(reshape(a, [a.size]), qIn, { axis: 0 }, where, ignoreNaN, median);
    if (opts.keepdims !== true) return r;
    return reshape(r, [...(scalarQ ? [] : [qs.length]), ...a.shape.map(() => 1)]);
  }
  const axis = normAxis(opts.axis, a.ndim, where);
  const x = wholeAxis(a, axis);
  // NumPy: median keeps float32; quantile/percentile give float64 (NumPy 1.24 with NEP 50).
  const dtype = median && x.dtype === "float32" ? "float32" : "float64";
  const rest = x.chunks.filter((_, k) => k !== axis).map((c) => [...c]);
  const chunks = scalarQ ? rest : [[qs.length], ...rest];
  const r = applyArray({
    prefix: where, kernel: "quantile", params: { qs, axis, dtype, scalarQ, ignoreNaN, median }, inputs: [x], dtype, chunks,
    block: (idx) => {
      const own = scalarQ ? [...idx] : idx.slice(1);
      own.splice(axis, 0, 0);
      return { keys: [x.key(own)] };
    },
  });
  return opts.keepdims === true ? expandDims(r, axis + (scalarQ ? 0 : 1)) : r;
}

export const quantile = (a: TArray, q: number | readonly number[], opts: QuantileOptions = {}): TArray => run(a, q, opts, "quantile", false, false);
export const nanquantile = (a: TArray, q: number | readonly number[], opts: QuantileOptions = {}): TArray => run(a, q, opts, "nanquantile", true, false);
const pct = (p: number | readonly number[]): number | number[] => (typeof p === "number" ? p / 100 : p.map((x) => x / 100));
export const percentile = (a: TArray, p: number | readonly number[], opts: QuantileOptions = {}): TArray => run(a, pct(p), opts, "percentile", false, false);
export const nanpercentile = (a: TArray, p: number | readonly number[], opts: QuantileOptions = {}): TArray => run(a, pct(p), opts, "nanpercentile", true, false);
export const median = (a: TArray, opts: QuantileOptions = {}): TArray => run(a, 0.5, opts, "median", false, true);
export const nanmedian = (a: TArray, opts: QuantileOptions = {}): TArray => run(a, 0.5, opts, "nanmedian", true, true);
