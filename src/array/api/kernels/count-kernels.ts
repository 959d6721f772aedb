/** Counting kernels: histogram counts per block and bincount per block, summed afterwards. */
import { ArrayArgumentError } from "../../errors.js";
import type { DType } from "../../dtype.js";
import type { NDChunk } from "../../fusion/ir.js";
import { chunkOf, get } from "./chunk-util.js";

/**
 * Counts of one block in bins given by increasing `edges` (NumPy: bins are half-open except
 * the last, which includes its right edge; values outside are not counted). Output [1, nbins].
 */
export function histChunk(p: { edges: readonly number[] }, _bp: unknown, [x, w]: readonly NDChunk[]): NDChunk {
  const e = p.edges;
  const nb = e.length - 1;
  const counts = new Float64Array(nb);
  const lo = e[0]!, hi = e[nb]!;
  for (let i = 0; i < x!.data.length; i++) {
    const v = get(x!.data, i);
    if (!(v >= lo && v <= hi)) continue;
    // Last edge <= v (binary search), the right-most bin closed.
    let a = 0, b = nb;
    while (b - a > 1) { const m = (a + b) >> 1; if (e[m]! <= v) a = m; else b = m; }
    counts[a] = counts[a]! + (w === undefined ? 1 : get(w.data, i));
  }
  return chunkOf(w === undefined ? "int64" : w.dtype === "float32" ? "float32" : "float64", [1, nb], counts);
}

/** bincount of one block: counts (or summed weights) per value 0..max. */
export function bincountChunk(p: { dtype: DType }, _bp: unknown, [x, w]: readonly NDChunk[]): NDChunk {
  let max = -1;
  for (let i = 0; i < x!.data.length; i++) {
    const v = get(x!.data, i);
    if (v < 0) throw new ArrayArgumentError(`bincount: the input contains the negative value ${v}; bincount counts non-negative integers`);
    if (v > max) max = v;
  }
  const counts = new Float64Array(max + 1);
  for (let i = 0; i < x!.data.length; i++) {
    const v = get(x!.data, i);
    counts[v] = counts[v]! + (w === undefined ? 1 : get(w.data, i));
  }
  return chunkOf(p.dtype, [max + 1], counts);
}

/** Sum of bincount partials of different lengths, padded to at least `minlength`. */
export function bincountMerge(p: { dtype: DType; minlength: number }, _bp: unknown, parts: readonly NDChunk[]): NDChunk {
  const n = Math.max(p.minlength, ...parts.map((q) => q.shape[0]!));
  const out = new Float64Array(n);
  for (const q of parts) for (let i = 0; i < q.data.length; i++) out[i] = out[i]! + get(q.data, i);
  return chunkOf(p.dtype, [n], out);
}
