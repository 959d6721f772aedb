/**
 * `array.assemble`: build one output block from strided pieces of input blocks (rechunk,
 * slicing). Each piece copies `count[k]` elements per axis, reading input positions
 * start[k] + i·step[k] and writing output positions dst[k] + i, all in the full (pre-squeeze)
 * axes; integer-indexed axes are then dropped by giving `outShape` without them (same data).
 */
import { allocate, type DType } from "../dtype.js";
import type { NDChunk } from "../fusion/ir.js";

export interface Piece {
  readonly src: NDChunk;
  readonly start: readonly number[];
  readonly step: readonly number[];
  readonly dst: readonly number[];
  readonly count: readonly number[];
}

export function cStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let k = shape.length - 1; k >= 0; k--) { s[k] = acc; acc *= shape[k]!; }
  return s;
}

/** Copy a strided N-d box from `src` into `out`; the innermost axis is a tight loop. */
function copyBox(src: NDChunk["data"], srcShape: readonly number[], out: NDChunk["data"], outShape: readonly number[], p: Omit<Piece, "src">): void {
  const nd = srcShape.length;
  if (p.count.some((c) => c === 0)) return;
  const ss = cStrides(srcShape);
  const os = cStrides(outShape);
  if (nd === 0) { (out as Float64Array)[0] = (src as Float64Array)[0]!; return; }
  const last = nd - 1;
  const idx = new Array<number>(nd).fill(0);
  const n = p.count[last]!;
  const sStep = p.step[last]! * ss[last]!;
  const o = out as unknown as { [i: number]: number | bigint };
  const s = src as unknown as { [i: number]: number | bigint };
  for (;;) {
    let si = 0, oi = 0;
    for (let k = 0; k < nd; k++) {
      const i = k === last ? 0 : idx[k]!;
      si += (p.start[k]! + i * p.step[k]!) * ss[k]!;
      oi += (p.dst[k]! + i) * os[k]!;
    }
    for (let j = 0; j < n; j++, si += sStep) o[oi + j] = s[si]!;
    let k = last - 1;
    for (; k >= 0; k--) {
      if (++idx[k]! < p.count[k]!) break;
      idx[k] = 0;
    }
    if (k < 0) return;
  }
}

export function assemble(dtype: DType, fullShape: readonly number[], outShape: readonly number[], pieces: readonly Piece[]): NDChunk {
  const size = fullShape.reduce((a, b) => a * b, 1);
  const out = allocate(dtype, size);
  for (const p of pieces) {
    if (p.src.dtype !== dtype) throw new Error(`assemble: piece of dtype ${p.src.dtype} in a ${dtype} block`);
    copyBox(p.src.data, p.src.shape, out, fullShape, p);
  }
  return { dtype, shape: [...outShape], data: out };
}

