/**
 * Where big buffers are allocated. A worker's task threads switch this to SharedArrayBuffer
 * (`allocateSharedAbove`), so that results written into buffers from `allocateBuffer` /
 * `allocateTyped` are already in shared memory and cross to the worker's main thread, and back to
 * any task thread, without a copy. Everywhere else (the client, tests, a plain script) it returns
 * ordinary ArrayBuffers. Kernels that produce chunk data should allocate their outputs here.
 */

type TypedArrayCtor<T> = new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => T;

let sharedFromBytes = Infinity;

/**
 * Buffers of at least `bytes` bytes are SharedArrayBuffers from now on in this thread (Infinity:
 * never). Called once by each task thread at start.
 */
export function allocateSharedAbove(bytes: number): void {
  sharedFromBytes = typeof SharedArrayBuffer === "undefined" ? Infinity : bytes;
}

/** True when a buffer of `byteLength` bytes would be allocated in shared memory in this thread. */
export function allocatesShared(byteLength: number): boolean {
  return byteLength >= sharedFromBytes;
}

/** A zero-filled buffer: shared memory when this thread shares buffers of this size. */
export function allocateBuffer(byteLength: number): ArrayBuffer | SharedArrayBuffer {
  return byteLength >= sharedFromBytes ? new SharedArrayBuffer(byteLength) : new ArrayBuffer(byteLength);
}

/** A zero-filled typed array of `length` elements, on a buffer from `allocateBuffer`. */
export function allocateTyped<T extends { readonly byteLength: number }>(Ctor: TypedArrayCtor<T> & { BYTES_PER_ELEMENT: number }, length: number): T {
  return new Ctor(allocateBuffer(length * Ctor.BYTES_PER_ELEMENT), 0, length);
}
