/**
 * Zarr metadata, read straight from the store's JSON documents (v2: .zarray/.zattrs/.zgroup;
 * v3: zarr.json): what fromZarr needs on the client to plan blocks, and what the read op needs
 * to name chunk keys in errors. Chunks themselves are decoded by zarrita on the workers.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { registry } from "zarrita";
import { IONotFoundError, UnsupportedFormatError } from "./errors.js";
import { fromNumpyTypestr, type StoredType } from "./dtypes.js";

/** Attribute Tessera sets while a write is in progress and removes when every block is written. */
export const INCOMPLETE_ATTR = "tessera:incomplete";

export interface ChunkKeyEncoding {
  /** "" (v2) or "c" (v3 default encoding). */
  readonly prefix: string;
  readonly separator: "." | "/";
}

export interface ZarrArrayMeta {
  readonly format: 2 | 3;
  readonly shape: number[];
  readonly chunks: number[];
  readonly stored: StoredType;
  readonly fillValue: unknown;
  readonly attrs: Record<string, unknown>;
  readonly dims: string[] | null;
  readonly codecs: string[];
  readonly keyEncoding: ChunkKeyEncoding;
  /** Changes when the metadata is rewritten: keys worker-side caches and graph names. */
  readonly stamp: string;
  /** Chunks are the plain little-endian C-order bytes (no compressor or filter): readable in place. */
  readonly raw: boolean;
  /** Chunks are little-endian C-order bytes under Blosc alone (Python zarr's default): decodable in place. */
  readonly blosc: boolean;
}

const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;

export function normalizeArrayPath(p: string | undefined): string {
  return (p ?? "").split("/").filter((s) => s.length > 0).join("/");
}

/** "array" / "group" / null for the node at `dir`. */
export function nodeKind(dir: string): { kind: "array" | "group"; format: 2 | 3 } | null {
  if (existsSync(join(dir, ".zarray"))) return { kind: "array", format: 2 };
  if (existsSync(join(dir, ".zgroup"))) return { kind: "group", format: 2 };
  const v3 = join(dir, "zarr.json");
  if (existsSync(v3)) return { kind: readJson(v3).node_type === "group" ? "group" : "array", format: 3 };
  return null;
}

/** Names of the arrays below a group directory (recursively, as paths). */
export function listArrays(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  let entries: string[] = [];
  try { entries = readdirSync(dir).sort(); } catch { return out; }
  for (const e of entries) {
    if (e.startsWith(".") || e === "zarr.json") continue;
    const sub = join(dir, e);
    const kind = nodeKind(sub);
    if (kind?.kind === "array") out.push(prefix + e);
    else if (kind?.kind === "group") out.push(...listArrays(sub, `${prefix}${e}/`));
  }
  return out;
}

const codecName = (id: string): string => id.replace(/^numcodecs\./, "");

function checkCodec(name: string, where: string): void {
  if (registry.has(name) || registry.has(`numcodecs.${name}`)) return;
  const known = [...registry.keys()].filter((k) => !k.startsWith("numcodecs.")).join(", ");
  throw new UnsupportedFormatError(`${where}: codec '${name}' is not supported; supported codecs: ${known}`);
}

export function readArrayMeta(dir: string, where: string): ZarrArrayMeta {
  const kind = nodeKind(dir);
  if (kind === null || kind.kind !== "array") throw new IONotFoundError(`${where}: no Zarr array at ${dir}`);
  if (kind.format === 2) {
    const file = join(dir, ".zarray");
    const m = readJson(file);
    const attrsFile = join(dir, ".zattrs");
    const attrs = existsSync(attrsFile) ? readJson(attrsFile) : {};
    if (m.order !== undefined && m.order !== "C") throw new UnsupportedFormatError(`${where}: order '${String(m.order)}' is not supported (only C order)`);
    if (typeof m.dtype !== "string") throw new UnsupportedFormatError(`${where}: structured dtype ${JSON.stringify(m.dtype)} is not supported`);
    const codecs: string[] = [];
    for (const f of (m.filters as { id: string }[] | null) ?? []) codecs.push(codecName(f.id));
    const comp = m.compressor as { id: string } | null;
    if (comp) codecs.push(codecName(comp.id));
    for (const c of codecs) checkCodec(c, where);
    const dims = Array.isArray(attrs._ARRAY_DIMENSIONS) ? (attrs._ARRAY_DIMENSIONS as string[]) : null;
    return {
      format: 2, shape: m.shape as number[], chunks: m.chunks as number[], stored: fromNumpyTypestr(m.dtype, where).type,
      fillValue: m.fill_value, attrs, dims, codecs,
      keyEncoding: { prefix: "", separator: m.dimension_separator === "/" ? "/" : "." },
      stamp: `${statSync(file).mtimeMs}-${existsSync(attrsFile) ? statSync(attrsFile).mtimeMs : 0}`,
      raw: codecs.length === 0 && fromNumpyTypestr(m.dtype, where).littleEndian,
      blosc: codecs.length === 1 && codecs[0] === "blosc" && fromNumpyTypestr(m.dtype, where).littleEndian,
    };
  }
  const file = join(dir, "zarr.json");
  const m = readJson(file);
  const grid = m.chunk_grid as { name: string; configuration: { chunk_shape: number[] } };
  if (grid?.name !== "regular") throw new UnsupportedFormatError(`${where}: chunk grid '${grid?.name}' is not supported (only 'regular')`);
  if (typeof m.data_type !== "string") throw new UnsupportedFormatError(`${where}: data type ${JSON.stringify(m.data_type)} is not supported`);
  const codecs = ((m.codecs as { name: string; configuration?: { codecs?: { name: string }[] } }[]) ?? []).flatMap((c) =>
    c.name === "sharding_indexed" ? [c.name, ...(c.configuration?.codecs ?? []).map((x) => x.name)] : [c.name]);
  for (const c of codecs) if (c !== "sharding_indexed") checkCodec(c, where);
  const enc = m.chunk_key_encoding as { name: string; configuration?: { separator?: "." | "/" } } | undefined;
  const keyEncoding: ChunkKeyEncoding = enc?.name === "v2"
    ? { prefix: "", separator: enc.configuration?.separator ?? "." }
    : { prefix: "c", separator: enc?.configuration?.separator ?? "/" };
  const littleEndian = ((m.codecs as { configuration?: { endian?: string } }[])[0]?.configuration?.endian ?? "little") === "little";
  return {
    format: 3, shape: m.shape as number[], chunks: grid.configuration.chunk_shape, stored: fromNumpyTypestr(m.data_type, where).type,
    fillValue: m.fill_value, attrs: (m.attributes as Record<string, unknown>) ?? {},
    dims: Array.isArray(m.dimension_names) ? (m.dimension_names as string[]) : null, codecs, keyEncoding,
    stamp: `${statSync(file).mtimeMs}`,
    raw: codecs.length === 1 && codecs[0] === "bytes" && littleEndian,
    blosc: codecs.length === 2 && codecs[0] === "bytes" && codecs[1] === "blosc" && littleEndian,
  };
}

/** The store key of chunk `coords` (relative to the array), as a reader would look it up. */
export function chunkKey(enc: ChunkKeyEncoding, coords: readonly number[]): string {
  if (coords.length === 0) return enc.prefix === "" ? "0" : enc.prefix;
  const body = coords.join(enc.separator);
  return enc.prefix === "" ? body : `${enc.prefix}${enc.separator}${body}`;
}
