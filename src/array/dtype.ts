/**
 * Dtypes: storage, names, and NumPy-like promotion (NEP 50: JS numbers are "weak" scalars that
 * take the array's dtype where they fit its kind).
 */
import type { DType } from "./fusion/ir.js";
import { showValue } from "../util/options.js";
import { ArrayArgumentError, ArrayDTypeError } from "./errors.js";
export type { DType } from "./fusion/ir.js";
import { allocateBuffer } from "../util/shared-memory.js";

export const DTYPES: readonly DType[] = ["bool", "uint8", "int32", "int64", "float32", "float64"];

export type ChunkData = Float64Array | Float32Array | Int32Array | Uint8Array | BigInt64Array;

export function checkDType(d: unknown, what = "dtype"): DType {
  if (typeof d === "string" && (DTYPES as readonly string[]).includes(d)) return d as DType;
  throw new ArrayArgumentError(`${what}: unknown dtype ${showValue(d)}; use one of ${DTYPES.join(", ")}`);
}

export function itemSize(d: DType): number {
  switch (d) {
    case "float64": case "int64": return 8;
    case "float32": case "int32": return 4;
    case "uint8": case "bool": return 1;
  }
}

/** Zero-filled chunk data; in a worker's task thread big chunks are in shared memory (util/shared-memory.ts). */
export function allocate(d: DType, n: number): ChunkData {
  const b = allocateBuffer(n * itemSize(d));
  switch (d) {
    case "float64": return new Float64Array(b);
    case "float32": return new Float32Array(b);
    case "int32": return new Int32Array(b);
    case "int64": return new BigInt64Array(b);
    case "uint8": case "bool": return new Uint8Array(b);
  }
}

export const isFloat = (d: DType): boolean => d === "float64" || d === "float32";
export const isInt = (d: DType): boolean => d === "int32" || d === "int64" || d === "uint8";

/**
 * Coerce a JS number to what storing it in `d` and reading it back gives. Every backend applies
 * this after every node so that fused (in-register) and unfused (stored) values are identical.
 */
export function coerce(d: DType, v: number): number {
  switch (d) {
    case "float64": return v;
    case "float32": return Math.fround(v);
    case "int32": return v | 0;
    case "uint8": return v & 255;
    case "bool": return v !== 0 ? 1 : 0; // NaN is truthy, as in NumPy
    case "int64": return Number.isFinite(v) ? Math.trunc(v) : 0;
  }
}

const RANK: Record<DType, number> = { bool: 0, uint8: 1, int32: 2, int64: 3, float32: 4, float64: 5 };

/** NumPy's result_type for two array dtypes. */
export function promote(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === "bool") return b;
  if (b === "bool") return a;
  const [lo, hi] = RANK[a] < RANK[b] ? [a, b] : [b, a];
  if (hi === "float32") return lo === "uint8" ? "float32" : "float64";
  return hi;
}

/** Smallest and largest value of an integer dtype (bool: 0..1). */
export function intRange(d: DType): readonly [number, number] {
  switch (d) {
    case "bool": return [0, 1];
    case "uint8": return [0, 255];
    case "int32": return [-2147483648, 2147483647];
    default: return [-9223372036854775808, 9223372036854775807];
  }
}

/** Whether the integer-valued number `s` is representable in the integer dtype `d`. */
export function fitsInt(d: DType, s: number): boolean {
  const [lo, hi] = intRange(d);
  return d === "int64" || d === "float64" || d === "float32" ? s >= lo && s < 9223372036854775808 : s >= lo && s <= hi;
}

/**
 * Dtype of an array combined with a JS number (a weak scalar, NEP 50): an integer scalar takes
 * the array's integer dtype, and one that does not fit it raises (NumPy 2's OverflowError)
 * instead of wrapping. `what` names the operation in the message.
 */
export function promoteScalar(a: DType, s: number, what = "operation"): DType {
  const intLike = Number.isInteger(s) && !Object.is(s, -0);
  if (isFloat(a)) return a;
  if (!intLike) return "float64";
  const out = a === "bool" ? "int64" : a;
  if (!fitsInt(out, s)) {
    throw new ArrayDTypeError(
      `${what}: the scalar ${s} is out of bounds for ${out} (NumPy 2 / NEP 50: a Python-like scalar takes the array's dtype and must fit it); ` +
        `cast the array first, e.g. .astype('${out === "int64" ? "float64" : "int64"}')`,
    );
  }
  return out;
}

/** Dtype of a JS number alone (as a 0-d array would hold it). */
export function scalarDType(s: number | boolean): DType {
  if (typeof s === "boolean") return "bool";
  return Number.isInteger(s) && !Object.is(s, -0) ? "int64" : "float64";
}

/** Float dtype for sqrt/exp/log/sin/cos of `d` (NumPy gives float16 for bool/uint8; we use float32). */
export function floatResult(d: DType): DType {
  if (isFloat(d)) return d;
  return d === "bool" || d === "uint8" ? "float32" : "float64";
}
