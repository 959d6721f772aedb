/**
 * SpillableStore: a WorkerDataStore that moves least-recently-used values to files under the
 * worker's --local-directory when managed memory exceeds `targetBytes` (Dask's "target" rule, checked
 * on every `set`) or when the memory monitor asks (`evict(bytes)`, Dask's "spill" rule).
 *
 * API notes:
 * - `load(key)` is the way to read: it resolves at once for values in memory and reads spilled
 *   values back asynchronously (one read per key at a time, however many callers wait on it).
 * - `get(key)` is synchronous; for a spilled value it reads the file synchronously (a fallback).
 * - A value read back returns to memory (most recently used), which may push others out.
 * - Spilling is asynchronous: a value being written stays in memory and readable until its file is
 *   complete; only then is it dropped. If it is deleted or replaced meanwhile, the file is discarded.
 * - Typed arrays are written raw and read back into their own (by default shared) memory, so they
 *   go to task threads without copies (see ../executor/transport.ts); other values use msgpackr.
 * - If the disk fails (full, read-only), spilling stops, values stay in memory, `spillError` says why.
 * - `close()` waits for writes in flight and removes the spill directory.
 */
import { mkdirSync, mkdtempSync, openSync, readSync, closeSync, rmSync } from "node:fs";
import { open, rm, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { DataStore, MissingKeyError, type StoreEntry, type WorkerDataStore } from "../store.js";
import { spillDirPrefix } from "./spill-dirs.js";
import { KIND_BLOCK, BLOCK_PRELUDE_BYTES, blockDataOffset, decodeBlockPrelude, decodeHeader, decodePayload, encodeValue, HEADER_BYTES, payloadBuffer, type DecodedHeader } from "./spill-codec.js";
import { cutToRange } from "../../graph/range-ref.js";
import { ClosedError, SpillFileError, UsageError } from "../../util/errors.js";

export interface SpillableStoreOptions {
  /** The worker's --local-directory; a fresh subdirectory is made inside it. Created if missing. */
  directory: string;
  /** Spill on `set` while managed (in-memory) bytes exceed this (target × memory limit). Default: never on set. */
  targetBytes?: number;
  /** Stop spilling once this many bytes are on disk (Dask's max-spill). Default: no cap. */
  maxSpillBytes?: number;
  /** Read typed arrays back into SharedArrayBuffers (default true). */
  sharedReadBack?: boolean;
  /** Called when spilling fails; spilling is then disabled. */
  onSpillError?: (e: Error) => void;
  /** Called after a value enters memory (set, or read back): the memory monitor checks at once. */
  onGrow?: () => void;
}

const WRITE_CONCURRENCY = 4;

interface SpilledRecord {
  readonly file: string;
  readonly nbytes: number;
  readonly fileBytes: number;
}

export class SpillableStore extends DataStore implements WorkerDataStore {
  /** Spilled keys in the order they were spilled. */
  private readonly spilled = new Map<string, SpilledRecord>();
  private readonly writing = new Map<string, Promise<void>>();
  private readonly reading = new Map<string, Promise<unknown>>();
  private readonly pendingUnlinks = new Set<Promise<void>>();
  private bytesSpilled = 0;
  private bytesOnDisk = 0;
  private bytesBeingWritten = 0;
  private fileCounter = 0;
  private closed = false;
  private evicting: Promise<number> | undefined;
  /** Why spilling stopped, if it did. */
  spillError: Error | undefined;
  /** Counters for metrics: bytes written to / read from disk since start, and the seconds spent. */
  readonly stats = { writtenBytes: 0, readBytes: 0, writeSeconds: 0, readSeconds: 0, spillCount: 0, unspillCount: 0 };
  readonly directory: string;
  private readonly targetBytes: number;
  private readonly maxSpillBytes: number;
  private readonly sharedReadBack: boolean;

  constructor(private readonly opts: SpillableStoreOptions) {
    super();
    if (typeof opts.directory !== "string" || opts.directory === "") throw new UsageError("SpillableStore needs a directory (the worker's --local-directory)");
    try {
      mkdirSync(opts.directory, { recursive: true });
      this.directory = mkdtempSync(join(opts.directory, spillDirPrefix()));
    } catch (e) {
      throw new SpillFileError(`cannot create a spill directory in '${opts.directory}': ${(e as Error).message}; pass a writable --local-directory`);
    }
    this.targetBytes = opts.targetBytes ?? Number.POSITIVE_INFINITY;
    this.maxSpillBytes = opts.maxSpillBytes ?? Number.POSITIVE_INFINITY;
    this.sharedReadBack = opts.sharedReadBack ?? true;
  }

  override set(key: string, value: unknown, nbytes?: number): void {
    this.assertOpen();
    super.set(key, value, nbytes);
    this.maybeSpill();
    this.opts.onGrow?.();
  }

  override get(key: string): unknown {
    const inMemory = super.get(key);
    if (inMemory !== undefined || this.entries.has(key)) return inMemory;
    const rec = this.spilled.get(key);
    if (!rec) return undefined;
    const t0 = performance.now();
    const value = readSpillFileSync(rec.file, this.sharedReadBack);
    this.noteRead(rec, t0);
    this.unspill(key, rec, value);
    return value;
  }

  override load(key: string): Promise<unknown> {
    const rec = this.#inMemoryOrRecord(key);
    if (rec instanceof Promise) return rec;
    const t0 = performance.now();
    const p = readSpillFile(rec.file, this.sharedReadBack).then(
      (value) => {
        this.reading.delete(key);
        this.noteRead(rec, t0);
        // Unless it was deleted or replaced while we read, it comes back into memory.
        if (this.spilled.get(key) === rec) this.unspill(key, rec, value);
        return value;
      },
      (e: Error) => {
        this.reading.delete(key);
        throw new SpillFileError(`cannot read spilled value '${key}' back from ${rec.file}: ${e.message}`);
      },
    );
    this.reading.set(key, p);
    return p;
  }

  /**
   * The value for sending elsewhere (a peer's get-data): a spilled value is read from its file but
   * stays spilled, so serving peers does not pull results back into a worker that is short of
   * memory (it may be paused). Values in memory are returned as they are. Rejects when absent.
   */
  peek(key: string): Promise<unknown> {
    const rec = this.#inMemoryOrRecord(key);
    if (rec instanceof Promise) return rec;
    const t0 = performance.now();
    return readSpillFile(rec.file, this.sharedReadBack).then(
      (value) => {
        this.noteRead(rec, t0);
        return value;
      },
      (e: Error) => {
        throw new SpillFileError(`cannot read spilled value '${key}' from ${rec.file}: ${e.message}`);
      },
    );
  }

  /**
   * Elements [start, start + length) of an array block's `data`, for a range reference
   * (../../graph/range-ref.ts), as a block of its own. In memory: a view. Spilled: only those bytes
   * are read from the file, and the block stays on disk — a rechunk reads one piece of each of many
   * blocks, and bringing each back whole would take many times the memory the pieces need.
   * Undefined when the value is not an array block or the range is out of its bounds.
   */
  async peekRange(key: string, start: number, length: number): Promise<unknown> {
    const rec = this.#inMemoryOrRecord(key);
    if (rec instanceof Promise) return cutToRange(await rec, start, length);
    const t0 = performance.now();
    try {
      const { value, bytes } = await readSpillRange(rec.file, start, length, this.sharedReadBack);
      this.stats.readBytes += bytes;
      this.stats.readSeconds += (performance.now() - t0) / 1000;
      return value;
    } catch (e) {
      throw new SpillFileError(`cannot read a range of spilled value '${key}' from ${rec.file}: ${(e as Error).message}`);
    }
  }

  /** The value when it is in memory or already being read back; else the record of its spill file. */
  #inMemoryOrRecord(key: string): Promise<unknown> | SpilledRecord {
    if (this.entries.has(key)) return super.load(key);
    const inFlight = this.reading.get(key);
    if (inFlight) return inFlight;
    return this.spilled.get(key) ?? Promise.reject(new MissingKeyError(key));
  }

  override has(key: string): boolean {
    return this.entries.has(key) || this.spilled.has(key);
  }

  override delete(key: string): boolean {
    if (super.delete(key)) return true;
    const rec = this.spilled.get(key);
    if (!rec) return false;
    this.forgetSpilled(key, rec);
    return true;
  }

  /** Keys, least recently used first: spilled keys (oldest spill first), then those in memory. */
  override keys(): string[] {
    return [...this.spilled.keys(), ...this.entries.keys()];
  }

  override nbytes(key: string): number | undefined {
    return super.nbytes(key) ?? this.spilled.get(key)?.nbytes;
  }

  override get size(): number {
    return this.entries.size + this.spilled.size;
  }

  override get totalBytes(): number {
    return this.bytesInMemory + this.bytesSpilled;
  }

  override get spilledBytes(): number {
    return this.bytesSpilled;
  }

  override get spilledCount(): number {
    return this.spilled.size;
  }

  /** Bytes the spill files take on disk. */
  get diskBytes(): number {
    return this.bytesOnDisk;
  }

  isSpilled(key: string): boolean {
    return this.spilled.has(key);
  }

  /**
   * Move least-recently-used in-memory values to disk until at least `bytes` have gone (or nothing
   * is left to spill). Resolves with the bytes actually spilled. Concurrent calls share the work.
   */
  async evict(bytes: number): Promise<number> {
    if (this.evicting) {
      const done = await this.evicting;
      return bytes > done ? done + (await this.evict(bytes - done)) : done;
    }
    this.evicting = this.evictLoop(bytes);
    let n = 0;
    try {
      n = await this.evicting;
      return n;
    } finally {
      this.evicting = undefined;
      // Sets that arrived meanwhile may have pushed managed memory over target again. Only after
      // progress, so a store that cannot spill (disk cap reached) does not spin.
      if (n > 0) this.maybeSpill();
    }
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.writing.values(), ...this.reading.values(), ...this.pendingUnlinks]);
    this.spilled.clear();
    this.bytesSpilled = 0;
    this.bytesOnDisk = 0;
    await super.close();
    await rm(this.directory, { recursive: true, force: true });
  }

  /** Synchronous variant of close() for process-exit handlers. */
  closeSync(): void {
    this.closed = true;
    rmSync(this.directory, { recursive: true, force: true });
  }

  private maybeSpill(): void {
    if (this.spillError || this.evicting) return;
    const excess = this.bytesInMemory - this.bytesBeingWritten - this.targetBytes;
    if (excess > 0) this.evict(excess).catch(() => {});
  }

  private async evictLoop(goal: number): Promise<number> {
    // A few files written at once keep the disk busy; each victim is picked when a slot frees up,
    // so the choice follows the current LRU order.
    let spilled = 0;
    let chosen = 0;
    const inFlight = new Set<Promise<void>>();
    while (!this.closed && !this.spillError) {
      while (inFlight.size < WRITE_CONCURRENCY && chosen < goal && !this.spillError) {
        const victim = this.leastRecentlyUsed();
        if (!victim) break;
        const [key, entry] = victim;
        if (this.bytesSpilled + this.bytesBeingWritten + entry.nbytes > this.maxSpillBytes) break;
        chosen += entry.nbytes;
        const p: Promise<void> = this.spillOne(key, entry).then((ok) => {
          if (ok) spilled += entry.nbytes;
          else chosen -= entry.nbytes;
          inFlight.delete(p);
        });
        inFlight.add(p);
      }
      if (inFlight.size === 0) break;
      await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    return spilled;
  }

  private leastRecentlyUsed(): [string, StoreEntry] | undefined {
    for (const e of this.entries) if (!this.writing.has(e[0])) return e;
    return undefined;
  }

  private async spillOne(key: string, entry: StoreEntry): Promise<boolean> {
    const file = join(this.directory, `${++this.fileCounter}.spill`);
    const t0 = performance.now();
    this.bytesBeingWritten += entry.nbytes;
    let resolveWrite!: () => void;
    this.writing.set(key, new Promise<void>((r) => (resolveWrite = r)));
    try {
      const { header, parts, payloadBytes } = encodeValue(entry.value);
      const fh = await open(file, "w");
      try {
        await fh.writev([header, ...parts]);
      } finally {
        await fh.close();
      }
      const fileBytes = HEADER_BYTES + payloadBytes;
      this.stats.writtenBytes += fileBytes;
      this.stats.writeSeconds += (performance.now() - t0) / 1000;
      if (this.entries.get(key) !== entry || this.closed) {
        // Deleted or replaced while we wrote: the file is stale.
        this.trackUnlink(file);
        return false;
      }
      this.entries.delete(key);
      this.bytesInMemory -= entry.nbytes;
      this.spilled.set(key, { file, nbytes: entry.nbytes, fileBytes });
      this.bytesSpilled += entry.nbytes;
      this.bytesOnDisk += fileBytes;
      this.stats.spillCount++;
      return true;
    } catch (e) {
      const err = new SpillFileError(`spilling '${key}' to ${file} failed, spilling is now off and values stay in memory: ${(e as Error).message}`);
      this.spillError = err;
      this.trackUnlink(file);
      this.opts.onSpillError?.(err);
      return false;
    } finally {
      this.bytesBeingWritten -= entry.nbytes;
      this.writing.delete(key);
      resolveWrite();
    }
  }

  private unspill(key: string, rec: SpilledRecord, value: unknown): void {
    this.forgetSpilled(key, rec);
    this.stats.unspillCount++;
    super.set(key, value, rec.nbytes);
    this.maybeSpill();
    this.opts.onGrow?.();
  }

  private forgetSpilled(key: string, rec: SpilledRecord): void {
    this.spilled.delete(key);
    this.bytesSpilled -= rec.nbytes;
    this.bytesOnDisk -= rec.fileBytes;
    this.trackUnlink(rec.file);
  }

  private noteRead(rec: SpilledRecord, t0: number): void {
    this.stats.readBytes += rec.fileBytes;
    this.stats.readSeconds += (performance.now() - t0) / 1000;
  }

  private trackUnlink(file: string): void {
    const p = unlink(file).catch(() => {});
    this.pendingUnlinks.add(p);
    void p.then(() => this.pendingUnlinks.delete(p));
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError("this SpillableStore is closed");
  }
}

async function readSpillFile(file: string, shared: boolean): Promise<unknown> {
  const fh = await open(file, "r");
  try {
    const header = new Uint8Array(HEADER_BYTES);
    const { bytesRead } = await fh.read(header, 0, HEADER_BYTES, 0);
    const h = decodeHeader(header.subarray(0, bytesRead), file);
    return decodePayload(h, await readPayload(fh, h, file, shared));
  } finally {
    await fh.close();
  }
}

async function readPayload(fh: FileHandle, h: DecodedHeader, file: string, shared: boolean): Promise<Uint8Array> {
  const payload = payloadBuffer(h, shared);
  await readFully(h.payloadBytes, file, (off) => fh.read(payload, off, payload.byteLength - off, HEADER_BYTES + off).then((r) => r.bytesRead));
  return payload;
}

/** A range of a spilled array block's data (see peekRange), and the bytes read for it. */
async function readSpillRange(file: string, start: number, length: number, shared: boolean): Promise<{ value: unknown; bytes: number }> {
  const fh = await open(file, "r");
  try {
    // the header and, in one read, the block's fields (a few dozen bytes for {dtype, shape})
    const head = new Uint8Array(HEADER_BYTES + 256);
    const { bytesRead } = await fh.read(head, 0, head.byteLength, 0);
    const h = decodeHeader(head.subarray(0, Math.min(bytesRead, HEADER_BYTES)), file);
    if (h.kind !== KIND_BLOCK) {
      // not a block: the whole value, cut (copied, so that the rest is not kept alive)
      const value = decodePayload(h, await readPayload(fh, h, file, shared));
      return { value: cutToRange(value, start, length, true), bytes: HEADER_BYTES + h.payloadBytes };
    }
    if (bytesRead < HEADER_BYTES + BLOCK_PRELUDE_BYTES) throw new SpillFileError(`spill file ${file} is truncated`);
    let prelude = head.subarray(HEADER_BYTES, bytesRead);
    const dataOffset = blockDataOffset(prelude);
    if (dataOffset > prelude.byteLength) {
      prelude = new Uint8Array(dataOffset);
      await readFully(dataOffset, file, (off) => fh.read(prelude, off, dataOffset - off, HEADER_BYTES + off).then((r) => r.bytesRead));
    }
    const { fields } = decodeBlockPrelude(prelude, h);
    const ctor = h.ctor!;
    const itemsize = ctor.BYTES_PER_ELEMENT;
    if (start + length > (h.payloadBytes - dataOffset) / itemsize) return { value: undefined, bytes: bytesRead };
    const n = length * itemsize;
    const bytes = new Uint8Array(shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n));
    const at = HEADER_BYTES + dataOffset + start * itemsize;
    await readFully(n, file, (off) => fh.read(bytes, off, n - off, at + off).then((r) => r.bytesRead));
    return { value: { ...fields, shape: [length], data: new ctor(bytes.buffer, 0, length) }, bytes: bytesRead + n };
  } finally {
    await fh.close();
  }
}

async function readFully(total: number, file: string, readAt: (offset: number) => Promise<number>): Promise<void> {
  let off = 0;
  while (off < total) {
    const n = await readAt(off);
    if (n === 0) throw new SpillFileError(`spill file ${file} is truncated (${off} of ${total} bytes)`);
    off += n;
  }
}

function readSpillFileSync(file: string, shared: boolean): unknown {
  const fd = openSync(file, "r");
  try {
    const header = new Uint8Array(HEADER_BYTES);
    const got = readSync(fd, header, 0, HEADER_BYTES, 0);
    const h = decodeHeader(header.subarray(0, got), file);
    const payload = payloadBuffer(h, shared);
    let off = 0;
    while (off < h.payloadBytes) {
      const n = readSync(fd, payload, off, payload.byteLength - off, HEADER_BYTES + off);
      if (n === 0) throw new SpillFileError(`spill file ${file} is truncated (${off} of ${h.payloadBytes} bytes)`);
      off += n;
    }
    return decodePayload(h, payload);
  } finally {
    closeSync(fd);
  }
}
