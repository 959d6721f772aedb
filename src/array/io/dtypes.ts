/**
 * Dtypes of stored data and the Tessera dtype each is read as. Tessera computes in bool, uint8,
 * int32, int64, float32 and float64; narrower or unsigned integers widen to the smallest of those
 * that holds every value exactly (int8/int16/uint16 → int32, uint32 → int64).
 */
import type { ChunkData, DType } from "../dtype.js";
import { UnsupportedFormatError } from "./errors.js";

/** A stored element type, by NumPy's name (float64, int16, uint8, bool, …). */
export type StoredType = "bool" | "int8" | "int16" | "int32" | "int64" | "uint8" | "uint16" | "uint32" | "uint64" | "float16" | "float32" | "float64";

const READ_AS: Partial<Record<StoredType, DType>> = {
  bool: "bool", uint8: "uint8", int8: "int32", int16: "int32", uint16: "int32", int32: "int32",
  uint32: "int64", int64: "int64", float32: "float32", float64: "float64",
};

/** The Tessera dtype for stored `t`, or an UnsupportedFormatError naming it. */
export function readDType(t: string, where: string): DType {
  const d = READ_AS[t as StoredType];
  if (d === undefined) {
    throw new UnsupportedFormatError(`${where}: stored dtype '${t}' is not supported; readable dtypes: ${Object.keys(READ_AS).join(", ")}`);
  }
  return d;
}

/** NumPy type string ('<f8', '|u1', '>i2', 'float64') → StoredType; throws naming it if unknown. */
export function fromNumpyTypestr(s: string, where: string): { type: StoredType; littleEndian: boolean } {
  const names: Record<string, StoredType> = { b1: "bool", i1: "int8", i2: "int16", i4: "int32", i8: "int64", u1: "uint8", u2: "uint16", u4: "uint32", u8: "uint64", f2: "float16", f4: "float32", f8: "float64" };
  const m = /^([<>|=]?)([biuf][1248])$/.exec(s);
  if (m && names[m[2]!] !== undefined) return { type: names[m[2]!]!, littleEndian: m[1] !== ">" };
  if (READ_AS[s as StoredType] !== undefined || s === "uint64" || s === "float16") return { type: s as StoredType, littleEndian: true };
  throw new UnsupportedFormatError(`${where}: stored dtype '${s}' is not supported; readable dtypes: ${Object.keys(READ_AS).join(", ")}`);
}

/** NumPy's little-endian type string for a Tessera dtype (how Tessera writes it). */
export function numpyTypestr(d: DType): string {
  switch (d) {
    case "bool": return "|b1";
    case "uint8": return "|u1";
    case "int32": return "<i4";
    case "int64": return "<i8";
    case "float32": return "<f4";
    case "float64": return "<f8";
  }
}

type Numeric = ArrayLike<number> | ArrayLike<bigint>;

const CTORS = { float64: Float64Array, float32: Float32Array, int32: Int32Array, int64: BigInt64Array, uint8: Uint8Array, bool: Uint8Array } as const;
const BYTES: Record<DType, number> = { float64: 8, float32: 4, int32: 4, int64: 8, uint8: 1, bool: 1 };

/**
 * Block data in shared memory: a task result whose buffer is a SharedArrayBuffer crosses from the
 * task thread to the worker and on to the next task without being copied (a plain buffer inside
 * a chunk object would be cloned at every hop).
 */
export function allocateShared(dtype: DType, n: number): ChunkData {
  const Ctor = CTORS[dtype] as unknown as new (b: ArrayBufferLike) => ChunkData;
  return new Ctor(new SharedArrayBuffer(n * BYTES[dtype]));
}

/** `data` itself when it is already in shared memory, else a shared copy. */
export function shared(data: ChunkData, dtype: DType): ChunkData {
  if (data.buffer instanceof SharedArrayBuffer) return data;
  const out = allocateShared(dtype, data.length);
  (out as Float64Array).set(data as Float64Array);
  return out;
}

/** Copy or view `src` (any typed array of the stored type) as Tessera `dtype` data. */
export function toChunkData(src: Numeric, dtype: DType): ChunkData {
  if (src.constructor === CTORS[dtype]) return src as unknown as ChunkData;
  const out = allocateShared(dtype, src.length);
  if (out instanceof BigInt64Array) {
    for (let i = 0; i < src.length; i++) out[i] = BigInt(src[i] as number | bigint);
  } else if (src instanceof BigInt64Array || src instanceof BigUint64Array) {
    for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
  } else {
    (out as Float64Array).set(src as ArrayLike<number>);
  }
  return out;
}
