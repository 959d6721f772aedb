/** Kernels that sort: quantiles along an axis (NumPy's default 'linear' method) and unique. */
import type { DType } from "../../dtype.js";
import type { NDChunk } from "../../fusion/ir.js";
import { chunkOf, forEachLine, get, numel } from "./chunk-util.js";

export interface QuantileParams { readonly qs: readonly number[]; readonly axis: number; readonly dtype: DType; readonly scalarQ: boolean; readonly ignoreNaN: boolean; readonly median?: boolean }

/** NumPy's linear interpolation between order statistics (method='linear'). */
function quantileOfSorted(s: Float64Array, n: number, q: number, median: boolean): number {
  if (n === 0) return NaN;
  // numpy.median: the mean of the two middle values.
  if (median && n % 2 === 0) return (s[n / 2 - 1]! + s[n / 2]!) / 2;
  const pos = q * (n - 1);
  const lo = Math.floor(pos), hi = Math.min(lo + 1, n - 1);
  const g = pos - lo;
  const a = s[lo]!, b = s[hi]!;
  // numpy's _lerp: a + (b - a) * g, or b - (b - a) * (1 - g) when g >= 0.5 (better rounding).
  const d = b - a;
  const v = g >= 0.5 ? b - d * (1 - g) : a + d * g;
  return a === b ? a : v;
}

/** Output: the q axis first (unless q was a scalar), then the block's axes without `axis`. */
export function quantile(p: QuantileParams, _bp: unknown, [x]: readonly NDChunk[]): NDChunk {
  const rest = x!.shape.filter((_, k) => k !== p.axis);
  const m = numel(rest);
  const out = new Float64Array(p.qs.length * m);
  let line = 0;
  forEachLine(x!.shape, p.axis, (base, stride, n) => {
    const s = new Float64Array(n);
    let k = 0, nan = false;
    for (let j = 0; j < n; j++) {
      const v = get(x!.data, base + j * stride);
      if (v !== v) { nan = true; if (p.ignoreNaN) continue; }
      s[k++] = v;
    }
    const sorted = s.subarray(0, k).sort();
    p.qs.forEach((q, qi) => { out[qi * m + line] = nan && !p.ignoreNaN ? NaN : quantileOfSorted(sorted, k, q, p.median === true); });
    line++;
  });
  return chunkOf(p.dtype, p.scalarQ ? rest : [p.qs.length, ...rest], out);
}

/** Sorted distinct values of a block (NaNs last, one NaN kept per NaN as NumPy ≥1.21 keeps one). */
export function uniqueChunk(p: { dtype: DType }, _bp: unknown, blocks: readonly NDChunk[]): NDChunk {
  const all: number[] = [];
  for (const b of blocks) for (let i = 0; i < b.data.length; i++) all.push(get(b.data, i));
  const nums = Float64Array.from(all).sort();
  const out: number[] = [];
  let sawNaN = false;
  for (const v of nums) {
    if (v !== v) { sawNaN = true; continue; }
    if (out.length === 0 || out[out.length - 1] !== v) out.push(v);
  }
  if (sawNaN) out.push(NaN);
  return chunkOf(p.dtype, [out.length], out);
}
