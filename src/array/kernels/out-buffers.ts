/**
 * Where kernels get the buffers of the blocks they return (results that leave the task, unlike
 * ./scratch.ts). The default is a fresh zeroed typed array (`allocate`); a runtime can install
 * its own allocator, e.g. one that places results in SharedArrayBuffers so that a block can
 * move between a worker's threads without a copy. An allocator must return zeroed memory of
 * exactly `n` elements that nothing else references: the block owns it from then on.
 */
import { allocate, type ChunkData, type DType } from "../dtype.js";

export type ChunkAllocator = (dtype: DType, n: number) => ChunkData;

let current: ChunkAllocator = allocate;

/** Install `a` as this thread's allocator of result blocks (undefined: back to the default). */
export function setChunkAllocator(a: ChunkAllocator | undefined): void {
  current = a ?? allocate;
}

/** A zeroed buffer of `n` elements of `dtype` for a block a kernel returns. */
export function outputBuffer(dtype: DType, n: number): ChunkData {
  return current(dtype, n);
}

/** An allocator of zeroed blocks backed by SharedArrayBuffers (for hand-off between threads). */
export const sharedAllocator: ChunkAllocator = (dtype, n) => {
  const C = { float64: Float64Array, float32: Float32Array, int32: Int32Array, int64: BigInt64Array, uint8: Uint8Array, bool: Uint8Array }[dtype];
  const sab = new SharedArrayBuffer(Math.max(1, n) * C.BYTES_PER_ELEMENT) as unknown as ArrayBuffer;
  return new C(sab, 0, n) as ChunkData;
};
