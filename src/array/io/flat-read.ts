/**
 * The `io.npy_read` op (also used for NetCDF-3 variables): a C-order array stored flat in a file
 * from `dataOffset`; a block is read with one read per contiguous byte run, into shared memory.
 */
import { statSync } from "node:fs";
import type { DType } from "../dtype.js";
import type { NDChunk } from "../fusion/ir.js";
import { decodeBytes, storedSize } from "./bytes.js";
import type { StoredType } from "./dtypes.js";
import { cachedFd, readFully } from "./fd-cache.js";
import { forEachRun } from "./runs.js";

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
