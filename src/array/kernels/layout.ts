/** Block kernels that only move elements: `array.transpose` and `array.reshape`. */
import { allocate } from "../dtype.js";
import type { NDChunk } from "../fusion/ir.js";
import { cStrides } from "./assemble.js";

/** `array.transpose`: permute the axes of a block (output axis k is input axis perm[k]). */
export function transposeBlock(x: NDChunk, perm: readonly number[]): NDChunk {
  const nd = x.shape.length;
  const outShape = perm.map((a) => x.shape[a]!);
  const out = allocate(x.dtype, x.data.length);
  const is = cStrides(x.shape);
  const ps = perm.map((a) => is[a]!);
  const idx = new Array<number>(nd).fill(0);
  const o = out as unknown as { [i: number]: number | bigint };
  const s = x.data as unknown as { [i: number]: number | bigint };
  for (let f = 0; f < out.length; f++) {
    let si = 0;
    for (let k = 0; k < nd; k++) si += idx[k]! * ps[k]!;
    o[f] = s[si]!;
    for (let k = nd - 1; k >= 0; k--) {
      if (++idx[k]! < outShape[k]!) break;
      idx[k] = 0;
    }
  }
  return { dtype: x.dtype, shape: outShape, data: out };
}

/** `array.reshape`: same C-order data, new shape (sizes must agree). */
export function reshapeBlock(x: NDChunk, shape: readonly number[]): NDChunk {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== x.data.length) throw new Error(`reshape: block of ${x.data.length} elements cannot take shape [${shape.join(", ")}]`);
  return { dtype: x.dtype, shape: [...shape], data: x.data };
}
