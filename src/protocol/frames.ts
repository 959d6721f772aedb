/**
 * Wire framing, IO-free. A frame is an 8-byte prefix — u32 LE payload length, u32 LE tag — then the
 * payload, then zero padding to a multiple of 8 bytes, so every payload starts 8-byte aligned in the
 * stream. Tag = kind << 24 | count: a header frame (kind 'H') carries in `count` how many raw frames
 * (kind 'R', count 0) follow it; together they are one message (see codec.ts).
 */
import { FrameTooLargeError, ProtocolError, UsageError } from "../util/errors.js";
import { decodeMessage, encodeMessage } from "./codec.js";
import { allocateBuffer } from "../util/shared-memory.js";
import { TAG_BYTES, type FrameOpener, type FrameSealer, type MessageMac } from "./integrity.js";

export const PREFIX_BYTES = 8;
export const KIND_HEADER = 0x48; // 'H'
export const KIND_RAW = 0x52; // 'R'
/** After the handshake, each message ends with one tag frame authenticating it (integrity.ts). */
export const KIND_TAG = 0x54; // 'T'
/** A tag covers at most this many messages (the writer tags each batch it hands out, and every this many). */
export const MAX_MESSAGES_PER_TAG = 256;
export const MAX_RAW_FRAMES = 0xffffff;
/** 1 GiB; the u32 length field caps any setting at 4 GiB - 1. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 ** 3;
export const LARGEST_FRAME_LIMIT = 0xffffffff;

export const padding = (n: number): number => (8 - (n & 7)) & 7;

export function checkMaxFrameBytes(n: number): number {
  if (!Number.isInteger(n) || n < 1024 || n > LARGEST_FRAME_LIMIT) {
    throw new UsageError(`maxFrameBytes ${n} is not valid; use an integer from 1024 to ${LARGEST_FRAME_LIMIT}`);
  }
  return n;
}

// Raw payloads smaller than this, or much smaller than the chunk they arrived in, are copied so a
// small array does not pin a whole 64 KiB socket chunk in memory.
const VIEW_MIN_BYTES = 4096;
/** Direct reads outside big frames land here (as big as the chunks a socket delivers by default). */
const SCRATCH_BYTES = 64 * 1024;

/**
 * Streaming parser: feed it chunks of any size; it calls onMessage for each complete message, in order.
 * Throws ProtocolError / FrameTooLargeError on bad input, after which it refuses further input.
 * Chunks must not be reused by the caller afterwards (payload views may point into them).
 */
export class MessageReader {
  maxFrameBytes: number;
  /** Raw frames allowed per message (0 while unauthenticated: handshake messages carry no arrays). */
  maxRawFrames = MAX_RAW_FRAMES;
  #onMessage: (msg: unknown) => void;
  #failed: Error | undefined;
  // prefix assembly when a prefix is split across chunks
  #prefix = new Uint8Array(PREFIX_BYTES);
  #prefixFill = 0;
  // current frame body being assembled across chunks
  #body: Uint8Array | undefined;
  #bodyFill = 0;
  #bodyKind = 0;
  #skip = 0; // padding bytes still to drop
  // current message
  #header: Uint8Array | undefined;
  #rawExpected = 0;
  #raws: Uint8Array[] = [];
  #scratch: Uint8Array | undefined;
  bytesReceived = 0;
  /** Set after the handshake: every message must end with a valid tag frame (integrity.ts). */
  opener: FrameOpener | undefined;
  #mac: MessageMac | undefined;
  /** Messages received since the last tag: held, undecoded, until a tag vouches for them. */
  #untagged: [Uint8Array, Uint8Array[]][] = [];

  constructor(opts: { maxFrameBytes?: number; onMessage: (msg: unknown) => void }) {
    this.maxFrameBytes = checkMaxFrameBytes(opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    this.#onMessage = opts.onMessage;
  }

  /** True while part of a message has arrived (used to detect truncation at end of stream). */
  get midMessage(): boolean {
    return this.#prefixFill > 0 || this.#body !== undefined || this.#skip > 0 || this.#header !== undefined || this.#untagged.length > 0;
  }

  feed(chunk: Uint8Array): void {
    if (this.#failed) throw this.#failed;
    try {
      this.#feed(chunk, false);
    } catch (err) {
      this.#failed = err as Error;
      throw err;
    }
  }

  /**
   * Direct reads (a transport that lets the receiver choose where each read lands): while a big
   * frame is arriving, the rest of its own buffer, so the socket writes the array's bytes straight
   * into the typed array that will hold them; otherwise a scratch buffer this reader reuses.
   */
  readTarget(): Uint8Array {
    if (this.#body !== undefined) return this.#body.subarray(this.#bodyFill);
    return (this.#scratch ??= new Uint8Array(SCRATCH_BYTES));
  }

  /** `n` bytes were read into `target`, a buffer readTarget() returned. */
  bytesRead(target: Uint8Array, n: number): void {
    if (this.#failed) throw this.#failed;
    try {
      if (this.#body !== undefined && target.buffer === this.#body.buffer) {
        if (target.byteOffset !== this.#body.byteOffset + this.#bodyFill || n > this.#body.byteLength - this.#bodyFill) {
          throw new ProtocolError("a direct read landed outside the frame being received");
        }
        this.bytesReceived += n;
        this.#bodyFill += n;
        // MAC each read as it lands, while its bytes are still in cache and the rest is on its way
        if (this.#bodyKind !== KIND_TAG) this.#mac?.payload(target.subarray(0, n));
        if (this.#bodyFill === this.#body.byteLength) this.#bodyComplete();
      } else this.#feed(target.subarray(0, n), true);
    } catch (err) {
      this.#failed = err as Error;
      throw err;
    }
  }

  #bodyComplete(): void {
    const body = this.#body!;
    this.#body = undefined;
    this.#skip = padding(body.byteLength);
    this.#frame(this.#bodyKind, body, true, false, true);
  }

  /** `reused`: the caller overwrites `chunk` afterwards (a scratch buffer), so nothing may keep a view on it. */
  #feed(chunk: Uint8Array, reused: boolean): void {
    this.bytesReceived += chunk.byteLength;
    const len = chunk.byteLength;
    let pos = 0;
    while (pos < len) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, len - pos);
        pos += n;
        this.#skip -= n;
        continue;
      }
      if (this.#body !== undefined) {
        const n = Math.min(this.#body.byteLength - this.#bodyFill, len - pos);
        this.#body.set(chunk.subarray(pos, pos + n), this.#bodyFill);
        if (this.#bodyKind !== KIND_TAG) this.#mac?.payload(this.#body.subarray(this.#bodyFill, this.#bodyFill + n));
        this.#bodyFill += n;
        pos += n;
        if (this.#bodyFill === this.#body.byteLength) this.#bodyComplete();
        continue;
      }
      // read a prefix
      let length: number;
      let tag: number;
      if (this.#prefixFill === 0 && len - pos >= PREFIX_BYTES) {
        length = readU32(chunk, pos);
        tag = readU32(chunk, pos + 4);
        pos += PREFIX_BYTES;
      } else {
        const n = Math.min(PREFIX_BYTES - this.#prefixFill, len - pos);
        this.#prefix.set(chunk.subarray(pos, pos + n), this.#prefixFill);
        this.#prefixFill += n;
        pos += n;
        if (this.#prefixFill < PREFIX_BYTES) return;
        this.#prefixFill = 0;
        length = readU32(this.#prefix, 0);
        tag = readU32(this.#prefix, 4);
      }
      const kind = tag >>> 24;
      this.#checkPrefix(length, kind, tag & 0xffffff);
      if (this.opener !== undefined && kind !== KIND_TAG) (this.#mac ??= this.opener.begin()).prefix(length, tag);
      if (len - pos >= length) {
        // whole body inside this chunk: no copy
        const body = chunk.subarray(pos, pos + length);
        pos += length;
        this.#skip = padding(length);
        this.#frame(kind, body, !reused && length >= VIEW_MIN_BYTES && length * 4 >= len, reused);
      } else {
        // Spans chunks: allocate exactly once (length already checked) on fresh, aligned memory, and
        // copy each socket chunk straight into it. Raw frames (array data) come from the shared
        // allocator: in a worker that is shared memory, so the array reaches task threads uncopied.
        this.#body = new Uint8Array(kind === KIND_RAW ? allocateBuffer(length) : new ArrayBuffer(length));
        this.#bodyFill = 0;
        this.#bodyKind = kind;
      }
    }
  }

  #checkPrefix(length: number, kind: number, count: number): void {
    if (length > this.maxFrameBytes) throw new FrameTooLargeError(length, this.maxFrameBytes);
    if (kind === KIND_TAG) {
      if (this.opener === undefined || this.#header !== undefined || this.#untagged.length === 0 || length !== TAG_BYTES || count !== 0) {
        throw new ProtocolError("an integrity tag frame arrived where none was expected");
      }
      return;
    }
    if (this.#untagged.length >= MAX_MESSAGES_PER_TAG) {
      throw new ProtocolError(`more than ${MAX_MESSAGES_PER_TAG} messages arrived without an integrity tag (injected on the way?)`);
    }
    const expectHeader = this.#header === undefined;
    if (kind !== KIND_HEADER && kind !== KIND_RAW) {
      throw new ProtocolError(
        `bytes at offset ${this.bytesReceived} are not a Tessera frame (frame kind 0x${kind.toString(16)}); ` +
          `is the peer speaking another protocol?`,
      );
    }
    if (expectHeader && kind !== KIND_HEADER) throw new ProtocolError("raw frame arrived where a message header was expected");
    if (!expectHeader && kind !== KIND_RAW) {
      throw new ProtocolError(`message header arrived where raw frame ${this.#raws.length + 1} of ${this.#rawExpected} was expected`);
    }
    if (kind === KIND_RAW && count !== 0) throw new ProtocolError(`raw frame has a non-zero count field (${count})`);
    if (kind === KIND_HEADER) {
      if (count > this.maxRawFrames) throw new ProtocolError(`message announces ${count} raw frames; at most ${this.maxRawFrames} allowed here`);
      this.#rawExpected = count;
    }
  }

  /** `macked`: the body was fed to the MAC piece by piece as it arrived (frames spanning reads). */
  #frame(kind: number, body: Uint8Array, mayKeepView: boolean, reused: boolean, macked = false): void {
    if (kind === KIND_TAG) {
      const held = this.#untagged;
      const mac = this.#mac!;
      this.#untagged = [];
      this.#mac = undefined;
      this.opener!.verify(mac, body);
      for (const [header, raws] of held) this.#deliver(header, raws, true);
      return;
    }
    if (!macked) this.#mac?.payload(body);
    this.#mac?.endFrame();
    if (kind === KIND_HEADER) {
      if (this.#rawExpected === 0) {
        // Held until its integrity tag arrives: a view on a reused scratch buffer would change meanwhile.
        this.#deliver(reused && this.opener !== undefined ? body.slice() : body, []);
        return;
      }
      // Decoded and dropped once its raw frames arrive: no pinning concern, but a reused buffer changes.
      this.#header = reused ? body.slice() : body;
      this.#raws = [];
      return;
    }
    // raw frame: keep a view only when it is 8-byte aligned (and big enough to be worth pinning the chunk)
    const aligned = (body.byteOffset & 7) === 0;
    this.#raws.push(aligned && mayKeepView ? body : copyAligned(body));
    if (this.#raws.length === this.#rawExpected) {
      const header = this.#header!;
      const raws = this.#raws;
      this.#header = undefined;
      this.#raws = [];
      this.#rawExpected = 0;
      this.#deliver(header, raws);
    }
  }

  #deliver(header: Uint8Array, raws: Uint8Array[], verified = false): void {
    if (this.opener !== undefined && !verified) {
      // held (not decoded) until the tag frame after it vouches for it
      this.#untagged.push([mayPin(header), raws]);
      return;
    }
    const msg = decodeMessage(header, raws);
    if (typeof msg !== "object" || msg === null || typeof (msg as { op?: unknown }).op !== "string") {
      throw new ProtocolError(`message is not an object with a string 'op' (got ${describe(msg)})`);
    }
    this.#onMessage(msg);
  }
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v !== "object") return typeof v;
  return Array.isArray(v) ? "array" : "object without op";
}

function readU32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/** A header held until its tag arrives may point into a socket chunk; small ones are copied to free it. */
function mayPin(b: Uint8Array): Uint8Array {
  return b.byteLength < VIEW_MIN_BYTES ? copyAligned(b) : b;
}

function copyAligned(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(new ArrayBuffer(src.byteLength));
  out.set(src);
  return out;
}

const ZEROS = new Uint8Array(8);
// Payloads at least this big go to the transport as their own zero-copy chunk; smaller ones are copied
// into the batch buffer (cheaper than one more iovec).
const ZERO_COPY_MIN_BYTES = 16 * 1024;
const BATCH_BYTES = 64 * 1024;
/** takeSealed writes and MACs a big payload in pieces of this size (a few socket reads at the peer). */
const PIPELINE_PIECE_BYTES = 2 * 1024 * 1024;

/**
 * Batches encoded messages into a list of chunks for one vectored write. Small frames are packed into
 * a shared batch buffer; big typed-array payloads are referenced, not copied (do not mutate them until
 * the write completes).
 *
 * With a sealer, each batch ends with a tag frame. The MAC is computed when the batch is tagged (one
 * pass over the batch's frames, as sent), not as messages are written; takeFrames and takeTag hand
 * out the frames and the tag separately (tests build split streams with them).
 */
export class MessageWriter {
  maxFrameBytes: number;
  #chunks: Uint8Array[] = [];
  #buf: Uint8Array = new Uint8Array(BATCH_BYTES);
  #view = new DataView(this.#buf.buffer);
  #start = 0; // start of the batch region not yet handed out
  #pos = 0;
  #pendingBytes = 0;
  /** Set after the handshake: each batch handed out ends with a tag frame (integrity.ts). */
  sealer: FrameSealer | undefined;
  /** Frames of the batch not yet tagged, in order: prefix fields and a view of the payload as sent. */
  #untagged: { length: number; tag: number; payload: Uint8Array }[] = [];
  #untaggedMessages = 0;

  constructor(opts: { maxFrameBytes?: number } = {}) {
    this.maxFrameBytes = checkMaxFrameBytes(opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  }

  /** Bytes queued and not yet taken. */
  get pendingBytes(): number {
    return this.#pendingBytes + (this.#pos - this.#start);
  }

  /** Encodes and queues one message. Throws (queueing nothing) if it cannot be encoded or is too large. */
  write(msg: unknown): void {
    const { header, buffers } = encodeMessage(msg);
    if (header.byteLength > this.maxFrameBytes) throw new FrameTooLargeError(header.byteLength, this.maxFrameBytes);
    if (buffers.length > MAX_RAW_FRAMES) throw new ProtocolError(`message has ${buffers.length} typed arrays; at most ${MAX_RAW_FRAMES}`);
    for (const b of buffers) if (b.byteLength > this.maxFrameBytes) throw new FrameTooLargeError(b.byteLength, this.maxFrameBytes);
    this.#frame(KIND_HEADER, buffers.length, header);
    for (const b of buffers) {
      const bytes = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      if (bytes.byteLength >= ZERO_COPY_MIN_BYTES) {
        this.#prefix(bytes.byteLength, KIND_RAW, 0);
        this.#cut();
        this.#chunks.push(bytes);
        this.#pendingBytes += bytes.byteLength;
        this.#macLater(bytes.byteLength, (KIND_RAW << 24) >>> 0, bytes);
        this.#ensure(8);
        this.#copy(ZEROS.subarray(0, padding(bytes.byteLength)));
      } else {
        this.#frame(KIND_RAW, 0, bytes);
      }
    }
    if (this.sealer !== undefined && ++this.#untaggedMessages >= MAX_MESSAGES_PER_TAG) this.#tag();
  }

  /** Ends the messages since the last tag with one (one GMAC per batch, not per message: cheap for small ones). */
  #tag(): void {
    const frames = this.#untagged;
    this.#untagged = [];
    this.#untaggedMessages = 0;
    const mac = this.sealer!.begin();
    for (const f of frames) mac.frame(f.length, f.tag, f.payload);
    this.#frame(KIND_TAG, 0, this.sealer!.finish(mac));
  }

  /** Hands out everything queued, tag included, as chunks for one writev; the writer keeps none of them. */
  take(): Uint8Array[] {
    const out = this.takeFrames();
    for (const c of this.takeTag()) out.push(c);
    return out;
  }

  /**
   * Everything queued except the closing tag frame. takeTag() must follow before the next write():
   * the frames may go to the socket meanwhile, the tag after them.
   */
  takeFrames(): Uint8Array[] {
    this.#cut();
    const out = this.#chunks;
    this.#chunks = [];
    this.#pendingBytes = 0;
    return out;
  }

  /**
   * Hands everything queued to `write`, tag included. With a sealer, the tag is computed on the way:
   * a payload bigger than PIPELINE_PIECE_BYTES is written piece by piece, each piece MACed after it
   * went out, so the kernel moves it (and the peer checks it) while this end hashes it. Everything
   * else goes in as few writes as possible (small frames and their tag in one writev, as take()).
   * Returns false when some write found the transport's buffer full.
   */
  takeSealed(write: (chunks: Uint8Array[]) => boolean): boolean {
    if (this.sealer === undefined || this.#untaggedMessages === 0) {
      const all = this.take();
      return all.length === 0 || write(all);
    }
    const frames = this.#untagged;
    this.#untagged = [];
    this.#untaggedMessages = 0;
    const chunks = this.takeFrames();
    const mac = this.sealer.begin();
    let fed = 0; // frames MACed so far
    let writable = true;
    let group: Uint8Array[] = [];
    for (const chunk of chunks) {
      // A big payload is its own chunk and its frame's payload (the same object); a payload tagged
      // earlier in this batch (past MAX_MESSAGES_PER_TAG) is not among `frames`.
      const own = chunk.byteLength > PIPELINE_PIECE_BYTES ? frames.findIndex((f, j) => j >= fed && f.payload === chunk) : -1;
      if (own < 0) {
        group.push(chunk);
        continue;
      }
      // everything before this payload (its own prefix included) goes out and is MACed first
      if (group.length > 0) writable = write(group) && writable;
      group = [];
      for (; fed < own; fed++) mac.frame(frames[fed]!.length, frames[fed]!.tag, frames[fed]!.payload);
      mac.prefix(frames[own]!.length, frames[own]!.tag);
      for (let at = 0; at < chunk.byteLength; at += PIPELINE_PIECE_BYTES) {
        const piece = chunk.subarray(at, Math.min(chunk.byteLength, at + PIPELINE_PIECE_BYTES));
        writable = write([piece]) && writable;
        mac.payload(piece);
      }
      mac.endFrame();
      fed = own + 1;
    }
    for (; fed < frames.length; fed++) mac.frame(frames[fed]!.length, frames[fed]!.tag, frames[fed]!.payload);
    this.#frame(KIND_TAG, 0, this.sealer.finish(mac));
    for (const c of this.takeFrames()) group.push(c);
    return write(group) && writable;
  }

  /** The tag frame for the frames taken since the last tag (nothing without a sealer or messages). */
  takeTag(): Uint8Array[] {
    if (this.sealer === undefined || this.#untaggedMessages === 0) return [];
    this.#tag();
    return this.takeFrames();
  }

  #frame(kind: number, count: number, payload: Uint8Array): void {
    const need = PREFIX_BYTES + payload.byteLength + 8;
    this.#ensure(need);
    this.#prefix(payload.byteLength, kind, count);
    // the copy in the batch buffer is what the MAC reads (a header's own bytes are reused by the next encode)
    const at = this.#pos;
    this.#copy(payload);
    if (kind !== KIND_TAG) this.#macLater(payload.byteLength, ((kind << 24) | count) >>> 0, this.#buf.subarray(at, at + payload.byteLength));
    this.#copy(ZEROS.subarray(0, padding(payload.byteLength)));
  }

  #macLater(length: number, tag: number, payload: Uint8Array): void {
    if (this.sealer !== undefined) this.#untagged.push({ length, tag, payload });
  }

  #prefix(length: number, kind: number, count: number): void {
    this.#ensure(PREFIX_BYTES);
    this.#view.setUint32(this.#pos, length, true);
    this.#view.setUint32(this.#pos + 4, ((kind << 24) | count) >>> 0, true);
    this.#pos += PREFIX_BYTES;
  }

  #copy(bytes: Uint8Array): void {
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.byteLength;
  }

  /** Moves the filled batch region into the chunk list. */
  #cut(): void {
    if (this.#pos > this.#start) {
      this.#chunks.push(this.#buf.subarray(this.#start, this.#pos));
      this.#pendingBytes += this.#pos - this.#start;
      this.#start = this.#pos;
    }
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.byteLength) return;
    this.#cut();
    // handed-out regions stay untouched: start a fresh buffer rather than reuse this one
    this.#buf = new Uint8Array(Math.max(BATCH_BYTES, n));
    this.#view = new DataView(this.#buf.buffer);
    this.#start = 0;
    this.#pos = 0;
  }
}
