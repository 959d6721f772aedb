/**
 * NaN-aware reductions, built from the lazy elementwise operations and the tree reductions (so
 * they fuse): NaNs count as absent. For integer and bool arrays they are the plain reductions.
 * An all-NaN slice gives NaN for nanmin/nanmax/nanmean and NaN for nanvar/nanstd when the count
 * minus ddof is not positive, as NumPy does (without its warning).
 */
import { TArray, binary, where } from "../core.js";
import { isFloat } from "../dtype.js";
import { checkOptions } from "../errors.js";
import type { ReduceOptions, VarOptions } from "../reductions.js";
import { isnan } from "./indexing.js";

const OPTS = ["axis", "keepdims", "splitEvery"] as const;

export function nansum(a: TArray, opts: ReduceOptions = {}): TArray {
  checkOptions(opts, [...OPTS, "dtype"], "nansum");
  return isFloat(a.dtype) ? where(isnan(a), 0, a).sum(opts) : a.sum(opts);
}

export function nanprod(a: TArray, opts: ReduceOptions = {}): TArray {
  checkOptions(opts, [...OPTS, "dtype"], "nanprod");
  return isFloat(a.dtype) ? where(isnan(a), 1, a).prod(opts) : a.prod(opts);
}

function nanExtreme(a: TArray, fn: "min" | "max", opts: ReduceOptions): TArray {
  checkOptions(opts, OPTS, `nan${fn}`);
  if (!isFloat(a.dtype)) return fn === "min" ? a.min(opts) : a.max(opts);
  const filled = where(isnan(a), fn === "min" ? Infinity : -Infinity, a);
  const m = fn === "min" ? filled.min(opts) : filled.max(opts);
  return where(isnan(a).all(opts), NaN, m);
}

export const nanmin = (a: TArray, opts: ReduceOptions = {}): TArray => nanExtreme(a, "min", opts);
export const nanmax = (a: TArray, opts: ReduceOptions = {}): TArray => nanExtreme(a, "max", opts);

/** Number of non-NaN elements (int64). */
function count(a: TArray, opts: ReduceOptions): TArray {
  return isnan(a).not().sum({ ...opts, dtype: "int64" });
}

export function nanmean(a: TArray, opts: ReduceOptions = {}): TArray {
  checkOptions(opts, OPTS, "nanmean");
  if (!isFloat(a.dtype)) return a.mean(opts);
  const s = where(isnan(a), 0, a.astype("float64")).sum(opts);
  return binary("div", s, count(a, opts)).astype(a.dtype);
}

export function nanvar(a: TArray, opts: VarOptions = {}): TArray {
  checkOptions(opts, [...OPTS, "ddof"], "nanvar");
  if (!isFloat(a.dtype)) return a.var(opts);
  const ddof = opts.ddof ?? 0;
  const { ddof: _d, ...ro } = opts;
  const x = a.astype("float64");
  const m = nanmean(x, { ...ro, keepdims: true });
  const dev = where(isnan(x), 0, binary("sub", x, m));
  const ss = binary("mul", dev, dev).sum(ro);
  const dof = binary("sub", count(a, ro), ddof);
  return where(binary("le", dof, 0), NaN, binary("div", ss, dof)).astype(a.dtype);
}

export function nanstd(a: TArray, opts: VarOptions = {}): TArray {
  checkOptions(opts, [...OPTS, "ddof"], "nanstd");
  if (!isFloat(a.dtype)) return a.std(opts);
  return nanvar(a.astype("float64"), opts).sqrt().astype(a.dtype);
}
