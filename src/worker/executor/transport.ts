/**
 * How typed arrays cross between the main thread and task threads.
 *
 * Choice: typed-array results of at least `shareThresholdBytes` (64 KiB by default) are copied once,
 * on the task thread, into a SharedArrayBuffer. From then on the stored value is shared memory, so
 * passing it as an input to later tasks (on any thread) costs no copy at all, and the main thread
 * (which must stay free for heartbeats and transfers) never copies chunk data. Transferring the
 * result's ArrayBuffer instead would be free once, but every later use as an input would then be
 * copied by structured clone on the main thread. Results smaller than the threshold are cloned
 * (cheaper than a SharedArrayBuffer allocation). The price of sharing: ops must not mutate their
 * inputs in place (Dask's rule too). With resultTransport "transfer", whole-buffer results are
 * transferred instead (zero copy; the op must not keep a reference to what it returned).
 */
import type { TypedArray } from "../../graph/spec.js";

export type ResultTransport = "shared" | "transfer";

type TypedArrayCtor = new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => TypedArray;

export function isTypedArray(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

function isShared(v: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== "undefined" && v.buffer instanceof SharedArrayBuffer;
}

/** Copy a typed array into fresh shared memory (same type, same length). */
export function toShared<T extends TypedArray>(v: T): T {
  const sab = new SharedArrayBuffer(v.byteLength);
  new Uint8Array(sab).set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  const Ctor = v.constructor as TypedArrayCtor;
  return new Ctor(sab, 0, v.length) as T;
}

/**
 * Prepare a task result for postMessage: returns the value to post and, for "transfer", the buffer
 * to put in the transfer list.
 */
export function prepareResult(value: unknown, transport: ResultTransport, thresholdBytes: number): { value: unknown; transfer?: ArrayBuffer } {
  if (!isTypedArray(value) || isShared(value)) return { value };
  if (value.byteLength < thresholdBytes) {
    // A view on a larger buffer would clone the whole buffer: clone just the view.
    return { value: value.byteLength === value.buffer.byteLength ? value : value.slice() };
  }
  if (transport === "shared") return { value: toShared(value) };
  const own = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength ? value : value.slice();
  return { value: own, transfer: own.buffer as ArrayBuffer };
}

/**
 * Prepare an argument list for postMessage: shared-memory arrays pass as they are (no copy); a view
 * on part of a larger non-shared buffer (e.g. a network receive buffer) is narrowed to its own bytes
 * so that structured clone does not copy the whole buffer.
 */
export function prepareArgs(args: readonly unknown[]): unknown[] {
  return narrowViews(args, 2) as unknown[];
}

/** Copy-on-write walk of arrays (to `depth` levels) replacing partial non-shared views by exact copies. */
function narrowViews(args: readonly unknown[], depth: number): readonly unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    let b = a;
    if (isTypedArray(a)) {
      if (!isShared(a) && a.byteLength !== a.buffer.byteLength) b = a.slice();
    } else if (depth > 1 && Array.isArray(a)) {
      b = narrowViews(a, depth - 1);
    }
    if (b !== a) {
      out ??= args.slice();
      out[i] = b;
    }
  }
  return out ?? args;
}
