/**
 * toNpy: write an array to a .npy file. The client writes the header and sizes the file; each
 * block is a task that writes its byte ranges in place. A failed write removes the file.
 */
import { closeSync, existsSync, ftruncateSync, openSync, rmSync, writeSync } from "node:fs";
import type { NpyWriteSpec } from "./npy-write-op.js";
import { resolve } from "node:path";
import { getDefaultExecutor, type GraphExecutor } from "../../graph/default-executor.js";
import { tokenName } from "../../graph/keys.js";
import { optimizeGraph } from "../../graph/optimize.js";
import { blockKey, ref, type Arg, type Graph } from "../../graph/spec.js";
import { blockIndices, offsets } from "../chunks.js";
import type { TArray } from "../core.js";
import { numpyTypestr } from "./dtypes.js";
import { StoreExistsError, WriteFailedError } from "./errors.js";
import { npyHeaderBytes } from "./npy-header.js";
import { IO_OPS } from "./ops-names.js";
import { checkOptions, checkPath } from "./options.js";

export interface ToNpyOptions {
  readonly overwrite?: boolean;
  readonly executor?: GraphExecutor;
}

export interface NpyWriteSummary {
  readonly file: string;
  readonly shape: number[];
  readonly bytes: number;
}

export async function toNpy(x: TArray, file: string, opts: ToNpyOptions = {}): Promise<NpyWriteSummary> {
  checkOptions(opts, ["overwrite", "executor"], "toNpy");
  const path = resolve(checkPath(file, "toNpy"));
  if (existsSync(path) && opts.overwrite !== true) throw new StoreExistsError(`toNpy: ${path} already exists; pass overwrite: true to replace it`);
  const header = npyHeaderBytes(numpyTypestr(x.dtype), x.shape);
  const fd = openSync(path, "w");
  try {
    writeSync(fd, header, 0, header.length, 0);
    ftruncateSync(fd, header.length + x.nbytes);
  } finally {
    closeSync(fd);
  }
  const spec: NpyWriteSpec = { file: path, dataOffset: header.length, shape: x.shape, itemsize: x.itemsize };
  const name = tokenName("to-npy", x.name, spec);
  const offs = x.chunks.map((c) => offsets(c));
  const layer: Graph = {};
  const keys = blockIndices(x.numblocks).map((idx) => {
    const k = blockKey(name, idx);
    layer[k] = { op: IO_OPS.npyWrite, args: [spec as unknown as Arg, idx.map((b, a) => offs[a]![b]!), ref(x.key(idx))] };
    return k;
  });
  try {
    await (opts.executor ?? getDefaultExecutor()).computeGraph(optimizeGraph({ ...x.graph, ...layer }, keys), keys);
  } catch (e) {
    rmSync(path, { force: true });
    throw new WriteFailedError(`toNpy: writing ${path} failed, so the partial file was removed. Cause: ${(e as Error).message}`, { cause: e });
  }
  return { file: path, shape: x.shape, bytes: x.nbytes };
}

