/**
 * The two block ops of rechunk (./rechunk.ts builds the graph):
 * - `array.rechunk_split`: one input block → all its pieces packed one after another, each in C
 *   order, so that every piece is a contiguous range an assembling task can read (and a worker can
 *   fetch) on its own. Only needed for blocks whose pieces are not contiguous in the block already.
 * - `array.rechunk_assemble`: one output block from contiguous pieces, each given as a range
 *   reference (../graph/range-ref.ts) with the box it fills.
 */
import { rangeData } from "../graph/range-ref.js";
import type { ChunkData, DType } from "./dtype.js";
import { ArrayArgumentError } from "./errors.js";
import type { NDChunk } from "./fusion/ir.js";
import { cStrides } from "./kernels/assemble.js";
import { outputBuffer } from "./kernels/out-buffers.js";
import { stridedCopy } from "./kernels/strided-copy.js";

/** A box of a block: `count` elements per axis from `start`. */
export interface Box { readonly start: readonly number[]; readonly count: readonly number[] }

/** A piece read by rechunk_assemble: a resolved range argument, the box it fills (from `dst`). */
export interface AssemblePiece {
  readonly src: { readonly $range: unknown; readonly start: number; readonly length: number };
  readonly dst: readonly number[];
  readonly count: readonly number[];
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function rechunkSplit(block: NDChunk, boxes: readonly Box[]): NDChunk {
  const total = boxes.reduce((a, b) => a + size(b.count), 0);
  const out = outputBuffer(block.dtype, total);
  const ss = cStrides(block.shape);
  let at = 0;
  for (const b of boxes) {
    const n = size(b.count);
    if (n === 0) continue;
    if (b.start.some((s, k) => s < 0 || s + b.count[k]! > block.shape[k]!)) {
      throw new ArrayArgumentError(`rechunk_split: box from [${b.start.join(", ")}] of [${b.count.join(", ")}] is outside the block of shape [${block.shape.join(", ")}]`);
    }
    const base = b.start.reduce((a, s, k) => a + s * ss[k]!, 0);
    stridedCopy(block.data, base, ss, out, at, cStrides(b.count), b.count);
    at += n;
  }
  return { dtype: block.dtype, shape: [total], data: out };
}

export function rechunkAssemble(dtype: DType, shape: readonly number[], pieces: readonly AssemblePiece[]): NDChunk {
  const out = outputBuffer(dtype, size(shape));
  const os = cStrides(shape);
  for (const p of pieces) {
    const n = size(p.count);
    if (n === 0) continue;
    const src = rangeData(p.src) as ChunkData;
    if (src.length !== n) throw new ArrayArgumentError(`rechunk_assemble: a piece of [${p.count.join(", ")}] got ${src.length} elements`);
    if (p.dst.some((d, k) => d < 0 || d + p.count[k]! > shape[k]!)) {
      throw new ArrayArgumentError(`rechunk_assemble: piece at [${p.dst.join(", ")}] of [${p.count.join(", ")}] is outside the block of shape [${shape.join(", ")}]`);
    }
    const base = p.dst.reduce((a, d, k) => a + d * os[k]!, 0);
    stridedCopy(src, 0, cStrides(p.count), out, base, os, p.count);
  }
  return { dtype, shape: [...shape], data: out };
}
