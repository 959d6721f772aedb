/** Copy an N-d box between C-order buffers, one TypedArray.set per contiguous innermost run. */
import type { ChunkData } from "../dtype.js";

export interface Box {
  /** Start of the box in the source and in the destination, per axis. */
  readonly srcStart: readonly number[];
  readonly dstStart: readonly number[];
  readonly count: readonly number[];
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let k = shape.length - 1; k >= 0; k--) { s[k] = acc; acc *= shape[k]!; }
  return s;
}

export function copyBox(src: ChunkData, srcShape: readonly number[], dst: ChunkData, dstShape: readonly number[], box: Box): void {
  const nd = srcShape.length;
  if (box.count.some((c) => c === 0)) return;
  if (nd === 0) { (dst as Float64Array)[0] = (src as Float64Array)[0]!; return; }
  const ss = strides(srcShape), ds = strides(dstShape);
  // Merge trailing axes that are whole in both buffers into one longer run.
  let inner = nd - 1;
  let run = box.count[inner]!;
  while (inner > 0 && box.count[inner] === srcShape[inner] && box.count[inner] === dstShape[inner]) {
    inner--;
    run *= box.count[inner]!;
  }
  const idx = new Array<number>(inner).fill(0);
  const d = dst as Float64Array, s = src as Float64Array;
  for (;;) {
    let so = 0, doff = 0;
    for (let k = 0; k < nd; k++) {
      const i = k < inner ? idx[k]! : 0;
      so += (box.srcStart[k]! + i) * ss[k]!;
      doff += (box.dstStart[k]! + i) * ds[k]!;
    }
    d.set(s.subarray(so, so + run), doff);
    let k = inner - 1;
    for (; k >= 0; k--) {
      if (++idx[k]! < box.count[k]!) break;
      idx[k] = 0;
    }
    if (k < 0) return;
  }
}
