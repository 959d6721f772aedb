/**
 * Smaller dask.array / NumPy functions composed from the others (so they stay lazy, chunked and,
 * where elementwise, fused): stacking helpers, *_like constructors, broadcasting, triangles,
 * repeat/tile, and a few reductions.
 */
import { TArray, binary, broadcastShapes, where } from "../core.js";
import { arange, full } from "../creation.js";
import { checkDType, isFloat, promote, type DType } from "../dtype.js";
import { ArrayArgumentError, checkOptions, showValue } from "../errors.js";
import type { ChunkSpec } from "../chunks.js";
import { reshape } from "../shape-ops.js";
import type { ReduceOptions } from "../reductions.js";
import { concatenate } from "./join.js";
import { expandDims, flip } from "./shaping.js";
import { booleanIndex, isnan, nonzero, take } from "./indexing.js";
import { cumprod, cumsum, diff, type ScanOptions } from "./scans.js";
import { normAxis, requireKnownChunks } from "./util.js";

export const ravel = (a: TArray): TArray => (a.ndim === 1 ? a : reshape(a, [a.size]));
export const fliplr = (a: TArray): TArray => flip(a, { axis: 1 });
export const flipud = (a: TArray): TArray => flip(a, { axis: 0 });

export function atleast1d(a: TArray): TArray { return a.ndim >= 1 ? a : expandDims(a, 0); }
export function atleast2d(a: TArray): TArray { return a.ndim >= 2 ? a : a.ndim === 1 ? expandDims(a, 0) : expandDims(a, [0, 1]); }
export function atleast3d(a: TArray): TArray {
  if (a.ndim >= 3) return a;
  if (a.ndim === 2) return expandDims(a, 2);
  if (a.ndim === 1) return expandDims(a, [0, 2]);
  return expandDims(a, [0, 1, 2]);
}
export const vstack = (arrays: readonly TArray[]): TArray => concatenate(arrays.map(atleast2d), { axis: 0 });
export const hstack = (arrays: readonly TArray[]): TArray => (arrays.every((a) => a.ndim <= 1) ? concatenate(arrays.map(atleast1d), { axis: 0 }) : concatenate(arrays, { axis: 1 }));
export const dstack = (arrays: readonly TArray[]): TArray => concatenate(arrays.map(atleast3d), { axis: 2 });
export function append(a: TArray, values: TArray, opts: { axis?: number | null } = {}): TArray {
  checkOptions(opts, ["axis"], "append");
  return opts.axis === undefined || opts.axis === null ? concatenate([ravel(a), ravel(values)], { axis: 0 }) : concatenate([a, values], { axis: opts.axis });
}

export interface LikeOptions { readonly dtype?: DType; readonly chunks?: ChunkSpec }
function like(a: TArray, value: number | boolean, opts: LikeOptions, where: string): TArray {
  checkOptions(opts, ["dtype", "chunks"], where);
  requireKnownChunks(a, where);
  return full(a.shape, value, { dtype: checkDType(opts.dtype ?? a.dtype, `${where}: dtype`), chunks: opts.chunks ?? a.chunks });
}
export const onesLike = (a: TArray, opts: LikeOptions = {}): TArray => like(a, 1, opts, "onesLike");
export const zerosLike = (a: TArray, opts: LikeOptions = {}): TArray => like(a, 0, opts, "zerosLike");
export const emptyLike = (a: TArray, opts: LikeOptions = {}): TArray => like(a, 0, opts, "emptyLike");
export const fullLike = (a: TArray, value: number | boolean, opts: LikeOptions = {}): TArray => like(a, value, opts, "fullLike");

/** The array broadcast to `shape` (NumPy rules); new leading axes are one block. */
export function broadcastTo(a: TArray, shape: readonly number[]): TArray {
  const s = broadcastShapes([a.shape, shape], "broadcastTo");
  if (s.length !== shape.length || s.some((n, k) => n !== shape[k])) {
    throw new ArrayArgumentError(`broadcastTo: the array of shape [${a.shape.join(", ")}] cannot be broadcast to [${shape.join(", ")}]`);
  }
  const chunks = shape.map((n, k) => {
    const ak = k - (shape.length - a.ndim);
    return ak >= 0 && a.shape[ak] === n ? [...a.chunks[ak]!] : [n];
  });
  return where(full(shape, true, { chunks }), a, a);
}
export function broadcastArrays(...arrays: TArray[]): TArray[] {
  const shape = broadcastShapes(arrays.map((a) => a.shape), "broadcastArrays");
  return arrays.map((a) => (a.shape.length === shape.length && a.shape.every((n, k) => n === shape[k]) ? a : broadcastTo(a, shape)));
}

/** NaN counted as 0 (cumsum) or 1 (cumprod). */
export const nancumsum = (a: TArray, opts: ScanOptions = {}): TArray => cumsum(isFloat(a.dtype) ? where(isnan(a), 0, a) : a, opts);
export const nancumprod = (a: TArray, opts: ScanOptions = {}): TArray => cumprod(isFloat(a.dtype) ? where(isnan(a), 1, a) : a, opts);

/** max - min (peak to peak). */
export function ptp(a: TArray, opts: ReduceOptions = {}): TArray {
  checkOptions(opts, ["axis", "keepdims", "splitEvery"], "ptp");
  return binary("sub", a.max(opts), a.min(opts));
}

export const square = (a: TArray): TArray => a.pow(2);

export interface IsCloseOptions { readonly rtol?: number; readonly atol?: number; readonly equalNan?: boolean }
/** |a - b| <= atol + rtol·|b|, infinities equal only to themselves (numpy.isclose). */
export function isclose(a: TArray | number, b: TArray | number, opts: IsCloseOptions = {}): TArray {
  checkOptions(opts, ["rtol", "atol", "equalNan"], "isclose");
  const rtol = opts.rtol ?? 1e-5, atol = opts.atol ?? 1e-8;
  const af = a instanceof TArray && !isFloat(a.dtype) ? a.astype("float64") : a;
  const bf = b instanceof TArray && !isFloat(b.dtype) ? b.astype("float64") : b;
  const finite = binary("le", binary("sub", af, bf).abs(), binary("add", binary("mul", bf instanceof TArray ? bf.abs() : Math.abs(bf), rtol), atol));
  let r = binary("or", binary("eq", af, bf), finite);
  if (opts.equalNan === true) r = binary("or", r, binary("and", binary("ne", af, af), binary("ne", bf, bf)));
  return r;
}
export const allclose = (a: TArray | number, b: TArray | number, opts: IsCloseOptions = {}): TArray => isclose(a, b, opts).all();

export const flatnonzero = (a: TArray): TArray => nonzero(ravel(a))[0]!;
export const countNonzero = (a: TArray, opts: ReduceOptions = {}): TArray => a.count_nonzero(opts);

/** Weighted mean along axes (weights of the array's shape), numpy.average. */
export function average(a: TArray, opts: ReduceOptions & { weights?: TArray } = {}): TArray {
  checkOptions(opts, ["axis", "keepdims", "weights"], "average");
  const { weights, ...ro } = opts;
  if (weights === undefined) return a.mean(ro);
  if (weights.ndim !== a.ndim || weights.shape.some((n, k) => n !== a.shape[k])) throw new ArrayArgumentError(`average: weights must have the array's shape [${a.shape.join(", ")}]`);
  const x = a.astype(promote(isFloat(a.dtype) ? a.dtype : "float64", isFloat(weights.dtype) ? weights.dtype : "float64"));
  return binary("div", binary("mul", x, weights).sum(ro), weights.sum(ro));
}

/** Each element repeated `repeats` times along an axis (the flattened array when none). */
export function repeat(a: TArray, repeats: number, opts: { axis?: number | null } = {}): TArray {
  checkOptions(opts, ["axis"], "repeat");
  if (!Number.isInteger(repeats) || repeats < 0) throw new ArrayArgumentError(`repeat: repeats ${showValue(repeats)} must be a non-negative integer`);
  if (opts.axis === undefined || opts.axis === null) return repeat(ravel(a), repeats, { axis: 0 });
  const axis = normAxis(opts.axis, a.ndim, "repeat");
  const idx = Array.from({ length: a.shape[axis]! * repeats }, (_, i) => Math.floor(i / repeats));
  return take(a, idx, { axis });
}

/** The array repeated `reps` times per axis (numpy.tile). */
export function tile(a: TArray, reps: number | readonly number[]): TArray {
  const r = typeof reps === "number" ? [reps] : [...reps];
  if (r.some((n) => !Number.isInteger(n) || n < 0)) throw new ArrayArgumentError(`tile: reps ${showValue(reps)} must be non-negative integers`);
  let x = a;
  while (x.ndim < r.length) x = expandDims(x, 0);
  const rr = [...new Array<number>(x.ndim - r.length).fill(1), ...r];
  rr.forEach((n, k) => {
    if (n === 1) return;
    x = n === 0 ? take(x, [], { axis: k }) : concatenate(new Array<TArray>(n).fill(x), { axis: k });
  });
  return x;
}

export const ediff1d = (a: TArray): TArray => diff(ravel(a));

/** Elements along an axis where a 1-d boolean list is true (numpy.compress). */
export function compress(condition: readonly boolean[], a: TArray, opts: { axis?: number | null } = {}): TArray {
  checkOptions(opts, ["axis"], "compress");
  if (opts.axis === undefined || opts.axis === null) return compress(condition, ravel(a), { axis: 0 });
  const axis = normAxis(opts.axis, a.ndim, "compress");
  // As NumPy: conditions past the axis's end may be given if false (a true one is out of bounds).
  return take(a, condition.flatMap((c, i) => (c ? [i] : [])), { axis });
}

/** The elements where `condition` (of the array's shape) is true, flattened (numpy.extract). */
export const extract = (condition: TArray, a: TArray): TArray => booleanIndex(ravel(a), ravel(condition));

function triangle(a: TArray, k: number, lower: boolean): TArray {
  if (a.ndim < 2) throw new ArrayArgumentError(`${lower ? "tril" : "triu"}: needs at least 2 axes`);
  const [n, m] = a.shape.slice(-2) as [number, number];
  const [cn, cm] = a.chunks.slice(-2);
  const rows = reshape(arange(0, n, 1, { chunks: [cn!] }), [n, 1]);
  const cols = arange(0, m, 1, { chunks: [cm!] });
  const mask = lower ? binary("le", cols, binary("add", rows, k)) : binary("ge", cols, binary("add", rows, k));
  return where(mask, a, full([], 0, { dtype: a.dtype }));
}
export const tril = (a: TArray, k = 0): TArray => triangle(a, k, true);
export const triu = (a: TArray, k = 0): TArray => triangle(a, k, false);

/** Ones on the k-th diagonal of an n × m array. */
export function eye(n: number, opts: { m?: number; k?: number; dtype?: DType; chunks?: ChunkSpec } = {}): TArray {
  checkOptions(opts, ["m", "k", "dtype", "chunks"], "eye");
  const m = opts.m ?? n, k = opts.k ?? 0;
  const dtype = checkDType(opts.dtype ?? "float64", "eye: dtype");
  const rows = reshape(arange(0, n, 1, opts.chunks !== undefined ? { chunks: opts.chunks } : {}), [n, 1]);
  const cols = arange(0, m, 1, opts.chunks !== undefined ? { chunks: opts.chunks } : {});
  return binary("eq", cols, binary("add", rows, k)).astype(dtype);
}

export const resultType = (...dtypes: DType[]): DType => dtypes.map((d) => checkDType(d)).reduce((p, q) => promote(p, q));
