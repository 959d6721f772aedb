/**
 * Scans (cumsum, cumprod) per block along an axis, then a carry: block j adds (multiplies) the
 * totals of blocks 0..j-1, as dask's cumreduction does. Arithmetic is in JS doubles, converted
 * to the output dtype per element (int64 exact below 2^53).
 */
import { coerce, type DType } from "../../dtype.js";
import type { NDChunk } from "../../fusion/ir.js";
import { chunkOf, forEachLine, get, numel } from "./chunk-util.js";

export interface ScanParams { readonly fn: "sum" | "prod"; readonly axis: number; readonly dtype: DType }

/** The block scanned along the axis on its own. */
export function scanLocal(p: ScanParams, _bp: unknown, [x]: readonly NDChunk[]): NDChunk {
  const vals = new Float64Array(numel(x!.shape));
  for (let i = 0; i < vals.length; i++) vals[i] = get(x!.data, i);
  forEachLine(x!.shape, p.axis, (base, stride, n) => {
    let acc = p.fn === "sum" ? 0 : 1;
    for (let j = 0; j < n; j++) {
      const i = base + j * stride;
      acc = coerce(p.dtype, p.fn === "sum" ? acc + vals[i]! : acc * vals[i]!);
      vals[i] = acc;
    }
  });
  return chunkOf(p.dtype, x!.shape, vals);
}

/** The last slice of a scanned block along the axis (keepdims): what later blocks carry. */
export function scanTotal(p: ScanParams, _bp: unknown, [x]: readonly NDChunk[]): NDChunk {
  const shape = x!.shape.map((n, k) => (k === p.axis ? 1 : n));
  const vals = new Float64Array(numel(shape));
  const n = x!.shape[p.axis]!;
  let o = 0;
  forEachLine(x!.shape, p.axis, (base, stride) => { vals[o++] = n === 0 ? (p.fn === "sum" ? 0 : 1) : get(x!.data, base + (n - 1) * stride); });
  // forEachLine visits lines in C order of the other axes, which is the keepdims layout.
  return chunkOf(p.dtype, shape, vals);
}

/** Block j's local scan combined with the totals of the blocks before it (given in order). */
export function scanAdd(p: ScanParams, _bp: unknown, [x, ...totals]: readonly NDChunk[]): NDChunk {
  if (totals.length === 0) return x!;
  const m = numel(totals[0]!.shape);
  const carry = new Float64Array(m).fill(p.fn === "sum" ? 0 : 1);
  for (const t of totals) for (let i = 0; i < m; i++) carry[i] = p.fn === "sum" ? carry[i]! + get(t.data, i) : carry[i]! * get(t.data, i);
  const vals = new Float64Array(numel(x!.shape));
  let line = 0;
  forEachLine(x!.shape, p.axis, (base, stride, n) => {
    const c = carry[line++]!;
    for (let j = 0; j < n; j++) {
      const i = base + j * stride;
      vals[i] = p.fn === "sum" ? get(x!.data, i) + c : get(x!.data, i) * c;
    }
  });
  return chunkOf(p.dtype, x!.shape, vals);
}
