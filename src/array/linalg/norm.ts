/**
 * linalg.norm(x, {ord, axis, keepdims}) as NumPy's, built from lazy reductions.
 *
 * No axis and no ord: the 2-norm of all elements (any number of axes). An axis (or a 1-D x):
 * vector norms — ord 2 (default), 1, inf, -inf, 0 (count of non-zeros) and any other p
 * (Σ|x|^p)^(1/p). Two axes (or a 2-D x with ord given): matrix norms — 'fro' (default), 1 / -1
 * (max / min column sum of |x|), inf / -inf (max / min row sum). Matrix 2, -2 and 'nuc' need
 * singular values and are refused with an error. Integer and bool inputs give float64, float32
 * stays float32.
 */
import { TArray } from "../core.js";
import { normalizeAxes } from "../reductions.js";
import { checkOptions, linalgError } from "./products.js";

export type NormOrd = number | "fro" | "nuc" | null;

export interface NormOptions {
  readonly ord?: NormOrd;
  readonly axis?: number | readonly number[] | null;
  readonly keepdims?: boolean;
}

export function norm(x: TArray, opts: NormOptions = {}): TArray {
  if (!(x instanceof TArray)) throw linalgError(`linalg.norm: x must be a tessera array, got ${x === null ? "null" : typeof x}`);
  checkOptions("linalg.norm", opts, ["ord", "axis", "keepdims"]);
  const ord = opts.ord ?? null;
  const keepdims = opts.keepdims ?? false;
  if (typeof keepdims !== "boolean") throw linalgError(`linalg.norm: keepdims must be true or false, got ${JSON.stringify(keepdims)}`);
  if (ord !== null && typeof ord !== "number" && ord !== "fro" && ord !== "nuc") {
    throw linalgError(`linalg.norm: ord ${JSON.stringify(ord)} is not a norm order; use a number, Infinity, -Infinity, 'fro' or 'nuc'`);
  }
  const xf = x.dtype === "float64" || x.dtype === "float32" ? x : x.astype("float64");
  const axisGiven = opts.axis !== undefined && opts.axis !== null;
  if (!axisGiven && ord === null) {
    // The 2-norm of the flattened array.
    return xf.mul(xf).sum({ keepdims }).sqrt();
  }
  const axes = axisGiven ? normalizeAxes(opts.axis, x.ndim, "linalg.norm") : [...Array(x.ndim).keys()];
  if (!axisGiven && x.ndim !== 1 && x.ndim !== 2) {
    throw linalgError(`linalg.norm: with ord given and no axis, x must be 1-D or 2-D (it has ${x.ndim} axes); pass axis`);
  }
  if (axes.length === 1) return vectorNorm(xf, ord, axes[0]!, keepdims);
  if (axes.length === 2) {
    const given = typeof opts.axis === "number" ? [opts.axis] : (opts.axis as readonly number[] | null | undefined) ?? axes;
    const [row, col] = given.map((a) => (a < 0 ? a + x.ndim : a)) as [number, number];
    return matrixNorm(xf, ord, row, col, keepdims);
  }
  throw linalgError(`linalg.norm: axis must name 1 axis (vector norm) or 2 axes (matrix norm), got ${JSON.stringify(opts.axis)}`);
}

function vectorNorm(x: TArray, ord: NormOrd, axis: number, keepdims: boolean): TArray {
  const o = { axis, keepdims };
  if (ord === "fro" || ord === "nuc") throw linalgError(`linalg.norm: ord '${ord}' is a matrix norm; a vector norm (one axis) takes a number or ±Infinity`);
  if (ord === null || ord === 2) return x.mul(x).sum(o).sqrt();
  if (ord === Infinity) return x.abs().max(o);
  if (ord === -Infinity) return x.abs().min(o);
  if (ord === 0) return x.ne(0).astype(x.dtype).sum(o);
  if (ord === 1) return x.abs().sum(o);
  if (Number.isNaN(ord)) throw linalgError("linalg.norm: ord NaN is not a norm order");
  return x.abs().pow(ord).sum(o).pow(1 / ord);
}

function matrixNorm(x: TArray, ord: NormOrd, row: number, col: number, keepdims: boolean): TArray {
  if (row === col) throw linalgError(`linalg.norm: the two axes of a matrix norm must differ, got ${row} and ${col}`);
  if (ord === null || ord === "fro") return x.mul(x).sum({ axis: [row, col], keepdims }).sqrt();
  // Sum over one axis, then max/min over the other (which moves down by one when it came after).
  const reduceTwo = (sumAxis: number, extAxis: number, fn: "max" | "min"): TArray => {
    const s = x.abs().sum({ axis: sumAxis, keepdims: true });
    const r = s[fn]({ axis: extAxis, keepdims: true });
    return keepdims ? r : r.sum({ axis: [row, col] });
  };
  if (ord === 1) return reduceTwo(row, col, "max");
  if (ord === -1) return reduceTwo(row, col, "min");
  if (ord === Infinity) return reduceTwo(col, row, "max");
  if (ord === -Infinity) return reduceTwo(col, row, "min");
  throw linalgError(`linalg.norm: matrix ord ${JSON.stringify(ord)} is not supported (2, -2 and 'nuc' need singular values, which tessera does not compute yet); use 'fro', 1, -1, Infinity or -Infinity`);
}
