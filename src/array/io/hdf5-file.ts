/**
 * HDF5 files through h5wasm's Node build, which reads the real filesystem (no copy into memory):
 * a task reads only the chunks of its hyperslab. Open files are cached per process, keyed by path
 * and stamp (mtime-size seen when the graph was built), at most 16 at once, and closed after 30 s
 * unused.
 */
import { existsSync } from "node:fs";
import type h5wasmModule from "h5wasm/node";
import { IONotFoundError, UnsupportedFormatError } from "./errors.js";
import type { StoredType } from "./dtypes.js";

export type H5File = InstanceType<typeof h5wasmModule.File>;
/** h5wasm's Emscripten module: its heap and the C entry points under the high-level classes. */
export type H5Module = Awaited<typeof h5wasmModule.ready>;
const files = new Map<string, { file: H5File; used: number }>();

/** h5wasm (a few MB of WebAssembly) loads on first use, not in every task thread at start-up. */
let loading: Promise<{ h5: typeof h5wasmModule; module: H5Module }> | undefined;
function h5wasm(): Promise<{ h5: typeof h5wasmModule; module: H5Module }> {
  loading ??= import("h5wasm/node").then(async (m) => ({ h5: m.default, module: await m.default.ready }));
  return loading;
}

/** The Emscripten module (loaded by the first openH5). */
export async function h5Module(): Promise<H5Module> {
  return (await h5wasm()).module;
}

/** Files unused this long are closed (a timer that does not keep the thread alive checks). */
const IDLE_CLOSE_MS = 30_000;
let idleTimer: ReturnType<typeof setInterval> | undefined;
/** Close the files unused for `idleMs` (the timer's check; exported for tests). */
export function closeIdleH5(idleMs = IDLE_CLOSE_MS): void {
  const now = Date.now();
  for (const [id, f] of files) {
    if (now - f.used >= idleMs) { files.delete(id); f.file.close(); }
  }
  if (files.size === 0 && idleTimer !== undefined) { clearInterval(idleTimer); idleTimer = undefined; }
}

/** Open files in this thread (for tests of the idle close). */
export function openH5Count(): number { return files.size; }

export async function openH5(file: string, stamp: string): Promise<H5File> {
  const id = `${file}\0${stamp}`;
  const f = files.get(id);
  if (f !== undefined) { f.used = Date.now(); return f.file; }
  if (!existsSync(file)) throw new IONotFoundError(`no file at ${file}`);
  const { h5 } = await h5wasm();
  let opened: H5File;
  try {
    opened = new h5.File(file, "r");
  } catch (e) {
    throw new UnsupportedFormatError(`${file} cannot be opened as HDF5 / NetCDF-4: ${(e as Error).message}`);
  }
  files.set(id, { file: opened, used: Date.now() });
  if (files.size > 16) {
    const [oldId, old] = files.entries().next().value as [string, { file: H5File }];
    files.delete(oldId);
    old.file.close();
  }
  if (idleTimer === undefined) {
    idleTimer = setInterval(() => closeIdleH5(), IDLE_CLOSE_MS / 3);
    idleTimer.unref();
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
