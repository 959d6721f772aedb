/**
 * fromNpy: a lazy array over a .npy file. The client reads the header; each block is a task that
 * reads only its byte ranges (one read per contiguous run) on its worker.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { ChunkSpec } from "../chunks.js";
import type { TArray } from "../core.js";
import { readChunks } from "./aligned-chunks.js";
import { blockReadArray } from "./block-array.js";
import { readDType } from "./dtypes.js";
import { IONotFoundError } from "./errors.js";
import { fileStamp, rowChunks, type FlatReadSpec } from "./flat-read.js";
import { readNpyHeader } from "./npy-header.js";
import { IO_OPS } from "./ops-names.js";
import { checkOptions, checkPath } from "./options.js";

export interface FromNpyOptions {
  /** Block chunks; default: whole trailing axes, ~128 MiB blocks along the first axis. */
  readonly chunks?: ChunkSpec;
}

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

