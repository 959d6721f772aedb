/**
 * fromZarr: a lazy array over a Zarr v2 or v3 array on a filesystem path (a local disk or the
 * cluster's shared filesystem). The client reads only the metadata; each block is a task that
 * opens the store on its worker and reads the stored chunks the block covers.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ChunkSpec } from "../chunks.js";
import type { TArray } from "../core.js";
import type { DType } from "../dtype.js";
import { readChunks } from "./aligned-chunks.js";
import { blockReadArray } from "./block-array.js";
import { readDType } from "./dtypes.js";
import { IONotFoundError, IOOptionsError, IncompleteStoreError, UnknownVariableError } from "./errors.js";
import { IO_OPS } from "./ops-names.js";
import { checkOptions, checkPath } from "./options.js";
import type { ZarrReadSpec } from "./zarr-read.js";
import { INCOMPLETE_ATTR, listArrays, nodeKind, normalizeArrayPath, readArrayMeta, type ZarrArrayMeta } from "./zarr-meta.js";

export interface FromZarrOptions {
  /** The array inside the store (for groups): 'temp' or 'group/temp'. */
  readonly path?: string;
  /** Block chunks; default: whole stored chunks, several per block (~128 MiB). */
  readonly chunks?: ChunkSpec;
  /** A missing stored chunk reads as the fill value ('fill', the Zarr spec) or fails ('error'). */
  readonly missingChunks?: "fill" | "error";
}

export interface ZarrArrayInfo {
  readonly store: string;
  readonly path: string;
  readonly format: 2 | 3;
  readonly shape: number[];
  readonly dtype: DType;
  readonly storedDtype: string;
  readonly storageChunks: number[];
  readonly dims: string[] | null;
  readonly attrs: Record<string, unknown>;
  readonly fillValue: unknown;
  readonly codecs: string[];
}

/** Metadata of the array at `store`/`path`; errors name what is missing and what exists. */
export function zarrArrayMeta(store: string, arrayPath: string | undefined, where: string): { dir: string; path: string; meta: ZarrArrayMeta } {
  const root = resolve(checkPath(store, where));
  if (!existsSync(root)) throw new IONotFoundError(`${where}: no Zarr store at ${root} (the path does not exist)`);
  const rootKind = nodeKind(root);
  if (rootKind === null) throw new IONotFoundError(`${where}: ${root} is not a Zarr store (no .zarray, .zgroup or zarr.json)`);
  const path = normalizeArrayPath(arrayPath);
  const dir = path === "" ? root : join(root, path);
  const kind = nodeKind(dir);
  if (kind?.kind !== "array") {
    const arrays = listArrays(root);
    if (path === "") throw new UnknownVariableError("", arrays, `${where}: ${root} is a group; pass {path} naming an array: it`);
    throw new UnknownVariableError(path, arrays, `${where}: the store ${root}`);
  }
  const meta = readArrayMeta(dir, where);
  if (meta.attrs[INCOMPLETE_ATTR] !== undefined) {
    throw new IncompleteStoreError(`${where}: the Zarr array ${dir} is incomplete: a write did not finish (${String(meta.attrs[INCOMPLETE_ATTR])}); write it again with overwrite: true`);
  }
  return { dir: root, path, meta };
}

export function zarrInfo(store: string, opts: { path?: string } = {}): ZarrArrayInfo {
  checkOptions(opts, ["path"], "zarrInfo");
  const { dir, path, meta } = zarrArrayMeta(store, opts.path, "zarrInfo");
  return {
    store: dir, path, format: meta.format, shape: meta.shape, dtype: readDType(meta.stored, `zarrInfo(${dir})`), storedDtype: meta.stored,
    storageChunks: meta.chunks, dims: meta.dims, attrs: meta.attrs, fillValue: meta.fillValue, codecs: meta.codecs,
  };
}

export async function fromZarr(store: string, opts: FromZarrOptions = {}): Promise<TArray> {
  checkOptions(opts, ["path", "chunks", "missingChunks"], "fromZarr");
  const { dir, path, meta } = zarrArrayMeta(store, opts.path, "fromZarr");
  const missing = opts.missingChunks ?? "fill";
  if (missing !== "fill" && missing !== "error") throw new IOOptionsError(`fromZarr: missingChunks must be 'fill' or 'error', got ${JSON.stringify(missing)}`);
  const dtype = readDType(meta.stored, `fromZarr(${dir}${path ? `, ${path}` : ""})`);
  const chunks = readChunks(opts.chunks, meta.shape, dtype, meta.chunks, "fromZarr: chunks");
  // In-place reads need chunk bytes that are already this dtype (no widening).
  const raw = meta.raw && (meta.stored as string) === dtype;
  const blosc = meta.blosc && (meta.stored as string) === dtype;
  const spec: ZarrReadSpec = { store: dir, path, stamp: meta.stamp, keyEncoding: meta.keyEncoding, dtype, missing, raw, blosc };
  return blockReadArray("from-zarr", IO_OPS.zarrRead, spec, chunks, dtype);
}
