/**
 * Block chunking of arrays backed by storage chunks. Reads default to blocks made of whole storage
 * chunks (several per block, about DEFAULT_CHUNK_BYTES each); explicit chunks are taken as given.
 * Writes need every block boundary on a storage chunk boundary: two tasks writing parts of one
 * stored chunk would overwrite each other.
 */
import { DEFAULT_CHUNK_BYTES, normalizeChunks, offsets, type ChunkSpec, type Chunks } from "../chunks.js";
import { itemSize, type DType } from "../dtype.js";
import { ChunkAlignmentError } from "./errors.js";

function regular(n: number, b: number): number[] {
  if (n === 0) return [0];
  const out: number[] = [];
  for (let s = 0; s < n; s += b) out.push(Math.min(b, n - s));
  return out;
}

/** Block chunks for reading an array of `shape` stored in `storage` chunks (null: contiguous). */
export function readChunks(spec: ChunkSpec | undefined, shape: readonly number[], dtype: DType, storage: readonly number[] | null, what: string): number[][] {
  if (spec !== undefined && spec !== "auto") return normalizeChunks(spec, shape, dtype, what);
  if (storage === null) return normalizeChunks("auto", shape, dtype, what);
  // Grow whole storage chunks into blocks: inner axes first to the whole axis (contiguous reads),
  // then outer axes, while the block stays within the byte target.
  const block = storage.map((c, k) => Math.min(Math.max(1, c), Math.max(1, shape[k]!)));
  const bytes = (): number => block.reduce((a, b) => a * b, itemSize(dtype));
  for (let k = shape.length - 1; k >= 0; k--) {
    const per = Math.max(1, storage[k]!);
    const n = shape[k]!;
    while (block[k]! < n) {
      const next = Math.min(n, block[k]! + per);
      const grown = (bytes() / block[k]!) * next;
      if (grown > DEFAULT_CHUNK_BYTES) break;
      block[k] = next;
    }
    if (block[k]! < n) break;
  }
  return shape.map((n, k) => regular(n, block[k]!));
}

/** Throws ChunkAlignmentError naming the axis when a block boundary splits a storage chunk. */
export function checkWriteAlignment(chunks: Chunks, storage: readonly number[], where: string): void {
  chunks.forEach((axis, k) => {
    const c = storage[k]!;
    const offs = offsets(axis).slice(1);
    const bad = offs.find((o) => o % c !== 0);
    if (bad !== undefined) {
      const suggestion = axis.length > 1 ? Math.max(c, Math.round(axis[0]! / c) * c) : c;
      throw new ChunkAlignmentError(
        `${where}: blocks along axis ${k} (sizes [${axis.join(", ")}]) would share storage chunks of size ${c} ` +
          `(a block boundary at ${bad} is not a multiple of ${c}), and parallel writers would overwrite each other; ` +
          `rechunk first, e.g. x.rechunk(${JSON.stringify(storage.map((s, i) => (i === k ? suggestion : s)))}), or pass storage chunks that divide the blocks`);
    }
  });
}

/** Default storage chunks for writing: each axis's first block size (blocks must be regular). */
export function storageChunksFor(chunks: Chunks): number[] {
  return chunks.map((axis) => Math.max(1, axis[0]!));
}
