/**
 * Message serialisation: one msgpack header + raw buffers. Every typed array inside a message is lifted
 * out into `buffers` and replaced in the header by a 10-byte placeholder extension (type, index, length),
 * so payload bytes are never copied through msgpack. Decoding puts them back as typed-array views.
 */
import { Packr, Unpackr, addExtension } from "msgpackr";
import { ProtocolError } from "../util/errors.js";

/** msgpack extension type for buffer placeholders (application range 0–127; msgpackr uses letters). */
export const PLACEHOLDER_EXT = 0x1b;

type TypedArrayCtor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ClampedArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

export type TypedArray =
  | Uint8Array
  | Int8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** Type codes on the wire; index = code. Code 12 = Node Buffer (a Uint8Array that decodes as a Buffer). */
const CTORS: readonly (TypedArrayCtor | undefined)[] = [
  undefined,
  Uint8Array,
  Int8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
];
const BUFFER_CODE = 12;
const CODE_OF = new Map<unknown, number>(CTORS.map((c, i) => [c, i] as const).filter(([c]) => c !== undefined));
CODE_OF.set(Buffer, BUFFER_CODE);

/** Marker object that stands for buffers[index] inside the header while packing. */
class BufferPlaceholder {
  constructor(
    readonly code: number,
    readonly index: number,
    readonly byteLength: number,
  ) {}
}

// Decoding context: set by decodeMessage around the synchronous unpack call.
let decodeBuffers: readonly Uint8Array[] = [];
let decodeSeen: Uint8Array = new Uint8Array(0);
let decodeUsed = 0;

// Registered once, for our own class and ext type only, so other msgpackr users are unaffected.
addExtension({
  Class: BufferPlaceholder,
  type: PLACEHOLDER_EXT,
  pack(p: BufferPlaceholder): Buffer {
    const b = Buffer.allocUnsafe(10);
    b[0] = p.code;
    b[1] = 0;
    b.writeUInt32LE(p.index, 2);
    b.writeUInt32LE(p.byteLength, 6);
    return b;
  },
  unpack(data: Uint8Array): unknown {
    if (data.length !== 10) throw new ProtocolError(`buffer placeholder has ${data.length} bytes, expected 10`);
    const code = data[0]!;
    const index = u32(data, 2);
    const byteLength = u32(data, 6);
    const bytes = decodeBuffers[index];
    if (bytes === undefined) {
      throw new ProtocolError(`buffer placeholder refers to raw frame ${index}, but the message has ${decodeBuffers.length}`);
    }
    if (decodeSeen[index]) throw new ProtocolError(`raw frame ${index} is referenced twice in one message`);
    decodeSeen[index] = 1;
    decodeUsed++;
    if (bytes.byteLength !== byteLength) {
      throw new ProtocolError(`buffer placeholder says ${byteLength} bytes, raw frame ${index} has ${bytes.byteLength}`);
    }
    if (code === BUFFER_CODE) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const Ctor = CTORS[code];
    if (Ctor === undefined) throw new ProtocolError(`unknown typed-array type code ${code} in buffer placeholder`);
    const size = Ctor.BYTES_PER_ELEMENT;
    if (byteLength % size !== 0) {
      throw new ProtocolError(`raw frame of ${byteLength} bytes is not a whole number of ${Ctor.name} elements`);
    }
    return new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, byteLength / size);
  },
});

const u32 = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

// useRecords off: records need per-stream structure state on both ends; plain maps are fast enough and
// keep every header self-describing. bigints beyond 64 bits use msgpackr's bigint extension.
// variableMapSize: objects with more than 65 535 keys (a big graph's task table) must encode too.
const packr = new Packr({ useRecords: false, moreTypes: false, useBigIntExtension: true, variableMapSize: true });
// copyBuffers: binary values left inside a header are copied out of it, since the header may sit in
// a read buffer that is reused (frames.ts direct reads). Array data never does: it travels as raw frames.
const unpackr = new Unpackr({ useRecords: false, moreTypes: false, useBigIntExtension: true, copyBuffers: true });

export interface EncodedMessage {
  header: Uint8Array;
  buffers: ArrayBufferView[];
}

function isLiftable(v: object): v is TypedArray {
  return ArrayBuffer.isView(v) && CODE_OF.has(v.constructor);
}

/** Copy-on-write walk: returns `value` itself when nothing inside it is a typed array. */
function lift(value: unknown, buffers: ArrayBufferView[]): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (ArrayBuffer.isView(value)) {
    if (!isLiftable(value)) return value;
    const index = buffers.push(value) - 1;
    return new BufferPlaceholder(CODE_OF.get(value.constructor)!, index, value.byteLength);
  }
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const r = lift(v, buffers);
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
      const r = lift(v, buffers);
      if (r !== v) {
        out ??= new Map(value);
        out.set(k, r);
      }
    }
    return out ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value; // class instances: left to msgpackr
  let out: Record<string, unknown> | undefined;
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    const r = lift(v, buffers);
    if (r !== v) {
      out ??= { ...(value as Record<string, unknown>) };
      out[k] = r;
    }
  }
  return out ?? value;
}

/** The header bytes are only valid until the next encode call (they may live in msgpackr's buffer). */
export function encodeMessage(msg: unknown): EncodedMessage {
  const buffers: ArrayBufferView[] = [];
  const lifted = lift(msg, buffers);
  return { header: packr.pack(lifted), buffers };
}

export function decodeMessage(header: Uint8Array, buffers: readonly Uint8Array[]): unknown {
  decodeBuffers = buffers;
  decodeUsed = 0;
  if (buffers.length > 0) decodeSeen = new Uint8Array(buffers.length);
  let msg: unknown;
  try {
    // msgpackr decodes strings fastest from a Buffer; wrap (no copy) when given a plain Uint8Array
    msg = unpackr.unpack(Buffer.isBuffer(header) ? header : Buffer.from(header.buffer, header.byteOffset, header.byteLength));
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new ProtocolError(`malformed message header (${header.byteLength} bytes): ${String((err as Error).message).slice(0, 200)}`, {
      cause: err,
    });
  } finally {
    decodeBuffers = [];
  }
  if (decodeUsed !== buffers.length) {
    throw new ProtocolError(`message carries ${buffers.length} raw frames but its header refers to ${decodeUsed}`);
  }
  return msg;
}
