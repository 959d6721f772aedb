/**
 * Elementwise functions beyond the chunk-program IR (which the fusion passes and the WebAssembly
 * backend own): one block kernel applying a named scalar function. They run unfused, one task
 * per block.
 */
import type { DType } from "../../dtype.js";
import type { NDChunk } from "../../fusion/ir.js";
import { chunkOf, get } from "./chunk-util.js";

/** Round half to even, as NumPy's rint / round. */
function rint(v: number): number {
  if (!Number.isFinite(v)) return v;
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export const UNARY_UFUNCS = {
  tan: Math.tan, tanh: Math.tanh, sinh: Math.sinh, cosh: Math.cosh,
  arcsin: Math.asin, arccos: Math.acos, arctan: Math.atan, arcsinh: Math.asinh, arccosh: Math.acosh, arctanh: Math.atanh,
  log10: Math.log10, log2: Math.log2, log1p: Math.log1p, expm1: Math.expm1, exp2: (v: number) => 2 ** v, cbrt: Math.cbrt,
  sign: (v: number) => (v > 0 ? 1 : v < 0 ? -1 : v), trunc: Math.trunc, rint,
  deg2rad: (v: number) => v * (Math.PI / 180), rad2deg: (v: number) => v * (180 / Math.PI),
  reciprocal: (v: number) => 1 / v, signbit: (v: number) => (v < 0 || Object.is(v, -0) ? 1 : 0),
} as const satisfies Record<string, (v: number) => number>;

export type UnaryUfunc = keyof typeof UNARY_UFUNCS;

export function ufunc(p: { fn: UnaryUfunc; dtype: DType; decimals?: number }, _bp: unknown, [x]: readonly NDChunk[]): NDChunk {
  const f = UNARY_UFUNCS[p.fn];
  const out = new Float64Array(x!.data.length);
  if (p.decimals !== undefined) {
    // numpy.round: rint(x · 10^d) / 10^d (or · 10^-d for negative d).
    const d = p.decimals, s = 10 ** Math.abs(d);
    for (let i = 0; i < out.length; i++) {
      const v = get(x!.data, i);
      out[i] = d >= 0 ? rint(v * s) / s : rint(v / s) * s;
    }
  } else {
    for (let i = 0; i < out.length; i++) out[i] = f(get(x!.data, i));
  }
  return chunkOf(p.dtype, x!.shape, out);
}
