/**
 * Chunk specifications, normalised like dask's `normalize_chunks`: the result is, per axis, the
 * list of block sizes (summing to the axis length).
 *
 * Accepted forms: a number (that block size on every axis; -1 = whole axis); one entry per axis,
 * each a number, -1/null (whole axis), 'auto', or an explicit list of block sizes; 'auto'
 * (aim for DEFAULT_CHUNK_BYTES per chunk); a byte size such as '200MB' (aim for that).
 */
import { ArrayArgumentError } from "./errors.js";
import { showValue } from "../util/options.js";
import { parseBytes } from "../util/sizes.js";
import { itemSize, type DType } from "./dtype.js";
import type { ChunkInfo } from "./fusion/ir.js";

export type Chunks = readonly (readonly number[])[];
export type AxisChunkSpec = number | null | "auto" | readonly number[];
export type ChunkSpec = number | string | readonly AxisChunkSpec[];

/** dask's array.chunk-size default: 128 MiB per chunk when chunks are 'auto'. */
export const DEFAULT_CHUNK_BYTES = 128 * 2 ** 20;

export function checkShape(shape: unknown, what = "shape"): number[] {
  const s = typeof shape === "number" ? [shape] : shape;
  if (!Array.isArray(s)) throw new ArrayArgumentError(`${what}: expected a number or an array of numbers, got ${showValue(shape)}`);
  return s.map((n, i) => {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
      throw new ArrayArgumentError(`${what}[${i}]: ${showValue(n)} is not a non-negative integer`);
    }
    return n;
  });
}

function regular(size: number, block: number): number[] {
  if (size === 0) return [0];
  const out: number[] = [];
  for (let s = 0; s < size; s += block) out.push(Math.min(block, size - s));
  return out;
}

/** Sizes for 'auto' axes so that one chunk holds about `limitBytes` (dask's auto_chunks, simplified). */
function autoSizes(shape: readonly number[], fixed: readonly (number | undefined)[], limitBytes: number, dtype: DType): number[] {
  const out = shape.map((n, i) => fixed[i] ?? n);
  let autoAxes = shape.map((_, i) => i).filter((i) => fixed[i] === undefined);
  let budget = limitBytes / itemSize(dtype);
  for (let i = 0; i < shape.length; i++) if (fixed[i] !== undefined) budget /= Math.max(1, fixed[i]!);
  // Axes shorter than their share take the whole axis; the rest share what remains equally.
  for (;;) {
    const share = Math.pow(Math.max(1, budget), 1 / Math.max(1, autoAxes.length));
    const small = autoAxes.filter((i) => shape[i]! <= share);
    if (small.length === 0) {
      for (const i of autoAxes) out[i] = Math.max(1, Math.min(shape[i]!, Math.floor(share)));
      return out;
    }
    for (const i of small) {
      out[i] = shape[i]!;
      budget /= Math.max(1, shape[i]!);
    }
    autoAxes = autoAxes.filter((i) => !small.includes(i));
    if (autoAxes.length === 0) return out;
  }
}

export function normalizeChunks(spec: ChunkSpec | undefined, shape: readonly number[], dtype: DType, what = "chunks"): number[][] {
  const nd = shape.length;
  if (spec === undefined || spec === "auto") return normalizeChunks(shape.map(() => "auto" as const), shape, dtype, what);
  if (typeof spec === "string") {
    let limit: number;
    try {
      limit = parseBytes(spec, what);
    } catch (e) {
      throw new ArrayArgumentError(`${what}: '${spec}' is neither 'auto' nor a byte size like '200MB' (${(e as Error).message})`);
    }
    if (limit <= 0) throw new ArrayArgumentError(`${what}: '${spec}' must be a positive byte size`);
    const sizes = autoSizes(shape, shape.map(() => undefined), limit, dtype);
    return shape.map((n, i) => regular(n, sizes[i]!));
  }
  if (typeof spec === "number") return normalizeChunks(shape.map(() => spec), shape, dtype, what);
  if (!Array.isArray(spec)) throw new ArrayArgumentError(`${what}: expected a number, 'auto', a byte size or one entry per axis, got ${showValue(spec)}`);
  if (spec.length !== nd) {
    throw new ArrayArgumentError(`${what}: ${showValue(spec)} has ${spec.length} entries but the shape [${shape.join(", ")}] has ${nd} axes`);
  }
  const fixed: (number | undefined)[] = [];
  const explicit: (number[] | undefined)[] = [];
  let anyAuto = false;
  spec.forEach((c: AxisChunkSpec, i: number) => {
    const n = shape[i]!;
    if (c === null || c === -1) fixed.push(n);
    else if (c === "auto") { fixed.push(undefined); anyAuto = true; }
    else if (typeof c === "number") {
      if (!Number.isInteger(c) || c <= 0) {
        throw new ArrayArgumentError(`${what}[${i}]: ${c} is not a positive integer block size (use -1 for the whole axis)`);
      }
      fixed.push(Math.min(c, Math.max(n, 1)));
    } else if (Array.isArray(c)) {
      for (const b of c) {
        if (typeof b !== "number" || !Number.isInteger(b) || b < 0) {
          throw new ArrayArgumentError(`${what}[${i}]: block size ${showValue(b)} is not a non-negative integer`);
        }
      }
      const sum = c.reduce((a: number, b: number) => a + b, 0);
      if (sum !== n) throw new ArrayArgumentError(`${what}[${i}]: blocks [${c.join(", ")}] sum to ${sum}, but axis ${i} has length ${n}`);
      explicit[i] = c.length === 0 ? [0] : [...c];
      fixed.push(Math.max(1, ...c));
    } else {
      throw new ArrayArgumentError(`${what}[${i}]: ${showValue(c)} is not a block size, -1, 'auto' or a list of block sizes`);
    }
  });
  const sizes = anyAuto ? autoSizes(shape, fixed, DEFAULT_CHUNK_BYTES, dtype) : fixed.map((f) => f!);
  return shape.map((n, i) => explicit[i] ?? regular(n, sizes[i]!));
}

export function shapeOfChunks(chunks: Chunks): number[] {
  return chunks.map((c) => c.reduce((a, b) => a + b, 0));
}

/** Start offsets of the blocks of one axis. */
export function offsets(axis: readonly number[]): number[] {
  const out: number[] = [];
  let s = 0;
  for (const b of axis) { out.push(s); s += b; }
  return out;
}

/** Every block index of a block grid, in C order. */
export function blockIndices(numBlocks: readonly number[]): number[][] {
  const total = numBlocks.reduce((a, b) => a * b, 1);
  const out: number[][] = [];
  const idx = numBlocks.map(() => 0);
  for (let t = 0; t < total; t++) {
    out.push([...idx]);
    for (let k = numBlocks.length - 1; k >= 0; k--) {
      if (++idx[k]! < numBlocks[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** Common refinement of two chunkings of the same axis (all boundaries of both). */
export function refine(a: readonly number[], b: readonly number[]): number[] {
  const bounds = new Set<number>();
  let s = 0;
  for (const x of a) { s += x; bounds.add(s); }
  s = 0;
  for (const x of b) { s += x; bounds.add(s); }
  const sorted = [...bounds].sort((x, y) => x - y);
  const out: number[] = [];
  let prev = 0;
  for (const x of sorted) { if (x > prev) out.push(x - prev); prev = x; }
  return out.length === 0 ? [0] : out;
}

export function sameChunks(a: Chunks, b: Chunks): boolean {
  return a.length === b.length && a.every((c, i) => c.length === b[i]!.length && c.every((x, j) => x === b[i]![j]));
}

/** ChunkInfo of each block of a chunking (block offsets computed once). */
export function chunkInfos(chunks: Chunks, globalShape: readonly number[]): (index: readonly number[]) => ChunkInfo {
  const offs = chunks.map((c) => offsets(c));
  const gs = [...globalShape];
  return (index) => ({
    shape: index.map((b, k) => chunks[k]![b]!),
    offset: index.map((b, k) => offs[k]![b]!),
    globalShape: gs,
  });
}

/** Whether some block size is unknown (NaN: after boolean indexing, until computeChunkSizes). */
export function hasUnknownChunks(chunks: Chunks): boolean {
  return chunks.some((c) => c.some((n) => Number.isNaN(n)));
}

/** Chunks read off computed blocks (C order of the grid), for arrays whose sizes were unknown. */
export function chunksFromBlockShapes(numblocks: readonly number[], blocks: readonly unknown[]): number[][] {
  // Block (0, …, b, …, 0) sits at flat position b · (product of the later axes' block counts).
  return numblocks.map((nb, k) => {
    const stride = numblocks.slice(k + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: nb }, (_, b) => (blocks[b * stride] as { shape: readonly number[] }).shape[k]!);
  });
}
