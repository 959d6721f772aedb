/**
 * Indexing beyond basic slices: take (integer arrays), boolean masks (results of unknown chunk
 * sizes, NaN as in Dask, resolved by computeChunkSizes), nonzero / where(cond), the float
 * predicates, floorDivide and remainder.
 */
import { tokenName } from "../../graph/keys.js";
import { blockKey, ref, type Graph } from "../../graph/spec.js";
import { blockIndices, chunksFromBlockShapes, offsets } from "../chunks.js";
import { TArray, binary, where as where3, mergeLayers, type ComputeOptions, type Operand } from "../core.js";
import { isFloat, isInt } from "../dtype.js";
import { ArrayArgumentError, ArrayDTypeError, checkOptions, showValue } from "../errors.js";
import { getDefaultExecutor } from "../../graph/default-executor.js";
import { NDArray } from "../ndarray.js";
import { ARRAY_OPS } from "../ops-names.js";
import { rechunk } from "../rechunk.js";
import { applyArray } from "./apply.js";
import { normAxis, requireKnownChunks } from "./util.js";
import type { NDChunk } from "../fusion/ir.js";

export type IndexList = readonly number[] | ArrayLike<number> | NDArray;

function indexArray(ix: unknown, n: number, where: string): number[] {
  let list: number[];
  if (ix instanceof NDArray) {
    if (ix.ndim !== 1 || !isInt(ix.dtype)) throw new ArrayArgumentError(`${where}: indices must be a 1-d integer array, got ${ix.dtype} with shape [${ix.shape.join(", ")}]`);
    list = Array.from({ length: ix.size }, (_, i) => Number(ix.flat(i)));
  } else if (Array.isArray(ix) || (ArrayBuffer.isView(ix) && !(ix instanceof DataView))) {
    list = Array.from(ix as ArrayLike<number | bigint>, Number);
  } else {
    throw new ArrayArgumentError(`${where}: indices must be a list of integers, a typed array or a 1-d NDArray, got ${showValue(ix)}`);
  }
  return list.map((i) => {
    if (!Number.isInteger(i) || i < -n || i >= n) throw new ArrayArgumentError(`${where}: index ${showValue(i)} is out of bounds for an axis of length ${n}`);
    return i < 0 ? i + n : i;
  });
}

/** Gather positions `idx` (in range) along `axis` into an array with the given chunks along it. */
export function takeIndices(a: TArray, idx: readonly number[], axis: number, outAxisChunks: readonly number[], prefix: string): TArray {
  const starts = offsets(a.chunks[axis]!);
  const ends = starts.map((st, b) => st + a.chunks[axis]![b]!);
  // The first block ending after i (zero-size blocks end where they start, so they are skipped).
  const blockOf = (i: number): number => {
    let lo = 0, hi = ends.length - 1;
    while (lo < hi) { const m = (lo + hi) >> 1; if (ends[m]! <= i) lo = m + 1; else hi = m; }
    return lo;
  };
  const chunks = a.chunks.map((c, k) => (k === axis ? [...outAxisChunks] : [...c]));
  const outStarts = offsets(outAxisChunks);
  return applyArray({
    prefix, kernel: "take", params: { axis }, inputs: [a], chunks, dtype: a.dtype, token: [idx],
    block: (bidx) => {
      const j = bidx[axis]!;
      const mine = idx.slice(outStarts[j]!, outStarts[j]! + outAxisChunks[j]!);
      const srcBlocks = [...new Set(mine.map(blockOf))].sort((x, y) => x - y);
      if (srcBlocks.length === 0) srcBlocks.push(0);
      const src = mine.map((i) => srcBlocks.indexOf(blockOf(i)));
      const local = mine.map((i) => i - starts[blockOf(i)]!);
      return { keys: srcBlocks.map((b) => a.key(bidx.map((x, k) => (k === axis ? b : x)))), params: { src, local } };
    },
  });
}

/** numpy.take along an axis (the flattened array when omitted) with a 1-d list of indices. */
export function take(a: TArray, indices: IndexList, opts: { axis?: number | null } = {}): TArray {
  checkOptions(opts, ["axis"], "take");
  requireKnownChunks(a, "take");
  if (opts.axis === undefined || opts.axis === null) return take(a.reshape(a.size), indices, { axis: 0 });
  const axis = normAxis(opts.axis, a.ndim, "take");
  const idx = indexArray(indices, a.shape[axis]!, "take");
  const size = Math.max(1, a.chunksize[axis]!);
  const outChunks: number[] = [];
  for (let i = 0; i < idx.length; i += size) outChunks.push(Math.min(size, idx.length - i));
  if (outChunks.length === 0) outChunks.push(0);
  return takeIndices(a, idx, axis, outChunks, "take");
}

/**
 * a[mask]: a mask of a's shape gives the selected elements in C order (1-d); a 1-d mask along
 * axis 0 selects rows. A lazy mask gives unknown (NaN) chunk sizes along the result's first
 * axis; an in-memory mask (list, NDArray) is turned into indices, so sizes stay known.
 */
export function booleanIndex(a: TArray, mask: TArray | NDArray | readonly boolean[]): TArray {
  const where = "booleanIndex";
  requireKnownChunks(a, where);
  if (!(mask instanceof TArray)) {
    const nd = mask instanceof NDArray ? mask : null;
    const flat = nd ? Array.from({ length: nd.size }, (_, i) => nd.flat(i) !== false && nd.flat(i) !== 0) : [...(mask as readonly boolean[])];
    const shape = nd ? nd.shape : [flat.length];
    if (shape.length === 1 && shape[0] === a.shape[0] && a.ndim >= 1) return take(a, flat.flatMap((b, i) => (b ? [i] : [])), { axis: 0 });
    throw new ArrayArgumentError(`${where}: an in-memory mask must be 1-d along axis 0 (length ${a.shape[0]}); for a full mask pass a lazy array`);
  }
  requireKnownChunks(mask, where);
  if (mask.dtype !== "bool") throw new ArrayArgumentError(`${where}: the mask must be a bool array, got ${mask.dtype} (compare first, e.g. a.gt(0))`);
  const full = mask.ndim === a.ndim && mask.shape.every((n, k) => n === a.shape[k]);
  const rows = mask.ndim === 1 && a.ndim >= 1 && mask.shape[0] === a.shape[0];
  if (!full && !rows) {
    throw new ArrayArgumentError(`${where}: the mask's shape [${mask.shape.join(", ")}] must equal the array's [${a.shape.join(", ")}] or be [${a.shape[0]}] (rows)`);
  }
  if (a.ndim === 0) throw new ArrayArgumentError(`${where}: a 0-d array cannot be indexed by a mask`);
  let x = a;
  if (full) {
    // Whole rows per block, so that blocks in order are the elements in C order.
    const want = a.chunks.map((c, k) => (k === 0 ? c : [a.shape[k]!]));
    x = rechunk(a, want);
    const m = rechunk(mask, want);
    return applyArray({
      prefix: "getitem-mask", kernel: "maskSelect", params: { full: true }, inputs: [x, m],
      chunks: [x.chunks[0]!.map(() => NaN)], dtype: a.dtype,
      block: ([i]) => ({ keys: [x.key(x.chunks.map((_, k) => (k === 0 ? i! : 0))), m.key(x.chunks.map((_, k) => (k === 0 ? i! : 0)))] }),
    });
  }
  const m = rechunk(mask, [a.chunks[0]!]);
  return applyArray({
    prefix: "getitem-mask", kernel: "maskSelect", params: { full: false }, inputs: [a, m],
    chunks: a.chunks.map((c, k) => (k === 0 ? c.map(() => NaN) : [...c])), dtype: a.dtype,
    block: (idx) => ({ keys: [a.key(idx), m.key([idx[0]!])] }),
  });
}

/** The array with its chunk sizes known: runs a small task per block that reports its shape. */
export async function computeChunkSizes(a: TArray, opts: ComputeOptions = {}): Promise<TArray> {
  checkOptions(opts, ["executor", "optimize", "progress"], "computeChunkSizes");
  if (!a.chunks.some((c) => c.some((n) => Number.isNaN(n)))) return a;
  const name = tokenName("chunk-sizes", a.name);
  const layer: Graph = {};
  const idxs = blockIndices(a.numblocks);
  for (const idx of idxs) layer[blockKey(name, idx)] = { op: ARRAY_OPS.apply, args: ["blockShape", null, null, ref(a.key(idx))] };
  const layers = mergeLayers([a], name, layer);
  const g: Graph = {};
  for (const l of layers.values()) Object.assign(g, l);
  const keys = idxs.map((i) => blockKey(name, i));
  const ex = opts.executor ?? getDefaultExecutor();
  const shapes = (await ex.computeGraph(g, keys)) as NDChunk[];
  const chunks = chunksFromBlockShapes(a.numblocks, shapes.map((s) => ({ shape: Array.from(s.data as BigInt64Array, Number) })));
  return new TArray(a.layers, a.name, chunks, a.dtype);
}

/** Indices of the nonzero elements, one int64 array per axis (C order; unknown chunk sizes). */
export function nonzero(a: TArray): TArray[] {
  requireKnownChunks(a, "nonzero");
  if (a.ndim === 0) throw new ArrayArgumentError("nonzero: a 0-d array has no axes to index; use a.reshape(1)");
  const x = rechunk(a, a.chunks.map((c, k) => (k === 0 ? c : [a.shape[k]!])));
  const starts = offsets(x.chunks[0]!);
  return a.shape.map((_, axis) => applyArray({
    prefix: "nonzero", kernel: "nonzero", params: { axis }, inputs: [x], chunks: [x.chunks[0]!.map(() => NaN)], dtype: "int64",
    block: ([i]) => ({ keys: [x.key(x.chunks.map((_, k) => (k === 0 ? i! : 0)))], params: { offset: x.shape.map((_, k) => (k === 0 ? starts[i!]! : 0)) } }),
  }));
}

/** where(cond) = nonzero(cond); where(cond, x, y) chooses elementwise. */
export function where(cond: Operand): TArray[];
export function where(cond: Operand, x: Operand, y: Operand): TArray;
export function where(cond: Operand, ...xy: Operand[]): TArray | TArray[] {
  if (xy.length === 0) {
    if (!(cond instanceof TArray)) throw new ArrayArgumentError("where: with one argument, cond must be an array");
    return nonzero(cond);
  }
  if (xy.length !== 2) throw new ArrayArgumentError(`where: give cond alone, or cond, x and y (got ${xy.length + 1} arguments)`);
  return where3(cond, xy[0]!, xy[1]!);
}

export const isnan = (a: TArray): TArray => binary("ne", a, a);
export const isinf = (a: TArray): TArray => (isFloat(a.dtype) ? binary("eq", a.abs(), Infinity) : binary("ne", a, a));
export const isfinite = (a: TArray): TArray => (isFloat(a.dtype) ? binary("eq", binary("sub", a, a), 0) : binary("eq", a, a));

/** a // b: floor of the quotient; integer division by zero gives 0, as in NumPy. */
export function floorDivide(a: Operand, b: Operand): TArray {
  const common = binary("add", a, b).dtype;
  if (common === "bool") throw new ArrayDTypeError("floorDivide: booleans are not supported; astype('int32') first");
  const q = binary("div", a, b).floor();
  return isInt(common) ? q.astype(common) : q;
}

/** a % b with the sign of b (NumPy's remainder / Python's %). */
export const remainder = (a: Operand, b: Operand): TArray => binary("mod", a, b);
