/** Indexing kernels: take (gather), boolean-mask selection, nonzero, and block shapes. */
import type { NDChunk } from "../../fusion/ir.js";
import { allocate } from "../../dtype.js";
import { chunkOf, cStrides, get, numel } from "./chunk-util.js";

/**
 * Gather along `axis`: output position i takes position `local[i]` of input block `src[i]`
 * (an index into the blocks given).
 */
export function take(p: { axis: number }, bp: { src: readonly number[]; local: readonly number[] }, blocks: readonly NDChunk[]): NDChunk {
  const first = blocks[0]!;
  const shape = first.shape.map((n, k) => (k === p.axis ? bp.src.length : n));
  const out = allocate(first.dtype, numel(shape));
  const outer = numel(shape.slice(0, p.axis));
  const inner = numel(shape.slice(p.axis + 1));
  const o = out as unknown as { [i: number]: number | bigint };
  bp.src.forEach((b, i) => {
    const src = blocks[b]!;
    const sn = src.shape[p.axis]!;
    const s = src.data as unknown as { [i: number]: number | bigint };
    const j = bp.local[i]!;
    for (let a = 0; a < outer; a++) {
      const si = (a * sn + j) * inner, oi = (a * bp.src.length + i) * inner;
      for (let c = 0; c < inner; c++) o[oi + c] = s[si + c]!;
    }
  });
  return { dtype: first.dtype, shape, data: out };
}

/**
 * x[mask] for one block. `full`: mask has x's shape, result is 1-d (C order). Else the mask is
 * 1-d along axis 0 and the result keeps the other axes.
 */
export function maskSelect(p: { full: boolean }, _bp: unknown, [x, m]: readonly NDChunk[]): NDChunk {
  const xd = x!.data as unknown as { [i: number]: number | bigint };
  if (p.full) {
    const keep: number[] = [];
    for (let i = 0; i < m!.data.length; i++) if (get(m!.data, i) !== 0) keep.push(i);
    const out = allocate(x!.dtype, keep.length);
    const o = out as unknown as { [i: number]: number | bigint };
    keep.forEach((src, i) => { o[i] = xd[src]!; });
    return { dtype: x!.dtype, shape: [keep.length], data: out };
  }
  const inner = numel(x!.shape.slice(1));
  const rows: number[] = [];
  for (let i = 0; i < m!.data.length; i++) if (get(m!.data, i) !== 0) rows.push(i);
  const out = allocate(x!.dtype, rows.length * inner);
  const o = out as unknown as { [i: number]: number | bigint };
  rows.forEach((r, i) => { for (let c = 0; c < inner; c++) o[i * inner + c] = xd[r * inner + c]!; });
  return { dtype: x!.dtype, shape: [rows.length, ...x!.shape.slice(1)], data: out };
}

/** Global indices along `axis` of the nonzero elements of a block (C order within the block). */
export function nonzero(p: { axis: number }, bp: { offset: readonly number[] }, [x]: readonly NDChunk[]): NDChunk {
  const st = cStrides(x!.shape);
  const out: number[] = [];
  for (let i = 0; i < x!.data.length; i++) {
    if (get(x!.data, i) === 0) continue;
    out.push(bp.offset[p.axis]! + Math.floor(i / st[p.axis]!) % x!.shape[p.axis]!);
  }
  return chunkOf("int64", [out.length], out);
}

/** A block's shape as a small int64 chunk (for computeChunkSizes). */
export function blockShape(_p: unknown, _bp: unknown, [x]: readonly NDChunk[]): NDChunk {
  return chunkOf("int64", [x!.shape.length], x!.shape);
}
