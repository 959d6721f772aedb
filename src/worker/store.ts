/**
 * A worker's results: key → value with byte accounting and least-recently-used order.
 *
 * The worker server codes against `WorkerDataStore`; `DataStore` keeps everything in memory and
 * `SpillableStore` (./memory/spillable-store.ts) extends it to move least-recently-used values to
 * disk. Reads: `load(key)` (async) works for every store and is what the server should use; `get`
 * is synchronous and, for a spilled value, reads the file synchronously (a fallback, not the fast
 * path). LRU order is Map insertion order: a read or write moves the key to the end.
 */
import { TesseraError, UsageError } from "../util/errors.js";
import { nbytes as estimateBytes } from "./executor/nbytes.js";

export interface WorkerDataStore {
  /** Store (or replace) a value. `nbytes` defaults to an estimate (typed arrays exact). */
  set(key: string, value: unknown, nbytes?: number): void;
  /** The value, or undefined when absent (use `has` to tell an undefined value apart). Marks it recently used. */
  get(key: string): unknown;
  /** The value, reading it back from disk if it was spilled. Rejects when absent. Marks it recently used. */
  load(key: string): Promise<unknown>;
  /** Like load, but a spilled value stays on disk (for sending it to a peer). Optional. */
  peek?(key: string): Promise<unknown>;
  /**
   * Elements [start, start + length) of an array block's data, as a block of its own, without
   * bringing a spilled block back into memory (range references: ../graph/range-ref.ts). Optional;
   * undefined when the value is not an array block or the range is out of bounds.
   */
  peekRange?(key: string, start: number, length: number): Promise<unknown>;
  has(key: string): boolean;
  delete(key: string): boolean;
  /** Keys, least recently used first. */
  keys(): string[];
  /** Bytes accounted to `key`, or undefined when absent. */
  nbytes(key: string): number | undefined;
  /** Number of keys. */
  readonly size: number;
  /** Bytes of all values, in memory and spilled. */
  readonly totalBytes: number;
  /** Bytes of values held in memory ("managed" memory in Dask's terms). */
  readonly memoryBytes: number;
  /** Bytes / number of values currently on disk. */
  readonly spilledBytes: number;
  readonly spilledCount: number;
  /** Release everything (and remove spill files). */
  close(): Promise<void>;
}

export class MissingKeyError extends TesseraError {
  constructor(readonly key: string, message = `key '${key}' is not in this worker's data store`) {
    super("TESSERA_ERR_MISSING_KEY", message);
  }
}

export interface StoreEntry {
  value: unknown;
  nbytes: number;
}

export class DataStore implements WorkerDataStore {
  /** Insertion order = LRU order (first = least recently used). */
  protected readonly entries = new Map<string, StoreEntry>();
  protected bytesInMemory = 0;

  set(key: string, value: unknown, nbytes?: number): void {
    const size = nbytes ?? estimateBytes(value);
    if (!(size >= 0) || !Number.isFinite(size)) throw new UsageError(`nbytes for '${key}' must be a finite number ≥ 0, got ${String(nbytes)}`);
    this.delete(key);
    this.entries.set(key, { value, nbytes: size });
    this.bytesInMemory += size;
  }

  get(key: string): unknown {
    const e = this.touch(key);
    return e?.value;
  }

  load(key: string): Promise<unknown> {
    const e = this.touch(key);
    return e ? Promise.resolve(e.value) : Promise.reject(new MissingKeyError(key));
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  delete(key: string): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    this.entries.delete(key);
    this.bytesInMemory -= e.nbytes;
    return true;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  nbytes(key: string): number | undefined {
    return this.entries.get(key)?.nbytes;
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytesInMemory;
  }

  get memoryBytes(): number {
    return this.bytesInMemory;
  }

  get spilledBytes(): number {
    return 0;
  }

  get spilledCount(): number {
    return 0;
  }

  async close(): Promise<void> {
    this.entries.clear();
    this.bytesInMemory = 0;
  }

  /** Move `key` to the most-recently-used end. */
  protected touch(key: string): StoreEntry | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e;
  }
}
