/**
 * How chunk data crosses between the main thread and task threads.
 *
 * Choice: every typed array of at least `shareThresholdBytes` (64 KiB by default) inside a task
 * result — bare, or inside any wrapper: an array chunk `{dtype, shape, data}`, arrays or Maps of
 * chunks, an NDArray-like class instance — lives in a SharedArrayBuffer by the time the result is
 * posted. Structured clone then copies only the small header around it (shape, dtype, the shared
 * buffer's handle), so results reach the main thread, and inputs reach any task thread, without a
 * copy of their data. Task threads allocate through src/util/shared-memory.ts, so kernels that
 * allocate their outputs there write into shared memory from the start; any other big result is
 * copied once into shared memory here, on the task thread (never on the main thread, which must
 * stay free for heartbeats and transfers). Transferring ArrayBuffers instead would be free once,
 * but every later use as an input would be copied by structured clone on the main thread.
 *
 * Results smaller than the threshold are cloned (cheaper than a SharedArrayBuffer allocation); a
 * small view on part of a bigger buffer is narrowed to its own bytes first, so clone does not copy
 * the whole buffer. The price of sharing: ops must not mutate their inputs in place (Dask's rule
 * too). With resultTransport "transfer", whole-buffer results are transferred instead (zero copy;
 * the op must not keep a reference to what it returned).
 */
import type { TypedArray } from "../../graph/spec.js";

export type ResultTransport = "shared" | "transfer";

type TypedArrayCtor = new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => TypedArray;

/** Typed arrays at least this big travel in shared memory (smaller ones are cheaper to clone). */
export const DEFAULT_SHARE_THRESHOLD_BYTES = 64 * 1024;

/** Wrappers are walked this deep (a chunk inside a list inside a tuple is depth 3). */
const MAX_DEPTH = 6;
/** Containers longer than this are left to structured clone beyond their first items. */
const MAX_ITEMS = 100_000;

export function isTypedArray(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

export function isShared(v: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== "undefined" && v.buffer instanceof SharedArrayBuffer;
}

/** Copy a typed array into fresh shared memory (same type, same length). */
export function toShared<T extends TypedArray>(v: T): T {
  const sab = new SharedArrayBuffer(v.byteLength);
  new Uint8Array(sab).set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  const Ctor = v.constructor as TypedArrayCtor;
  return new Ctor(sab, 0, v.length) as T;
}

const isPartialView = (v: ArrayBufferView): boolean => v.byteLength !== v.buffer.byteLength;

/**
 * Prepare a task result for postMessage: returns the value to post (typed arrays inside it moved
 * to shared memory, or narrowed) and, for "transfer", the buffers to put in the transfer list.
 */
export function prepareResult(value: unknown, transport: ResultTransport, thresholdBytes: number): { value: unknown; transfer: ArrayBuffer[] } {
  const transfer = new Set<ArrayBuffer>();
  const leaf = (v: TypedArray): TypedArray => {
    if (isShared(v)) return v;
    if (v.byteLength < thresholdBytes) return isPartialView(v) ? v.slice() : v;
    if (transport === "shared") return toShared(v);
    const own = v.byteOffset === 0 && !isPartialView(v) && !transfer.has(v.buffer as ArrayBuffer) ? v : v.slice();
    transfer.add(own.buffer as ArrayBuffer);
    return own;
  };
  return { value: mapTypedArrays(value, leaf, MAX_DEPTH), transfer: [...transfer] };
}

/**
 * Prepare task arguments for postMessage on the main thread: shared-memory arrays pass as they are
 * (no copy), at any depth; a view on part of a larger non-shared buffer (e.g. a network receive
 * chunk) is narrowed to its own bytes so that structured clone does not copy the whole buffer.
 */
export function prepareArgs(args: readonly unknown[]): unknown[] {
  return mapTypedArrays(args, narrow, MAX_DEPTH) as unknown[];
}

const narrow = (v: TypedArray): TypedArray => (!isShared(v) && isPartialView(v) ? v.slice() : v);

/**
 * Copy-on-write walk replacing typed arrays by `leaf(array)`: containers are copied only where
 * something inside them changed, so a value with nothing to replace is returned as is. Class
 * instances become plain objects of their own enumerable fields, which is what structured clone
 * makes of them anyway.
 */
export function mapTypedArrays(value: unknown, leaf: (v: TypedArray) => TypedArray, depth: number): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (ArrayBuffer.isView(value)) return value instanceof DataView ? value : leaf(value as TypedArray);
  if (depth <= 0) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    const n = Math.min(value.length, MAX_ITEMS);
    for (let i = 0; i < n; i++) {
      const v = value[i];
      if (typeof v !== "object" || v === null) continue;
      const r = mapTypedArrays(v, leaf, depth - 1);
      if (r !== v) {
        out ??= value.slice();
        out[i] = r;
      }
    }
    return out ?? value;
  }
  if (value instanceof Map) {
    let out: Map<unknown, unknown> | undefined;
    for (const [k, v] of value) {
      const r = mapTypedArrays(v, leaf, depth - 1);
      if (r !== v) {
        out ??= new Map(value);
        out.set(k, r);
      }
    }
    return out ?? value;
  }
  if (!isWalkable(value)) return value;
  let out: Record<string, unknown> | undefined;
  let count = 0;
  for (const k of Object.keys(value)) {
    if (++count > MAX_ITEMS) break;
    const v = (value as Record<string, unknown>)[k];
    if (typeof v !== "object" || v === null) continue;
    const r = mapTypedArrays(v, leaf, depth - 1);
    if (r !== v) {
      out ??= { ...(value as Record<string, unknown>) };
      out[k] = r;
    }
  }
  return out ?? value;
}

/** Plain objects and class instances; not the built-ins that structured clone treats specially. */
function isWalkable(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return true;
  return !(
    v instanceof Set ||
    v instanceof Date ||
    v instanceof RegExp ||
    v instanceof Error ||
    v instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer !== "undefined" && v instanceof SharedArrayBuffer) ||
    v instanceof Promise ||
    v instanceof Boolean ||
    v instanceof Number ||
    v instanceof String
  );
}
