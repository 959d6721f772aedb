/** Elementwise functions run by the `ufunc` block kernel (unfused), with NumPy's result dtypes. */
import { TArray } from "../core.js";
import { floatResult, isFloat, type DType } from "../dtype.js";
import { ArrayArgumentError, showValue } from "../errors.js";
import { applyArray } from "./apply.js";
import type { UnaryUfunc } from "./kernels/ufunc-kernels.js";
import { requireKnownChunks } from "./util.js";

/** Functions that keep integer dtypes (sign; NumPy 1.x gives float64 for trunc of ints). */
const KEEPS: ReadonlySet<UnaryUfunc> = new Set(["sign"]);

function apply(fn: UnaryUfunc, a: TArray, dtype: DType, decimals?: number): TArray {
  requireKnownChunks(a, fn);
  const params = decimals === undefined ? { fn, dtype } : { fn, dtype, decimals };
  return applyArray({ prefix: fn, kernel: "ufunc", params, inputs: [a], chunks: a.chunks, dtype, block: (idx) => ({ keys: [a.key(idx)] }) });
}

function unary(fn: UnaryUfunc): (a: TArray) => TArray {
  return (a) => {
    if (!(a instanceof TArray)) throw new ArrayArgumentError(`${fn}: expected an array, got ${showValue(a)}`);
    if (fn === "signbit") return apply(fn, a, "bool");
    if (KEEPS.has(fn) && a.dtype !== "bool") return apply(fn, a, a.dtype);
    if (a.dtype === "bool" && (fn === "sign" || fn === "trunc")) throw new ArrayArgumentError(`${fn}: not supported for bool arrays (as in NumPy)`);
    return apply(fn, a, floatResult(a.dtype));
  };
}

export const tan = unary("tan"), tanh = unary("tanh"), sinh = unary("sinh"), cosh = unary("cosh");
export const arcsin = unary("arcsin"), arccos = unary("arccos"), arctan = unary("arctan");
export const arcsinh = unary("arcsinh"), arccosh = unary("arccosh"), arctanh = unary("arctanh");
export const log10 = unary("log10"), log2 = unary("log2"), log1p = unary("log1p"), expm1 = unary("expm1"), exp2 = unary("exp2"), cbrt = unary("cbrt");
export const sign = unary("sign"), trunc = unary("trunc"), signbit = unary("signbit");
export const deg2rad = unary("deg2rad"), rad2deg = unary("rad2deg"), radians = deg2rad, degrees = rad2deg;
export const fix = trunc;

/** 1 / x; integer reciprocal is refused (NumPy gives 0 or ±1 and a warning). */
export function reciprocal(a: TArray): TArray {
  if (!isFloat(a.dtype)) throw new ArrayArgumentError(`reciprocal: integer reciprocal truncates; use astype('float64') first`);
  return apply("reciprocal", a, a.dtype);
}

/** Round half to even (NumPy's rint). */
export function rint(a: TArray): TArray {
  return isFloat(a.dtype) ? apply("rint", a, a.dtype) : apply("rint", a, floatResult(a.dtype));
}

/** numpy.round / around: to `decimals` places, half to even; integers stay integers for decimals >= 0. */
export function round(a: TArray, decimals = 0): TArray {
  if (!Number.isInteger(decimals)) throw new ArrayArgumentError(`round: decimals ${showValue(decimals)} must be an integer`);
  if (!isFloat(a.dtype) && decimals >= 0) return a;
  if (a.dtype === "bool") throw new ArrayArgumentError("round: not supported for bool arrays with negative decimals");
  return apply("rint", a, a.dtype, decimals);
}
export const around = round;
