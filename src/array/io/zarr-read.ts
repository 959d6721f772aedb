/**
 * The `io.zarr_read` op: on a worker, open the store (cached per process, keyed by the metadata
 * stamp) and read one block — only the stored chunks it overlaps — with zarrita.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import * as zarr from "zarrita";
import { FileSystemStore } from "@zarrita/storage";
import type { ChunkData, DType } from "../dtype.js";
import type { NDChunk } from "../fusion/ir.js";
import { copyBox } from "./copy.js";
import { allocateShared, shared, toChunkData } from "./dtypes.js";
import { ChunkReadError, IONotFoundError } from "./errors.js";
import { bloscDecodedSize, bloscDecodeInto } from "./blosc-decode.js";
import { readWholeFile } from "./whole-file.js";
import { chunkKey, type ChunkKeyEncoding } from "./zarr-meta.js";

/**
 * zarrita's built-in gzip codec only decodes; numcodecs' GZip (fflate) also encodes. Installed in
 * zarrita's codec registry when this process first opens a store (explicitly, not on import).
 */
let codecsReady = false;
function ensureCodecs(): void {
  if (codecsReady) return;
  const gzip = () => import("numcodecs/gzip").then((m) => m.default);
  zarr.registry.set("gzip", gzip as never);
  zarr.registry.set("numcodecs.gzip", gzip as never);
  codecsReady = true;
}

type AnyArray = zarr.Array<zarr.DataType, FileSystemStore>;
const opened = new Map<string, Promise<AnyArray>>();

/** The zarrita array at store/path, opened once per process per metadata stamp. */
export function openZarrArray(store: string, path: string, stamp: string): Promise<AnyArray> {
  const id = `${store}\0${path}\0${stamp}`;
  let p = opened.get(id);
  if (p === undefined) {
    ensureCodecs();
    if (opened.size > 64) opened.clear();
    const loc = zarr.root(new FileSystemStore(store));
    p = zarr.open(path === "" ? loc : loc.resolve(path), { kind: "array" }).catch((e: unknown) => {
      opened.delete(id);
      throw new IONotFoundError(`cannot open Zarr array '${path || "/"}' in ${store}: ${(e as Error).message}`, { cause: e });
    }) as Promise<AnyArray>;
    opened.set(id, p);
  }
  return p;
}

/** Zarrita's chunk data as plain numbers/bigints (BoolArray wraps bytes). */
function chunkValues(data: unknown): ArrayLike<number> | ArrayLike<bigint> {
  if (data instanceof zarr.BoolArray) return new Uint8Array(data.buffer as ArrayBuffer);
  return data as ArrayLike<number>;
}

export interface ZarrReadSpec {
  readonly store: string;
  readonly path: string;
  readonly stamp: string;
  readonly keyEncoding: ChunkKeyEncoding;
  readonly dtype: DType;
  /** "fill": a missing chunk reads as the fill value (the Zarr spec); "error": it is an error. */
  readonly missing: "fill" | "error";
  /** Uncompressed little-endian chunks of this dtype: whole chunks are read straight into the block. */
  readonly raw?: boolean;
  /** Blosc-compressed little-endian chunks of this dtype: decoded straight into the block (./blosc-decode.ts). */
  readonly blosc?: boolean;
}

/** Whether stored chunk [cStart, cStart+cs) lies whole inside the block and is one contiguous run of it. */
function wholeRun(cs: readonly number[], cStart: readonly number[], start: readonly number[], count: readonly number[]): boolean {
  for (let k = 0; k < cs.length; k++) {
    if (cStart[k]! < start[k]! || cStart[k]! + cs[k]! > start[k]! + count[k]!) return false;
    if (k > 0 && cs[k] !== count[k]) return false;
  }
  return cs.length > 0;
}

const CTORS = { float64: Float64Array, float32: Float32Array, int32: Int32Array, int64: BigInt64Array, uint8: Uint8Array, bool: Uint8Array } as const;
let chunkScratch = new ArrayBuffer(0);

/**
 * Decode a Blosc chunk file straight into the block: into its place in `out` when the chunk is
 * one contiguous run of the block, else into a reused scratch chunk and box-copied from there.
 * Returns false (the general path takes over and names any error) when the file is absent or
 * not what the fast decoder handles.
 */
function decodeBloscInPlace(spec: ZarrReadSpec, key: string, cs: readonly number[], cStart: readonly number[], start: readonly number[], count: readonly number[], out: ChunkData): boolean {
  const src = readWholeFile(join(spec.store, spec.path, key));
  if (src === null) return false;
  const n = cs.reduce((a, b) => a * b, 1);
  const bytes = n * out.BYTES_PER_ELEMENT;
  if (bloscDecodedSize(src) !== bytes) return false;
  if (wholeRun(cs, cStart, start, count)) {
    const at = out.byteOffset + (cStart[0]! - start[0]!) * (bytes / cs[0]!);
    return bloscDecodeInto(src, new Uint8Array(out.buffer, at, bytes));
  }
  if (chunkScratch.byteLength < bytes) chunkScratch = new ArrayBuffer(bytes);
  if (!bloscDecodeInto(src, new Uint8Array(chunkScratch, 0, bytes))) return false;
  const Ctor = CTORS[spec.dtype] as unknown as new (b: ArrayBuffer, o: number, n: number) => ChunkData;
  const from = cStart.map((c, k) => Math.max(c, start[k]!));
  const to = cStart.map((c, k) => Math.min(c + cs[k]!, start[k]! + count[k]!));
  copyBox(new Ctor(chunkScratch, 0, n), cs, out, count, {
    srcStart: from.map((f, k) => f - cStart[k]!),
    dstStart: from.map((f, k) => f - start[k]!),
    count: from.map((f, k) => to[k]! - f),
  });
  return true;
}

/**
 * Read an uncompressed stored chunk straight into the block's buffer when the chunk lies whole
 * inside the block and is one contiguous run of it (it spans the block's inner axes). Returns
 * false when that does not apply or the chunk file is absent (then the general path fills it).
 */
function readInPlace(spec: ZarrReadSpec, key: string, cs: readonly number[], cStart: readonly number[], start: readonly number[], count: readonly number[], out: ChunkData): boolean {
  if (!wholeRun(cs, cStart, start, count)) return false;
  const file = join(spec.store, spec.path, key);
  let fd: number;
  try { fd = openSync(file, "r"); } catch { return false; }
  try {
    const bytes = cs.reduce((a, b) => a * b, out.BYTES_PER_ELEMENT);
    if (fstatSync(fd).size !== bytes) throw new ChunkReadError(key, `Zarr chunk '${key}' has ${fstatSync(fd).size} bytes, expected ${bytes} for an uncompressed chunk (${file})`);
    const dst = new Uint8Array(out.buffer, out.byteOffset + (cStart[0]! - start[0]!) * (bytes / cs[0]!), bytes);
    let done = 0;
    while (done < bytes) {
      const n = readSync(fd, dst, done, bytes - done, done);
      if (n === 0) throw new ChunkReadError(key, `Zarr chunk '${key}' is truncated (${file})`);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return true;
}

export async function zarrRead(spec: ZarrReadSpec, start: readonly number[], count: readonly number[]): Promise<NDChunk> {
  const arr = await openZarrArray(spec.store, spec.path, spec.stamp);
  const cs = arr.chunks;
  const nd = count.length;
  const n = count.reduce((a, b) => a * b, 1);
  const lo = start.map((s, k) => Math.floor(s / cs[k]!));
  const hi = start.map((s, k) => Math.ceil((s + count[k]!) / cs[k]!));
  const coordsList: number[][] = [];
  const walk = (k: number, acc: number[]): void => {
    if (k === nd) { coordsList.push([...acc]); return; }
    for (let c = lo[k]!; c < hi[k]!; c++) { acc.push(c); walk(k + 1, acc); acc.pop(); }
  };
  walk(0, []);
  // Without an in-place path, a block that is exactly one stored chunk takes zarrita's decoded chunk as it is.
  const direct = spec.raw === true || spec.blosc === true;
  const out = !direct && coordsList.length === 1 && count.every((c, k) => c === cs[k] && start[k] === lo[k]! * cs[k]!) ? null : allocateShared(spec.dtype, n);
  let single: NDChunk | null = null;
  for (const coords of coordsList) {
    const key = chunkKey(spec.keyEncoding, coords);
    const where = `${spec.store}/${spec.path ? spec.path + "/" : ""}${key}`;
    if (spec.missing === "error" && !existsSync(join(spec.store, spec.path, key))) {
      throw new ChunkReadError(key, `Zarr chunk '${key}' is missing (${where}) and missingChunks is 'error'`);
    }
    const cStart = coords.map((c, k) => c * cs[k]!);
    if (spec.raw && out !== null && readInPlace(spec, key, cs, cStart, start, count, out)) continue;
    if (spec.blosc && out !== null && decodeBloscInPlace(spec, key, cs, cStart, start, count, out)) continue;
    let chunk: zarr.Chunk<zarr.DataType>;
    try {
      chunk = await arr.getChunk(coords);
    } catch (e) {
      throw new ChunkReadError(key, `Zarr chunk '${key}' cannot be decoded (${where}): ${(e as Error).message}`, { cause: e });
    }
    const values = chunkValues(chunk.data);
    if (values.length !== cs.reduce((a, b) => a * b, 1)) {
      throw new ChunkReadError(key, `Zarr chunk '${key}' decoded to ${values.length} elements, expected ${cs.reduce((a, b) => a * b, 1)} (${where})`);
    }
    const data = toChunkData(values, spec.dtype);
    if (out === null) { single = { dtype: spec.dtype, shape: [...count], data: shared(data, spec.dtype) }; break; }
    const from = cStart.map((c, k) => Math.max(c, start[k]!));
    const to = cStart.map((c, k) => Math.min(c + cs[k]!, start[k]! + count[k]!));
    copyBox(data, cs, out, count, {
      srcStart: from.map((f, k) => f - cStart[k]!),
      dstStart: from.map((f, k) => f - start[k]!),
      count: from.map((f, k) => to[k]! - f),
    });
  }
  return single ?? { dtype: spec.dtype, shape: [...count], data: out! };
}
