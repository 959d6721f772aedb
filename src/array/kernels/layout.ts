/** Block kernels that only move elements: `array.transpose` and `array.reshape`. */
import { outputBuffer } from "./out-buffers.js";
import type { NDChunk } from "../fusion/ir.js";
import { cStrides } from "./assemble.js";
import { stridedCopy } from "./strided-copy.js";
import { ArrayKernelError } from "./errors.js";

/** `array.transpose`: permute the axes of a block (output axis k is input axis perm[k]). */
export function transposeBlock(x: NDChunk, perm: readonly number[]): NDChunk {
  const outShape = perm.map((a) => x.shape[a]!);
  const out = outputBuffer(x.dtype, x.data.length);
  const is = cStrides(x.shape);
  // output element (i_0, …) reads input offset Σ i_k · is[perm[k]]: a strided copy, tiled
  stridedCopy(x.data, 0, perm.map((a) => is[a]!), out, 0, cStrides(outShape), outShape);
  return { dtype: x.dtype, shape: outShape, data: out };
}

/** `array.reshape`: same C-order data, new shape (sizes must agree). */
export function reshapeBlock(x: NDChunk, shape: readonly number[]): NDChunk {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== x.data.length) throw new ArrayKernelError(`reshape: block of ${x.data.length} elements cannot take shape [${shape.join(", ")}]`);
  return { dtype: x.dtype, shape: [...shape], data: x.data };
}
