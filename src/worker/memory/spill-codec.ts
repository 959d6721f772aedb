/**
 * On-disk form of one spilled value: a 16-byte header, then the payload at offset 16 (8-byte
 * aligned, so typed arrays are read straight into their own buffer with no copy or realignment).
 *   bytes 0–3  magic "TSP1"
 *   byte  4    kind: 0 = typed array (payload = its raw bytes), 1 = msgpack (any other value),
 *              2 = array block (an object with a typed-array `data` field: payload = u32 LE length of
 *              the msgpack of the other fields, 4 zero bytes, that msgpack, zeros to a multiple of 8,
 *              then `data`'s raw bytes), so a range of `data` is read without the rest (readRange)
 *   byte  5    typed-array type (index into TYPED_ARRAYS) of the value (0) or of its `data` (2)
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
  /** The payload, in pieces written one after another. */
  readonly parts: readonly Uint8Array[];
  readonly payloadBytes: number;
}

const KIND_TYPED = 0;
const KIND_MSGPACK = 1;
export const KIND_BLOCK = 2;
/** A block's payload starts with the length of its fields' msgpack (u32) and 4 zero bytes. */
export const BLOCK_PRELUDE_BYTES = 8;

const bytesOf = (v: TypedArray): Uint8Array => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
const typedIndex = (v: unknown): number => (ArrayBuffer.isView(v) ? TYPED_ARRAYS.indexOf(v.constructor as TypedArrayCtor) : -1);

/** An array block: a plain object whose `data` is one of TYPED_ARRAYS (its other fields small). */
function isBlock(value: unknown): value is { data: TypedArray } {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype && typedIndex((value as { data?: unknown }).data) >= 0;
}

export function encodeValue(value: unknown): EncodedValue {
  const header = new Uint8Array(HEADER_BYTES);
  const dv = new DataView(header.buffer);
  dv.setUint32(0, MAGIC, true);
  let parts: Uint8Array[];
  if (typedIndex(value) >= 0) {
    header[4] = KIND_TYPED;
    header[5] = typedIndex(value);
    parts = [bytesOf(value as TypedArray)];
  } else if (isBlock(value)) {
    const { data, ...fields } = value;
    const meta = packr.pack(fields);
    const prelude = new Uint8Array(BLOCK_PRELUDE_BYTES + meta.byteLength + ((8 - (meta.byteLength & 7)) & 7));
    new DataView(prelude.buffer).setUint32(0, meta.byteLength, true);
    prelude.set(meta, BLOCK_PRELUDE_BYTES);
    header[4] = KIND_BLOCK;
    header[5] = typedIndex(data);
    parts = [prelude, bytesOf(data)];
  } else {
    header[4] = KIND_MSGPACK;
    parts = [packr.pack(value)];
  }
  const payloadBytes = parts.reduce((n, p) => n + p.byteLength, 0);
  dv.setFloat64(8, payloadBytes, true);
  return { header, parts, payloadBytes };
}

export interface DecodedHeader {
  readonly kind: 0 | 1 | 2;
  readonly ctor: TypedArrayCtor | undefined;
  readonly payloadBytes: number;
}

export function decodeHeader(header: Uint8Array, file: string): DecodedHeader {
  if (header.byteLength < HEADER_BYTES) throw new SpillFileError(`spill file ${file} is truncated (${header.byteLength} header bytes)`);
  const dv = new DataView(header.buffer, header.byteOffset, HEADER_BYTES);
  if (dv.getUint32(0, true) !== MAGIC) throw new SpillFileError(`spill file ${file} is not a Tessera spill file (bad magic)`);
  const kind = header[4];
  const payloadBytes = dv.getFloat64(8, true);
  if ((kind !== KIND_TYPED && kind !== KIND_MSGPACK && kind !== KIND_BLOCK) || !Number.isSafeInteger(payloadBytes) || payloadBytes < 0) {
    throw new SpillFileError(`spill file ${file} has a corrupt header`);
  }
  const ctor = kind === KIND_MSGPACK ? undefined : TYPED_ARRAYS[header[5]!];
  if (kind !== KIND_MSGPACK && !ctor) throw new SpillFileError(`spill file ${file} names unknown typed-array type ${header[5]}`);
  return { kind, ctor, payloadBytes };
}

/** Allocate the buffer a payload is read into: typed arrays get their own (optionally shared) memory. */
export function payloadBuffer(h: DecodedHeader, shared: boolean): Uint8Array {
  if (h.kind !== KIND_MSGPACK && shared) return new Uint8Array(new SharedArrayBuffer(h.payloadBytes));
  return new Uint8Array(new ArrayBuffer(h.payloadBytes));
}

export function decodePayload(h: DecodedHeader, payload: Uint8Array): unknown {
  const ctor = h.ctor!;
  if (h.kind === KIND_TYPED) return new ctor(payload.buffer, payload.byteOffset, payload.byteLength / ctor.BYTES_PER_ELEMENT);
  if (h.kind === KIND_MSGPACK) return packr.unpack(payload);
  const { fields, dataOffset } = decodeBlockPrelude(payload, h);
  const data = new ctor(payload.buffer, payload.byteOffset + dataOffset, (payload.byteLength - dataOffset) / ctor.BYTES_PER_ELEMENT);
  return { ...fields, data };
}

const metaBytesOf = (prelude: Uint8Array): number => new DataView(prelude.buffer, prelude.byteOffset, BLOCK_PRELUDE_BYTES).getUint32(0, true);

/** Bytes of a block's payload before its data starts, given the first 8 (the prelude's fixed part). */
export function blockDataOffset(prelude: Uint8Array): number {
  const metaBytes = metaBytesOf(prelude);
  return BLOCK_PRELUDE_BYTES + metaBytes + ((8 - (metaBytes & 7)) & 7);
}

/** A block's fields other than `data`, from its payload's start (at least blockDataOffset bytes). */
export function decodeBlockPrelude(start: Uint8Array, h: DecodedHeader): { fields: Record<string, unknown>; dataOffset: number } {
  const dataOffset = blockDataOffset(start);
  if (dataOffset > h.payloadBytes || dataOffset > start.byteLength) throw new SpillFileError("spill file has a corrupt block prelude");
  const fields = packr.unpack(start.subarray(BLOCK_PRELUDE_BYTES, BLOCK_PRELUDE_BYTES + metaBytesOf(start))) as Record<string, unknown>;
  return { fields, dataOffset };
}

