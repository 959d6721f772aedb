/**
 * fromNpy: a lazy array over a .npy file. The client reads the header; each block is a task that
 * reads only its byte ranges (one read per contiguous run) on its worker.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { ChunkSpec } from "../chunks.js";
import type { TArray } from "../core.js";
import type { DType } from "../dtype.js";
import type { NDChunk } from "../fusion/ir.js";
import { readChunks } from "./aligned-chunks.js";
import { blockReadArray } from "./block-array.js";
import { decodeBytes, storedSize } from "./bytes.js";
import { readDType, type StoredType } from "./dtypes.js";
import { IONotFoundError } from "./errors.js";
import { cachedFd, readFully } from "./fd-cache.js";
import { readNpyHeader } from "./npy-header.js";
import { IO_OPS } from "./ops-names.js";
import { checkOptions, checkPath } from "./options.js";
import { forEachRun } from "./runs.js";

export interface FromNpyOptions {
  /** Block chunks; default: whole trailing axes, ~128 MiB blocks along the first axis. */
  readonly chunks?: ChunkSpec;
}

/** A flat C-order variable in a file: where it starts and how its elements are stored. */
export interface FlatReadSpec {
  readonly file: string;
  readonly stamp: string;
  readonly dataOffset: number;
  readonly shape: readonly number[];
  readonly stored: StoredType;
  readonly littleEndian: boolean;
  readonly dtype: DType;
}

export function fileStamp(file: string): string {
  const s = statSync(file);
  return `${s.mtimeMs}-${s.size}`;
}

/** Storage "chunks" of a flat C-order array: one row of the first axis, whole trailing axes. */
export const rowChunks = (shape: readonly number[]): number[] => shape.map((n, k) => (k === 0 ? 1 : n));

export function fromNpy(file: string, opts: FromNpyOptions = {}): TArray {
  checkOptions(opts, ["chunks"], "fromNpy");
  const path = resolve(checkPath(file, "fromNpy"));
  if (!existsSync(path)) throw new IONotFoundError(`fromNpy: no file at ${path}`);
  const h = readNpyHeader(path);
  const dtype = readDType(h.type, `fromNpy(${path})`);
  const chunks = readChunks(opts.chunks, h.shape, dtype, rowChunks(h.shape), "fromNpy: chunks");
  const spec: FlatReadSpec = { file: path, stamp: fileStamp(path), dataOffset: h.dataOffset, shape: h.shape, stored: h.type, littleEndian: h.littleEndian, dtype };
  return blockReadArray("from-npy", IO_OPS.npyRead, spec, chunks, dtype);
}

/** The `io.npy_read` op (also reads NetCDF-3 non-record variables): one read per contiguous run. */
export function flatRead(spec: FlatReadSpec, start: readonly number[], count: readonly number[]): NDChunk {
  const size = storedSize(spec.stored);
  const n = count.reduce((a, b) => a * b, 1);
  const bytes = new Uint8Array(new SharedArrayBuffer(n * size));
  const fd = cachedFd(spec.file, spec.stamp);
  let at = 0;
  forEachRun(spec.shape, start, count, (off, len) => {
    readFully(fd, spec.file, bytes, at, len * size, spec.dataOffset + off * size);
    at += len * size;
  });
  return { dtype: spec.dtype, shape: [...count], data: decodeBytes(bytes, spec.stored, spec.littleEndian, spec.dtype) };
}
