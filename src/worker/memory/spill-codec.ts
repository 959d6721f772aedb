/**
 * On-disk form of one spilled value: a 16-byte header, then the payload at offset 16 (8-byte
 * aligned, so typed arrays are read straight into their own buffer with no copy or realignment).
 *   bytes 0–3  magic "TSP1"
 *   byte  4    kind: 0 = typed array (payload = its raw bytes), 1 = msgpack (any other value)
 *   byte  5    typed-array type (index into TYPED_ARRAYS)
 *   bytes 6–7  zero
 *   bytes 8–15 payload length, float64 little-endian
 */
import { Packr } from "msgpackr";
import type { TypedArray } from "../../graph/spec.js";
import { SpillFileError } from "../../util/errors.js";

export const HEADER_BYTES = 16;
const MAGIC = 0x31505354; // "TSP1" read as little-endian uint32

type TypedArrayCtor = { new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TypedArray; BYTES_PER_ELEMENT: number };

export const TYPED_ARRAYS: readonly TypedArrayCtor[] = [
  Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array, Uint8ClampedArray,
  BigInt64Array, BigUint64Array,
];

const packr = new Packr({ moreTypes: true, structuredClone: false });

export interface EncodedValue {
  readonly header: Uint8Array;
  readonly payload: Uint8Array;
}

export interface DecodedHeader {
  readonly kind: 0 | 1;
  readonly ctor: TypedArrayCtor | undefined;
  readonly payloadBytes: number;
}

export function encodeValue(value: unknown): EncodedValue {
  const header = new Uint8Array(HEADER_BYTES);
  const dv = new DataView(header.buffer);
  dv.setUint32(0, MAGIC, true);
  const ctorIndex = ArrayBuffer.isView(value) ? TYPED_ARRAYS.indexOf(value.constructor as TypedArrayCtor) : -1;
  let payload: Uint8Array;
  if (ctorIndex >= 0) {
    const v = value as TypedArray;
    header[4] = 0;
    header[5] = ctorIndex;
    payload = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  } else {
    header[4] = 1;
    payload = packr.pack(value);
  }
  dv.setFloat64(8, payload.byteLength, true);
  return { header, payload };
}

export function decodeHeader(header: Uint8Array, file: string): DecodedHeader {
  if (header.byteLength < HEADER_BYTES) throw new SpillFileError(`spill file ${file} is truncated (${header.byteLength} header bytes)`);
  const dv = new DataView(header.buffer, header.byteOffset, HEADER_BYTES);
  if (dv.getUint32(0, true) !== MAGIC) throw new SpillFileError(`spill file ${file} is not a Tessera spill file (bad magic)`);
  const kind = header[4];
  const payloadBytes = dv.getFloat64(8, true);
  if ((kind !== 0 && kind !== 1) || !Number.isSafeInteger(payloadBytes) || payloadBytes < 0) {
    throw new SpillFileError(`spill file ${file} has a corrupt header`);
  }
  const ctor = kind === 0 ? TYPED_ARRAYS[header[5]!] : undefined;
  if (kind === 0 && !ctor) throw new SpillFileError(`spill file ${file} names unknown typed-array type ${header[5]}`);
  return { kind, ctor, payloadBytes };
}

/** Allocate the buffer a payload is read into: typed arrays get their own (optionally shared) memory. */
export function payloadBuffer(h: DecodedHeader, shared: boolean): Uint8Array {
  if (h.kind === 0 && shared) return new Uint8Array(new SharedArrayBuffer(h.payloadBytes));
  return new Uint8Array(new ArrayBuffer(h.payloadBytes));
}

export function decodePayload(h: DecodedHeader, payload: Uint8Array): unknown {
  if (h.kind === 0) {
    const ctor = h.ctor!;
    return new ctor(payload.buffer, payload.byteOffset, payload.byteLength / ctor.BYTES_PER_ELEMENT);
  }
  return packr.unpack(payload);
}
