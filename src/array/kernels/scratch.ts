/**
 * Scratch buffers reused across tasks in one thread. Writing to freshly mapped memory costs
 * ~50× a warm write on the VMs measured (first-touch page faults), so kernels that need a
 * temporary block (a transposed or sliced operand) take it from here instead of allocating.
 *
 * Ownership: a scratch buffer belongs to the synchronous call that took it and must not
 * outlive it; nothing returned from a task may reference one (`isScratch` lets callers check,
 * and ./program.ts copies an output that would). Each `slot` is a separate buffer, so one call
 * can hold several at once.
 */
import type { ChunkData, DType } from "../dtype.js";

const BYTES: Record<DType, number> = { float64: 8, float32: 4, int32: 4, int64: 8, uint8: 1, bool: 1 };
/** Buffers above this size are not kept (a one-off huge block should not pin memory). */
const MAX_KEPT_BYTES = 512 * 1024 * 1024;

const buffers = new Map<number, ArrayBuffer>();

/** A typed array of `n` elements of `dtype` on scratch buffer `slot` (contents undefined). */
export function scratch(dtype: DType, n: number, slot: number): ChunkData {
  const bytes = n * BYTES[dtype];
  let buf = buffers.get(slot);
  if (buf === undefined || buf.byteLength < bytes) {
    buf = new ArrayBuffer(Math.max(bytes, 8));
    if (bytes <= MAX_KEPT_BYTES) buffers.set(slot, buf);
  }
  switch (dtype) {
    case "float64": return new Float64Array(buf, 0, n);
    case "float32": return new Float32Array(buf, 0, n);
    case "int32": return new Int32Array(buf, 0, n);
    case "int64": return new BigInt64Array(buf, 0, n);
    case "uint8": case "bool": return new Uint8Array(buf, 0, n);
  }
}

/** Whether `data` lives in one of this thread's scratch buffers. */
export function isScratch(data: ChunkData): boolean {
  for (const b of buffers.values()) if (b === data.buffer) return true;
  return false;
}
