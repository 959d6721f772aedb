/**
 * Compressors toZarr can write, as Zarr v2 `compressor` and v3 `codecs` metadata. The default is
 * what Python's zarr writes: Blosc with LZ4, level 5, byte shuffle.
 */
import { itemSize, type DType } from "../dtype.js";
import { IOOptionsError } from "./errors.js";

export type CompressorSpec =
  | null
  | "blosc" | "lz4" | "zstd" | "gzip"
  | { readonly id: "blosc"; readonly cname?: "lz4" | "lz4hc" | "zstd" | "zlib" | "blosclz"; readonly clevel?: number; readonly shuffle?: 0 | 1 | 2 }
  | { readonly id: "zstd"; readonly level?: number }
  | { readonly id: "gzip"; readonly level?: number }
  | { readonly id: "lz4"; readonly acceleration?: number };

interface V2Compressor { readonly id: string; readonly [k: string]: unknown }

export function v2Compressor(spec: CompressorSpec | undefined): V2Compressor | null {
  const s = spec === undefined ? "blosc" : spec;
  if (s === null) return null;
  const obj = typeof s === "string" ? { id: s } : s;
  switch (obj.id) {
    case "blosc": {
      const o = obj as { cname?: string; clevel?: number; shuffle?: number };
      return { id: "blosc", cname: o.cname ?? "lz4", clevel: o.clevel ?? 5, shuffle: o.shuffle ?? 1, blocksize: 0 };
    }
    case "zstd": return { id: "zstd", level: (obj as { level?: number }).level ?? 1 };
    case "gzip": return { id: "gzip", level: (obj as { level?: number }).level ?? 1 };
    case "lz4": return { id: "lz4", acceleration: (obj as { acceleration?: number }).acceleration ?? 1 };
    default:
      throw new IOOptionsError(`toZarr: unknown compressor ${JSON.stringify(s)}; use null (none), 'blosc' (LZ4, the default), 'zstd', 'gzip', 'lz4' or {id, ...options}`);
  }
}

/** v3 `codecs` for a v2-style compressor (bytes codec first). */
export function v3Codecs(c: V2Compressor | null, dtype: DType): unknown[] {
  const codecs: unknown[] = [{ name: "bytes", configuration: { endian: "little" } }];
  if (c === null) return codecs;
  if (c.id === "blosc") {
    const shuffle = ["noshuffle", "shuffle", "bitshuffle"][c.shuffle as number] ?? "shuffle";
    codecs.push({ name: "blosc", configuration: { cname: c.cname, clevel: c.clevel, shuffle, typesize: itemSize(dtype), blocksize: 0 } });
  } else if (c.id === "zstd") codecs.push({ name: "zstd", configuration: { level: c.level, checksum: false } });
  else if (c.id === "gzip") codecs.push({ name: "gzip", configuration: { level: c.level } });
  else throw new IOOptionsError(`toZarr: compressor '${c.id}' has no Zarr v3 codec; use 'blosc', 'zstd', 'gzip' or null with zarrFormat 3`);
  return codecs;
}
