/**
 * HDF5 files through h5wasm's Node build, which reads the real filesystem (no copy into memory):
 * a task reads only the chunks of its hyperslab. Open files are cached per process, keyed by path
 * and stamp (mtime-size seen when the graph was built), at most 16 at once.
 */
import { existsSync } from "node:fs";
import type h5wasmModule from "h5wasm/node";
import { IONotFoundError, UnsupportedFormatError } from "./errors.js";
import type { StoredType } from "./dtypes.js";

export type H5File = InstanceType<typeof h5wasmModule.File>;
const files = new Map<string, H5File>();

/** h5wasm (a few MB of WebAssembly) loads on first use, not in every task thread at start-up. */
let loading: Promise<typeof h5wasmModule> | undefined;
function h5wasm(): Promise<typeof h5wasmModule> {
  loading ??= import("h5wasm/node").then(async (m) => { await m.default.ready; return m.default; });
  return loading;
}

export async function openH5(file: string, stamp: string): Promise<H5File> {
  const id = `${file}\0${stamp}`;
  const f = files.get(id);
  if (f !== undefined) return f;
  if (!existsSync(file)) throw new IONotFoundError(`no file at ${file}`);
  const h5 = await h5wasm();
  let opened: H5File;
  try {
    opened = new h5.File(file, "r");
  } catch (e) {
    throw new UnsupportedFormatError(`${file} cannot be opened as HDF5 / NetCDF-4: ${(e as Error).message}`);
  }
  files.set(id, opened);
  if (files.size > 16) {
    const [oldId, old] = files.entries().next().value as [string, H5File];
    files.delete(oldId);
    old.close();
  }
  return opened;
}

const STRUCT: Record<string, StoredType> = { b: "int8", B: "uint8", h: "int16", H: "uint16", i: "int32", I: "uint32", q: "int64", Q: "uint64", e: "float16", f: "float32", d: "float64", "?": "bool" };

/** h5wasm's dtype ('<f', '>h', …) as a StoredType, or an error naming it. */
export function h5StoredType(dtype: unknown, where: string): StoredType {
  const m = typeof dtype === "string" ? /^[<>|=]?([bBhHiIqQefd?])$/.exec(dtype) : null;
  const t = m ? STRUCT[m[1]!] : undefined;
  if (t === undefined) throw new UnsupportedFormatError(`${where}: HDF5 type ${JSON.stringify(dtype)} is not supported (numeric datasets only)`);
  return t;
}
