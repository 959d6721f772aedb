/**
 * rechunk. Graph shape (what travels, how many tasks):
 * - Each output block is assembled from the pieces of the input blocks it overlaps. A piece that
 *   is only part of its input block is cut in a task of its own that depends on that one block
 *   (`rechunk-split`), so only the piece's bytes move to the assembling task's worker; a piece
 *   that is a whole input block is read as is. An output block that is one piece is that cut.
 * - When going straight from the input to the output chunks would need far more pieces than
 *   blocks (swapping which axis is whole: every output block overlaps every input block), the
 *   rechunk goes through an intermediate chunking whose blocks are, per axis, the geometric mean
 *   of the input and output block sizes, where that at least halves the pieces (dask's rechunk
 *   plans intermediates for the same reason): a swap of n blocks takes O(n^1.5) small tasks
 *   instead of n^2. Every task holds at most about one block's worth of pieces, whatever the
 *   array's size, so no worker needs more than a few blocks of memory at a time.
 */
import { tokenName } from "../graph/keys.js";
import { blockKey, ref, type Arg, type Graph } from "../graph/spec.js";
import { blockIndices, normalizeChunks, offsets, sameChunks, type ChunkSpec } from "./chunks.js";
import { TArray, mergeLayers } from "./core.js";
import { ARRAY_OPS } from "./ops-names.js";

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

/** A direct rechunk with more pieces than this many times its blocks may go via an intermediate. */
const MAX_PIECES_PER_BLOCK = 4;

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
 * both legs) where it at least halves the pieces of going straight there.
 */
export function planRechunk(shape: readonly number[], inp: readonly (readonly number[])[], out: readonly (readonly number[])[], depth = 0): number[][][] {
  const direct = pieceCount(inp, out);
  const last = [out.map((c) => [...c])];
  if (depth >= 3 || direct <= MAX_PIECES_PER_BLOCK * (blockCount(inp) + blockCount(out))) return last;
  const mid = shape.map((n, k) => regular(n, Math.sqrt(mean(inp[k]!) * mean(out[k]!))));
  if (sameChunks(mid, inp) || sameChunks(mid, out)) return last;
  if (pieceCount(inp, mid) + pieceCount(mid, out) > direct / 2) return last;
  return [...planRechunk(shape, inp, mid, depth + 1), ...planRechunk(shape, mid, out, depth + 1)];
}

export function rechunk(a: TArray, spec: ChunkSpec): TArray {
  const chunks = normalizeChunks(spec, a.shape, a.dtype, "rechunk: chunks");
  if (sameChunks(chunks, a.chunks)) return a;
  let cur = a;
  for (const step of planRechunk(a.shape, a.chunks, chunks)) cur = rechunkDirect(cur, step);
  return cur;
}

/** One rechunk step: output blocks assembled from pieces, partial pieces cut from one block each. */
function rechunkDirect(a: TArray, chunks: readonly (readonly number[])[]): TArray {
  const name = tokenName("rechunk", a.name, chunks);
  const split = tokenName("rechunk-split", a.name, chunks);
  const per = a.chunks.map((c, k) => axisPieces(c, chunks[k]!));
  const layer: Graph = {};
  const ones = chunks.map(() => 1);
  const zeros = chunks.map(() => 0);
  for (const idx of blockIndices(chunks.map((c) => c.length))) {
    const shape = idx.map((b, k) => chunks[k]![b]!);
    const lists = idx.map((b, k) => per[k]![b]!);
    const combos = [...blockIndices(lists.map((l) => l.length))];
    const cut = (ps: readonly AxisPiece[]): Arg => ({
      src: ref(a.key(ps.map((p) => p.block))), start: ps.map((p) => p.start), step: ones, dst: zeros, count: ps.map((p) => p.count),
    });
    if (combos.length === 1) {
      layer[blockKey(name, idx)] = { op: ARRAY_OPS.assemble, args: [a.dtype, shape, shape, [cut(combos[0]!.map((j, k) => lists[k]![j]!))]] };
      continue;
    }
    const pieces: Arg[] = [];
    for (const combo of combos) {
      const ps = combo.map((j, k) => lists[k]![j]!);
      const inBlock = ps.map((p) => p.block);
      const whole = ps.every((p, k) => p.start === 0 && p.count === a.chunks[k]![p.block]!);
      let src: Arg;
      if (whole) src = ref(a.key(inBlock));
      else {
        const key = blockKey(split, [...idx, ...inBlock]);
        layer[key] = { op: ARRAY_OPS.assemble, args: [a.dtype, ps.map((p) => p.count), ps.map((p) => p.count), [cut(ps)]] };
        src = ref(key);
      }
      pieces.push({ src, start: zeros, step: ones, dst: ps.map((p) => p.dst), count: ps.map((p) => p.count) });
    }
    layer[blockKey(name, idx)] = { op: ARRAY_OPS.assemble, args: [a.dtype, shape, shape, pieces] };
  }
  return new TArray(mergeLayers([a], name, layer), name, chunks.map((c) => [...c]), a.dtype);
}
