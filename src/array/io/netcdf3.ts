/**
 * NetCDF-3 classic and 64-bit-offset files. netcdfjs parses the header (read from the first bytes
 * of the file only); blocks are then plain big-endian byte ranges: a non-record variable is one
 * C-order array at its offset, a record variable has one slab per record, recordStep apart.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { NetCDFReader } from "netcdfjs";
import type { DType } from "../dtype.js";
import type { NDChunk } from "../fusion/ir.js";
import { allocateShared, readDType, type StoredType } from "./dtypes.js";
import { UnsupportedFormatError } from "./errors.js";
import type { VariableInfo } from "./hdf5.js";
import { flatRead, type FlatReadSpec } from "./flat-read.js";

const TYPES: Record<string, StoredType> = { byte: "int8", short: "int16", int: "int32", float: "float32", double: "float64" };

export interface NC3Variable extends VariableInfo {
  readonly offset: number;
  readonly record: boolean;
  readonly recordStep: number;
  readonly stored: StoredType | null;
}

export interface NC3Header {
  readonly variables: NC3Variable[];
  readonly attrs: Record<string, unknown>;
}

type Attr = { name: string; type: string; value: unknown };
const attrs = (list: Attr[]): Record<string, unknown> => Object.fromEntries(list.map((a) => [a.name, a.value]));

/** Parse the header, reading more of the file until it fits. */
export function readNC3Header(file: string): NC3Header {
  const size = statSync(file).size;
  let want = Math.min(size, 1 << 16);
  for (;;) {
    const buf = Buffer.alloc(want);
    const fd = openSync(file, "r");
    try { readSync(fd, buf, 0, want, 0); } finally { closeSync(fd); }
    let r: NetCDFReader;
    try {
      r = new NetCDFReader(buf);
    } catch (e) {
      if (want < size) { want = Math.min(size, want * 4); continue; }
      throw new UnsupportedFormatError(`${file}: not a readable NetCDF-3 file: ${(e as Error).message}`);
    }
    const h = r.header as unknown as {
      dimensions: { name: string; size: number }[];
      globalAttributes: Attr[];
      recordDimension: { length: number; id: number; recordStep: number };
      variables: { name: string; dimensions: number[]; attributes: Attr[]; type: string; offset: number; record: boolean }[];
    };
    const variables = h.variables.map((v): NC3Variable => {
      const shape = v.dimensions.map((d) => (d === h.recordDimension.id ? h.recordDimension.length : h.dimensions[d]!.size));
      const stored = TYPES[v.type] ?? null;
      let dtype: DType | null = null;
      if (stored !== null) dtype = readDType(stored, file);
      return {
        name: v.name, dims: v.dimensions.map((d) => h.dimensions[d]!.name), shape, dtype, storedDtype: stored ?? v.type,
        attrs: attrs(v.attributes), chunks: null, offset: v.offset, record: v.record, recordStep: h.recordDimension.recordStep, stored,
      };
    });
    return { variables, attrs: attrs(h.globalAttributes) };
  }
}

export interface NC3ReadSpec {
  readonly file: string;
  readonly stamp: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly record: boolean;
  readonly recordStep: number;
  readonly stored: StoredType;
  readonly dtype: DType;
}

/** The `io.netcdf3_read` op. */
export function netcdf3Read(spec: NC3ReadSpec, start: readonly number[], count: readonly number[]): NDChunk {
  const flat = (shape: readonly number[], offset: number): FlatReadSpec => ({
    file: spec.file, stamp: spec.stamp, dataOffset: offset, shape, stored: spec.stored, littleEndian: false, dtype: spec.dtype,
  });
  if (!spec.record) return flatRead(flat(spec.shape, spec.offset), start, count);
  const inner = spec.shape.slice(1);
  const per = count.slice(1).reduce((a, b) => a * b, 1);
  const out = allocateShared(spec.dtype, count.reduce((a, b) => a * b, 1));
  for (let r = 0; r < count[0]!; r++) {
    const slab = flatRead(flat(inner, spec.offset + (start[0]! + r) * spec.recordStep), start.slice(1), count.slice(1));
    (out as Float64Array).set(slab.data as Float64Array, r * per);
  }
  return { dtype: spec.dtype, shape: [...count], data: out };
}
