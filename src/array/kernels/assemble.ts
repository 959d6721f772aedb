/**
 * `array.assemble`: build one output block from strided pieces of input blocks (rechunk,
 * slicing). Each piece copies `count[k]` elements per axis, reading input positions
 * start[k] + i·step[k] and writing output positions dst[k] + i, all in the full (pre-squeeze)
 * axes; integer-indexed axes are then dropped by giving `outShape` without them (same data).
 */
import { outputBuffer } from "./out-buffers.js";
import { type DType } from "../dtype.js";
import type { NDChunk } from "../fusion/ir.js";
import { stridedCopy } from "./strided-copy.js";
import { ArrayKernelError } from "./errors.js";

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

/** Copy a strided N-d box from `src` into `out` (./strided-copy.ts picks row copies or tiles). */
function copyBox(src: NDChunk["data"], srcShape: readonly number[], out: NDChunk["data"], outShape: readonly number[], p: Omit<Piece, "src">): void {
  if (p.count.some((c) => c === 0)) return;
  const ss = cStrides(srcShape);
  const os = cStrides(outShape);
  let sb = 0, db = 0;
  for (let k = 0; k < srcShape.length; k++) {
    sb += p.start[k]! * ss[k]!;
    db += p.dst[k]! * os[k]!;
  }
  stridedCopy(src, sb, ss.map((s, k) => s * p.step[k]!), out, db, os, p.count);
}

export function assemble(dtype: DType, fullShape: readonly number[], outShape: readonly number[], pieces: readonly Piece[]): NDChunk {
  const size = fullShape.reduce((a, b) => a * b, 1);
  const out = outputBuffer(dtype, size);
  for (const p of pieces) {
    if (p.src.dtype !== dtype) throw new ArrayKernelError(`assemble: piece of dtype ${p.src.dtype} in a ${dtype} block`);
    copyBox(p.src.data, p.src.shape, out, fullShape, p);
  }
  return { dtype, shape: [...outShape], data: out };
}

