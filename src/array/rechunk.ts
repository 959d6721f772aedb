/**
 * rechunk. Graph shape: O(input blocks + output blocks) tasks, whatever the two chunkings.
 * - One task per output block (`rechunk`) copies its pieces in. Each piece is read through a range
 *   reference (../graph/range-ref.ts): a contiguous run of elements of one block, so a worker that
 *   lacks the block fetches only the piece's bytes from its holder (no task per piece; a piece of a
 *   local block is read in place).
 * - A piece that is not contiguous in its input block (a column range of a row-major tile) needs
 *   its block re-laid out first: one task per such input block (`rechunk-split`) packs all of the
 *   block's pieces one after another. Blocks whose pieces are all contiguous already (tiles → full
 *   rows, full columns → full rows) need none.
 * So swapping which axis is whole, n blocks → n blocks, is n assembling tasks (plus n splits when the
 *   pieces are column ranges), with n² range references in their arguments; every byte moves once.
 *   An assembling task holds one output block of pieces, so memory per task stays one block.
 * An output block that is one piece of one input block (alignment after a shifted slice) stays a
 * plain one-block cut, which fusion folds into its reader as a view.
 * Only when the pieces would be tiny (many small fetches) does the rechunk go through an intermediate
 * chunking (the geometric mean of both, per axis), as dask's plan_rechunk does.
 */
import { tokenName } from "../graph/keys.js";
import { rangeRef } from "../graph/range-ref.js";
import { blockKey, ref, type Arg, type Graph, type Key } from "../graph/spec.js";
import { blockIndices, normalizeChunks, offsets, sameChunks, type ChunkSpec } from "./chunks.js";
import { TArray, mergeLayers } from "./core.js";
import { itemSize } from "./dtype.js";
import { ARRAY_OPS } from "./ops-names.js";
import type { Box } from "./rechunk-ops.js";

interface AxisPiece { readonly block: number; readonly start: number; readonly dst: number; readonly count: number }

/** Per axis: for each output block, the input blocks it overlaps. */
function axisPieces(inp: readonly number[], out: readonly number[]): AxisPiece[][] {
  const io = offsets(inp);
  const res: AxisPiece[][] = [];
  let s = 0;
  let b = 0;
  for (const size of out) {
    const pieces: AxisPiece[] = [];
    const end = s + size;
    while (b < inp.length && io[b]! + inp[b]! <= s && inp[b]! > 0) b++;
    let bb = b;
    let pos = s;
    while (pos < end && bb < inp.length) {
      const bEnd = io[bb]! + inp[bb]!;
      const take = Math.min(end, bEnd) - pos;
      if (take > 0) pieces.push({ block: bb, start: pos - io[bb]!, dst: pos - s, count: take });
      pos += Math.max(take, 0);
      if (pos >= bEnd) bb++;
    }
    if (size === 0) pieces.push({ block: Math.min(b, inp.length - 1), start: 0, dst: 0, count: 0 });
    res.push(pieces);
    s = end;
  }
  return res;
}

/** Pieces a direct rechunk from `inp` to `out` chunks would copy. */
function pieceCount(inp: readonly (readonly number[])[], out: readonly (readonly number[])[]): number {
  return inp.reduce((acc, c, k) => acc * axisPieces(c, out[k]!).reduce((x, p) => x + p.length, 0), 1);
}

const blockCount = (chunks: readonly (readonly number[])[]): number => chunks.reduce((a, c) => a * c.length, 1);

/**
 * A direct rechunk with more pieces than this many times its blocks, and pieces smaller than
 * MIN_PIECE_BYTES on average, goes via an intermediate chunking (fewer, bigger fetches).
 */
const MAX_PIECES_PER_BLOCK = 4;
const MIN_PIECE_BYTES = 64 * 1024;

/** Regular chunks of about `size` over an axis of length n. */
function regular(n: number, size: number): number[] {
  if (n === 0) return [0];
  const b = Math.max(1, Math.min(n, Math.round(size)));
  const out: number[] = [];
  for (let s = 0; s < n; s += b) out.push(Math.min(b, n - s));
  return out;
}

const mean = (c: readonly number[]): number => c.reduce((a, b) => a + b, 0) / Math.max(1, c.length);

/**
 * The chunkings to go through, ending with `out`: an intermediate is inserted (recursively, on
 * both legs) where going straight there would fetch many tiny pieces and the intermediate at
 * least halves their number.
 */
export function planRechunk(shape: readonly number[], inp: readonly (readonly number[])[], out: readonly (readonly number[])[], itemsize = 8, depth = 0): number[][][] {
  const direct = pieceCount(inp, out);
  const last = [out.map((c) => [...c])];
  const bytes = shape.reduce((a, b) => a * b, itemsize);
  if (depth >= 3 || direct <= MAX_PIECES_PER_BLOCK * (blockCount(inp) + blockCount(out)) || bytes / Math.max(1, direct) >= MIN_PIECE_BYTES) return last;
  const mid = shape.map((n, k) => regular(n, Math.sqrt(mean(inp[k]!) * mean(out[k]!))));
  if (sameChunks(mid, inp) || sameChunks(mid, out)) return last;
  if (pieceCount(inp, mid) + pieceCount(mid, out) > direct / 2) return last;
  return [...planRechunk(shape, inp, mid, itemsize, depth + 1), ...planRechunk(shape, mid, out, itemsize, depth + 1)];
}

export function rechunk(a: TArray, spec: ChunkSpec): TArray {
  const chunks = normalizeChunks(spec, a.shape, a.dtype, "rechunk: chunks");
  if (sameChunks(chunks, a.chunks)) return a;
  let cur = a;
  for (const step of planRechunk(a.shape, a.chunks, chunks, itemSize(a.dtype))) cur = rechunkStep(cur, step);
  return cur;
}

/** Whether a box of a C-ordered block is one contiguous run of elements. */
export function contiguous(blockShape: readonly number[], count: readonly number[]): boolean {
  // Leading axes of one element, then any count on one axis, then whole axes.
  let k = 0;
  while (k < count.length && count[k] === 1) k++;
  for (let j = k + 1; j < count.length; j++) if (count[j] !== blockShape[j]) return false;
  return true;
}

/** One piece: the output block it fills, where in it, and which box of which input block. */
interface Piece { readonly out: number; readonly dst: number[]; readonly box: Box }

const size = (c: readonly number[]): number => c.reduce((a, b) => a * b, 1);

/** One rechunk step: a task per output block reading range pieces; a split per input block whose pieces are not contiguous. */
function rechunkStep(a: TArray, chunks: readonly (readonly number[])[]): TArray {
  const name = tokenName("rechunk", a.name, chunks);
  const split = tokenName("rechunk-split", a.name, chunks);
  const itemsize = itemSize(a.dtype);
  const per = a.chunks.map((c, k) => axisPieces(c, chunks[k]!));
  const inStrides = a.numblocks.map((_, k) => a.numblocks.slice(k + 1).reduce((x, y) => x * y, 1));
  const outIdx = [...blockIndices(chunks.map((c) => c.length))];
  // Pieces of each input block (by flat index), in output-block order.
  const byInput = new Map<number, Piece[]>();
  const layer: Graph = {};
  const single = new Set<number>();
  outIdx.forEach((idx, o) => {
    const lists = idx.map((b, k) => per[k]![b]!);
    if (lists.every((l) => l.length === 1)) {
      // One piece of one block (a shifted alignment, a slice): the plain cut that fusion folds into
      // its reader as a view of the block.
      const ps = lists.map((l) => l[0]!);
      const shape = idx.map((b, k) => chunks[k]![b]!);
      const cut = { src: ref(a.key(ps.map((p) => p.block))), start: ps.map((p) => p.start), step: ps.map(() => 1), dst: ps.map(() => 0), count: ps.map((p) => p.count) };
      layer[blockKey(name, idx)] = { op: ARRAY_OPS.assemble, args: [a.dtype, shape, shape, [cut]] };
      single.add(o);
      return;
    }
    for (const combo of blockIndices(lists.map((l) => l.length))) {
      const ps = combo.map((j, k) => lists[k]![j]!);
      if (ps.some((p) => p.count === 0)) continue;
      const flat = ps.reduce((acc, p, k) => acc + p.block * inStrides[k]!, 0);
      let list = byInput.get(flat);
      if (list === undefined) byInput.set(flat, (list = []));
      list.push({ out: o, dst: ps.map((p) => p.dst), box: { start: ps.map((p) => p.start), count: ps.map((p) => p.count) } });
    }
  });
  const outPieces: Arg[][] = outIdx.map(() => []);
  for (const [flat, pieces] of byInput) {
    const inIdx = a.numblocks.map((_, k) => Math.floor(flat / inStrides[k]!) % a.numblocks[k]!);
    const blockShape = inIdx.map((b, k) => a.chunks[k]![b]!);
    const bs = blockShape.map((_, k) => blockShape.slice(k + 1).reduce((x, y) => x * y, 1));
    let src: Key = a.key(inIdx);
    let packed = false;
    if (!pieces.every((p) => contiguous(blockShape, p.box.count))) {
      src = blockKey(split, inIdx);
      layer[src] = { op: ARRAY_OPS.rechunkSplit, args: [ref(a.key(inIdx)), pieces.map((p) => ({ start: p.box.start, count: p.box.count }))] };
      packed = true;
    }
    let at = 0;
    for (const p of pieces) {
      const n = size(p.box.count);
      const start = packed ? at : p.box.start.reduce((acc, s, k) => acc + s * bs[k]!, 0);
      at += n;
      outPieces[p.out]!.push({ src: rangeRef(src, start, n, itemsize), dst: p.dst, count: [...p.box.count] });
    }
  }
  outIdx.forEach((idx, o) => {
    if (single.has(o)) return;
    const shape = idx.map((b, k) => chunks[k]![b]!);
    layer[blockKey(name, idx)] = { op: ARRAY_OPS.rechunkAssemble, args: [a.dtype, shape, outPieces[o]!] };
  });
  return new TArray(mergeLayers([a], name, layer), name, chunks.map((c) => [...c]), a.dtype);
}
