/** Raw little/big-endian bytes of a stored type → Tessera chunk data. */
import type { ChunkData, DType } from "../dtype.js";
import { toChunkData, type StoredType } from "./dtypes.js";
import { UnsupportedFormatError } from "./errors.js";

const SIZE: Record<StoredType, number> = { bool: 1, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, float16: 2, float32: 4, float64: 8 };

export const storedSize = (t: StoredType): number => SIZE[t];

type Ctor = { new (b: ArrayBuffer, o: number, n: number): ArrayLike<number> | ArrayLike<bigint> };
const CTOR: Partial<Record<StoredType, Ctor>> = {
  bool: Uint8Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
  int64: BigInt64Array, uint64: BigUint64Array, float32: Float32Array, float64: Float64Array,
};

/** Decode `bytes` (a fresh buffer this function may modify) holding `n` values of `t`. */
export function decodeBytes(bytes: Uint8Array, t: StoredType, littleEndian: boolean, dtype: DType): ChunkData {
  const size = SIZE[t];
  const ctor = CTOR[t];
  if (ctor === undefined) throw new UnsupportedFormatError(`stored dtype '${t}' is not supported`);
  if (!littleEndian && size > 1) {
    for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  }
  let buf = bytes;
  if (bytes.byteOffset % size !== 0) buf = bytes.slice();
  const view = new ctor(buf.buffer as ArrayBuffer, buf.byteOffset, buf.length / size);
  return toChunkData(view, dtype);
}
