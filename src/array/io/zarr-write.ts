/**
 * toZarr: write an array to a Zarr v2 (default) or v3 store, one task per block, in parallel.
 * The client writes the metadata (marked incomplete), the workers write the chunks of their
 * blocks, and the client clears the mark once every block is written; a failed write leaves the
 * mark, which fromZarr reports, and toZarr's error says so.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { getDefaultExecutor, type GraphExecutor } from "../../graph/default-executor.js";
import { tokenName } from "../../graph/keys.js";
import { optimizeGraph } from "../../graph/optimize.js";
import { blockKey, ref, type Arg, type Graph } from "../../graph/spec.js";
import { blockIndices, offsets } from "../chunks.js";
import type { TArray } from "../core.js";
import { checkWriteAlignment, storageChunksFor } from "./aligned-chunks.js";
import { numpyTypestr } from "./dtypes.js";
import { IOOptionsError, StoreExistsError, WriteFailedError } from "./errors.js";
import { IO_OPS } from "./ops-names.js";
import { checkOptions, checkPath } from "./options.js";
import { v2Compressor, v3Codecs, type CompressorSpec } from "./zarr-codecs.js";
import { INCOMPLETE_ATTR, nodeKind, normalizeArrayPath, readArrayMeta } from "./zarr-meta.js";
import type { ZarrWriteSpec } from "./zarr-write-op.js";

export interface ToZarrOptions {
  /** The array inside the store ('temp' or 'group/temp'); default: the store root. */
  readonly path?: string;
  /** Storage chunks; default: the array's block sizes. Block boundaries must fall on them. */
  readonly chunks?: readonly number[];
  /** Replace an existing array at the path (only Zarr nodes or empty directories are removed). */
  readonly overwrite?: boolean;
  readonly compressor?: CompressorSpec;
  /** 2 (default: read by every zarr, including zarr-python 2) or 3. */
  readonly zarrFormat?: 2 | 3;
  readonly attrs?: Record<string, unknown>;
  /** Dimension names: v3 dimension_names, v2 the xarray attribute _ARRAY_DIMENSIONS. */
  readonly dims?: readonly string[];
  readonly fillValue?: number | null;
  readonly executor?: GraphExecutor;
}

export interface ZarrWriteSummary {
  readonly store: string;
  readonly path: string;
  readonly shape: number[];
  readonly storageChunks: number[];
  readonly blocks: number;
}

const VALID = ["path", "chunks", "overwrite", "compressor", "zarrFormat", "attrs", "dims", "fillValue", "executor"];

function writeJson(file: string, v: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(v, null, 2));
}

function ensureGroups(root: string, path: string, format: 2 | 3): void {
  const parts = path === "" ? [] : path.split("/").slice(0, -1);
  let dir = root;
  for (let i = 0; i <= parts.length; i++) {
    if (nodeKind(dir) === null) {
      if (format === 2) writeJson(join(dir, ".zgroup"), { zarr_format: 2 });
      else writeJson(join(dir, "zarr.json"), { zarr_format: 3, node_type: "group", attributes: {} });
    } else if (nodeKind(dir)!.kind === "array") {
      throw new StoreExistsError(`toZarr: ${dir} is a Zarr array, so it cannot hold '${path}'; choose another store or path`);
    }
    if (i < parts.length) dir = join(dir, parts[i]!);
  }
}

function clearTarget(dir: string, overwrite: boolean): void {
  if (!existsSync(dir)) return;
  const entries = readdirSync(dir);
  if (entries.length === 0) return;
  if (!overwrite) throw new StoreExistsError(`toZarr: ${dir} already exists; pass overwrite: true to replace it`);
  if (nodeKind(dir) === null) throw new StoreExistsError(`toZarr: ${dir} exists and is not a Zarr array or group; refusing to delete it (remove it yourself or choose another path)`);
  rmSync(dir, { recursive: true, force: true });
}

/** Set or clear the incomplete mark in the array's attributes. */
function setMark(dir: string, format: 2 | 3, mark: string | null): void {
  const file = format === 2 ? join(dir, ".zattrs") : join(dir, "zarr.json");
  const doc = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : {};
  const attrs = (format === 2 ? doc : ((doc.attributes as Record<string, unknown>) ?? {}));
  if (mark === null) delete attrs[INCOMPLETE_ATTR];
  else attrs[INCOMPLETE_ATTR] = mark;
  if (format === 3) doc.attributes = attrs;
  writeJson(file, doc);
}

export async function toZarr(x: TArray, store: string, opts: ToZarrOptions = {}): Promise<ZarrWriteSummary> {
  checkOptions(opts, VALID, "toZarr");
  const root = resolve(checkPath(store, "toZarr"));
  const path = normalizeArrayPath(opts.path);
  const format = opts.zarrFormat ?? 2;
  if (format !== 2 && format !== 3) throw new IOOptionsError(`toZarr: zarrFormat must be 2 or 3, got ${JSON.stringify(format)}`);
  const storage = opts.chunks === undefined ? storageChunksFor(x.chunks) : [...opts.chunks];
  if (storage.length !== x.ndim || storage.some((c) => !Number.isInteger(c) || c <= 0)) {
    throw new IOOptionsError(`toZarr: chunks ${JSON.stringify(opts.chunks)} must be ${x.ndim} positive integers (one per axis)`);
  }
  checkWriteAlignment(x.chunks, storage, "toZarr");
  if (opts.dims !== undefined && (opts.dims.length !== x.ndim || opts.dims.some((d) => typeof d !== "string"))) {
    throw new IOOptionsError(`toZarr: dims ${JSON.stringify(opts.dims)} must be ${x.ndim} names (one per axis)`);
  }
  const compressor = v2Compressor(opts.compressor);
  const dir = path === "" ? root : join(root, path);
  clearTarget(dir, opts.overwrite === true);
  if (path !== "") ensureGroups(root, path, format);
  const fill = opts.fillValue === undefined ? (x.dtype === "bool" ? false : 0) : opts.fillValue;
  const attrs: Record<string, unknown> = { ...(opts.attrs ?? {}), [INCOMPLETE_ATTR]: "writing" };
  if (format === 2) {
    writeJson(join(dir, ".zarray"), {
      zarr_format: 2, shape: x.shape, chunks: storage, dtype: numpyTypestr(x.dtype), compressor, fill_value: fill,
      order: "C", filters: null, dimension_separator: ".",
    });
    if (opts.dims) attrs._ARRAY_DIMENSIONS = [...opts.dims];
    writeJson(join(dir, ".zattrs"), attrs);
  } else {
    writeJson(join(dir, "zarr.json"), {
      zarr_format: 3, node_type: "array", shape: x.shape, data_type: x.dtype,
      chunk_grid: { name: "regular", configuration: { chunk_shape: storage } },
      chunk_key_encoding: { name: "default", configuration: { separator: "/" } },
      fill_value: fill, codecs: v3Codecs(compressor, x.dtype), attributes: attrs,
      ...(opts.dims ? { dimension_names: [...opts.dims] } : {}),
    });
  }
  const stamp = readArrayMeta(dir, "toZarr").stamp;
  const spec: ZarrWriteSpec = { store: root, path, stamp };
  const name = tokenName("to-zarr", x.name, spec);
  const offs = x.chunks.map((c) => offsets(c));
  const layer: Graph = {};
  const keys = blockIndices(x.numblocks).map((idx) => {
    const k = blockKey(name, idx);
    layer[k] = { op: IO_OPS.zarrWrite, args: [spec as unknown as Arg, idx.map((b, a) => offs[a]![b]!), ref(x.key(idx))] };
    return k;
  });
  const graph = optimizeGraph({ ...x.graph, ...layer }, keys);
  try {
    await (opts.executor ?? getDefaultExecutor()).computeGraph(graph, keys);
  } catch (e) {
    setMark(dir, format, `a block failed: ${(e as Error).message}`.slice(0, 500));
    throw new WriteFailedError(`toZarr: writing ${dir} failed, so the array is incomplete (its attribute '${INCOMPLETE_ATTR}' says so; fromZarr refuses it); fix the cause and write again with overwrite: true. Cause: ${(e as Error).message}`, { cause: e });
  }
  setMark(dir, format, null);
  return { store: root, path, shape: x.shape, storageChunks: storage, blocks: keys.length };
}

