/**
 * fromHDF5 / NetCDF-4 variables: lazy arrays over HDF5 datasets. The client reads the metadata;
 * each block is a task that opens the file on its worker and reads its hyperslab.
 */
import { resolve } from "node:path";
import { existsSync } from "node:fs";
import type { ChunkSpec } from "../chunks.js";
import type { TArray } from "../core.js";
import type { DType } from "../dtype.js";
import { readChunks } from "./aligned-chunks.js";
import { blockReadArray } from "./block-array.js";
import { readDType } from "./dtypes.js";
import { IONotFoundError, UnknownVariableError } from "./errors.js";
import { h5StoredType, openH5, type H5File } from "./hdf5-file.js";
import { fileStamp, rowChunks } from "./flat-read.js";
import type { H5ReadSpec } from "./hdf5-read.js";
import { IO_OPS } from "./ops-names.js";
import { checkOptions, checkPath } from "./options.js";

export interface VariableInfo {
  readonly name: string;
  readonly dims: string[];
  readonly shape: number[];
  readonly dtype: DType | null;
  readonly storedDtype: string;
  readonly attrs: Record<string, unknown>;
  /** Storage chunks, or null for contiguous storage. */
  readonly chunks: number[] | null;
}

/** Attributes NetCDF-4 and HDF5 dimension scales use internally (not shown to users). */
const INTERNAL = new Set(["DIMENSION_LIST", "REFERENCE_LIST", "CLASS", "NAME", "_Netcdf4Dimid", "_Netcdf4Coordinates", "_nc3_strict", "_NCProperties"]);

function attrValue(a: { value: unknown }): unknown {
  const v = a.value;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const arr = Array.from(v as unknown as ArrayLike<number | bigint>, (x) => (typeof x === "bigint" ? Number(x) : x));
    return arr.length === 1 ? arr[0] : arr;
  }
  return v;
}

export function h5Attrs(obj: { attrs: Record<string, { value: unknown }> }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, a] of Object.entries(obj.attrs)) {
    if (INTERNAL.has(k)) continue;
    try { out[k] = attrValue(a); } catch { /* attribute types h5wasm cannot decode are left out */ }
  }
  return out;
}

type H5Node = { type: string; keys?: () => string[]; attrs: Record<string, { value: unknown }>; shape?: number[]; dtype?: unknown; metadata?: { chunks: number[] | null } };

/** Every dataset in the file (paths without the leading '/'), with NetCDF-4 dimension names where present. */
export function h5Variables(f: H5File, file: string): VariableInfo[] {
  const datasets: [string, H5Node][] = [];
  const walk = (prefix: string, g: H5Node): void => {
    for (const k of g.keys!()) {
      const node = f.get(prefix + k) as unknown as H5Node;
      if (node.type === "Group") walk(`${prefix}${k}/`, node);
      else if (node.type === "Dataset") datasets.push([prefix + k, node]);
    }
  };
  walk("", f as unknown as H5Node);
  const dimName = new Map<number, string>();
  for (const [name, d] of datasets) {
    if ("_Netcdf4Dimid" in d.attrs && "CLASS" in d.attrs) dimName.set(Number(attrValue(d.attrs._Netcdf4Dimid!)), name.split("/").pop()!);
  }
  const out: VariableInfo[] = [];
  for (const [name, d] of datasets) {
    const nameAttr = "NAME" in d.attrs ? String(attrValue(d.attrs.NAME!)) : "";
    if (nameAttr.startsWith("This is a netCDF dimension but not a netCDF variable")) continue;
    const shape = d.shape ?? [];
    let dims = shape.map((_, k) => `dim_${k}`);
    if ("_Netcdf4Coordinates" in d.attrs) {
      const ids = [attrValue(d.attrs._Netcdf4Coordinates!)].flat() as number[];
      dims = ids.map((id, k) => dimName.get(id) ?? `dim_${k}`);
    } else if ("_Netcdf4Dimid" in d.attrs && shape.length === 1) dims = [name.split("/").pop()!];
    let stored = String(d.dtype);
    let dtype: DType | null = null;
    try { const t = h5StoredType(d.dtype, file); stored = t; dtype = readDType(t, file); } catch { /* listed, not readable */ }
    out.push({ name, dims, shape, dtype, storedDtype: stored, attrs: h5Attrs(d), chunks: d.metadata?.chunks ?? null });
  }
  return out;
}

export interface FromHDF5Options {
  /** Block chunks; default: whole storage chunks, several per block (~128 MiB). */
  readonly chunks?: ChunkSpec;
}

/** Checks the file and finds the dataset, listing those that exist when it is not there. */
export async function h5Dataset(file: string, dataset: string, where: string): Promise<{ path: string; stamp: string; info: VariableInfo }> {
  const path = resolve(checkPath(file, where));
  if (!existsSync(path)) throw new IONotFoundError(`${where}: no file at ${path}`);
  const stamp = fileStamp(path);
  const f = await openH5(path, stamp);
  const vars = h5Variables(f, path);
  const want = dataset.replace(/^\/+/, "");
  const info = vars.find((v) => v.name === want);
  if (info === undefined) throw new UnknownVariableError(dataset, vars.map((v) => v.name), `${where}: ${path}`);
  if (info.dtype === null) readDType(info.storedDtype, `${where}(${path}, ${want})`);
  return { path, stamp, info };
}

export function h5Array(path: string, stamp: string, info: VariableInfo, chunks: ChunkSpec | undefined, what: string): TArray {
  const dtype = info.dtype!;
  const norm = readChunks(chunks, info.shape, dtype, info.chunks ?? rowChunks(info.shape), `${what}: chunks`);
  const spec: H5ReadSpec = { file: path, stamp, dataset: info.name, dtype };
  return blockReadArray("from-hdf5", IO_OPS.hdf5Read, spec, norm, dtype);
}

export async function fromHDF5(file: string, dataset: string, opts: FromHDF5Options = {}): Promise<TArray> {
  checkOptions(opts, ["chunks"], "fromHDF5");
  const { path, stamp, info } = await h5Dataset(file, dataset, "fromHDF5");
  return h5Array(path, stamp, info, opts.chunks, "fromHDF5");
}

