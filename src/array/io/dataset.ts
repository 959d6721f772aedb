/**
 * openDataset: what a file holds (xarray's open_dataset, metadata only): variables with dims,
 * shape, dtype, attributes and storage chunking, for NetCDF-4 / HDF5, NetCDF-3 and Zarr groups.
 * fromNetCDF reads one variable of a NetCDF-3 or NetCDF-4 file as a lazy array.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { ChunkSpec } from "../chunks.js";
import type { TArray } from "../core.js";
import { readChunks } from "./aligned-chunks.js";
import { blockReadArray } from "./block-array.js";
import { readDType } from "./dtypes.js";
import { IONotFoundError, UnknownVariableError, UnsupportedFormatError } from "./errors.js";
import { openH5 } from "./hdf5-file.js";
import { h5Array, h5Attrs, h5Dataset, h5Variables, type VariableInfo } from "./hdf5.js";
import { maskAndScale } from "./mask-scale.js";
import { readNC3Header, type NC3ReadSpec } from "./netcdf3.js";
import { fileStamp, rowChunks } from "./flat-read.js";
import { IO_OPS } from "./ops-names.js";
import { checkOptions, checkPath } from "./options.js";
import { listArrays } from "./zarr-meta.js";
import { zarrInfo } from "./zarr.js";

export type DatasetFormat = "netcdf4/hdf5" | "netcdf3" | "zarr";

export interface Dataset {
  readonly path: string;
  readonly format: DatasetFormat;
  readonly attrs: Record<string, unknown>;
  readonly variables: Record<string, VariableInfo>;
}

export function detectFormat(path: string, where: string): DatasetFormat {
  if (!existsSync(path)) throw new IONotFoundError(`${where}: no file or store at ${path}`);
  if (statSync(path).isDirectory()) return "zarr";
  const b = Buffer.alloc(8);
  const fd = openSync(path, "r");
  try { readSync(fd, b, 0, 8, 0); } finally { closeSync(fd); }
  if (b.toString("latin1", 1, 4) === "HDF") return "netcdf4/hdf5";
  if (b.toString("latin1", 0, 3) === "CDF" && (b[3] === 1 || b[3] === 2)) return "netcdf3";
  throw new UnsupportedFormatError(`${where}: ${path} is neither NetCDF (3 or 4), HDF5 nor a Zarr store (first bytes ${JSON.stringify(b.toString("latin1", 0, 4))})`);
}

export async function openDataset(file: string): Promise<Dataset> {
  const path = resolve(checkPath(file, "openDataset"));
  const format = detectFormat(path, "openDataset");
  const variables: Record<string, VariableInfo> = {};
  let attrs: Record<string, unknown> = {};
  if (format === "netcdf4/hdf5") {
    const f = await openH5(path, fileStamp(path));
    for (const v of h5Variables(f, path)) variables[v.name] = v;
    attrs = h5Attrs(f as unknown as Parameters<typeof h5Attrs>[0]);
  } else if (format === "netcdf3") {
    const h = readNC3Header(path);
    for (const v of h.variables) {
      const { offset: _o, record: _r, recordStep: _s, stored: _t, ...info } = v;
      variables[v.name] = info;
    }
    attrs = h.attrs;
  } else {
    for (const name of listArrays(path)) {
      const z = zarrInfo(path, { path: name });
      variables[name] = { name, dims: z.dims ?? z.shape.map((_, k) => `dim_${k}`), shape: z.shape, dtype: z.dtype, storedDtype: z.storedDtype, attrs: z.attrs, chunks: z.storageChunks };
    }
  }
  return { path, format, attrs, variables };
}

export interface FromNetCDFOptions {
  readonly chunks?: ChunkSpec;
  /** Apply _FillValue/missing_value (→ NaN), scale_factor and add_offset, as xarray does by default. */
  readonly maskAndScale?: boolean;
}

export async function fromNetCDF(file: string, variable: string, opts: FromNetCDFOptions = {}): Promise<TArray> {
  checkOptions(opts, ["chunks", "maskAndScale"], "fromNetCDF");
  const path = resolve(checkPath(file, "fromNetCDF"));
  const format = detectFormat(path, "fromNetCDF");
  let x: TArray;
  let attrs: Record<string, unknown>;
  if (format === "netcdf4/hdf5") {
    const { stamp, info } = await h5Dataset(path, variable, "fromNetCDF");
    x = h5Array(path, stamp, info, opts.chunks, "fromNetCDF");
    attrs = info.attrs;
  } else if (format === "netcdf3") {
    const h = readNC3Header(path);
    const v = h.variables.find((w) => w.name === variable);
    if (v === undefined) throw new UnknownVariableError(variable, h.variables.map((w) => w.name), `fromNetCDF: ${path}`);
    if (v.stored === null) throw new UnsupportedFormatError(`fromNetCDF(${path}, ${variable}): NetCDF type '${v.storedDtype}' is not supported (numeric variables only)`);
    const dtype = readDType(v.stored, path);
    const chunks = readChunks(opts.chunks, v.shape, dtype, rowChunks(v.shape), "fromNetCDF: chunks");
    const spec: NC3ReadSpec = { file: path, stamp: fileStamp(path), shape: v.shape, offset: v.offset, record: v.record, recordStep: v.recordStep, stored: v.stored, dtype };
    x = blockReadArray("from-netcdf3", IO_OPS.netcdf3Read, spec, chunks, dtype);
    attrs = v.attrs;
  } else {
    throw new UnsupportedFormatError(`fromNetCDF: ${path} is a Zarr store; use fromZarr(path, {path: '${variable}'})`);
  }
  return opts.maskAndScale === true ? maskAndScale(x, attrs) : x;
}
