/** rechunk: each output block is assembled from the pieces of the input blocks it overlaps. */
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

export function rechunk(a: TArray, spec: ChunkSpec): TArray {
  const chunks = normalizeChunks(spec, a.shape, a.dtype, "rechunk: chunks");
  if (sameChunks(chunks, a.chunks)) return a;
  const name = tokenName("rechunk", a.name, chunks);
  const per = a.chunks.map((c, k) => axisPieces(c, chunks[k]!));
  const layer: Graph = {};
  for (const idx of blockIndices(chunks.map((c) => c.length))) {
    const shape = idx.map((b, k) => chunks[k]![b]!);
    const lists = idx.map((b, k) => per[k]![b]!);
    const pieces: Arg[] = [];
    for (const combo of blockIndices(lists.map((l) => l.length))) {
      const ps = combo.map((j, k) => lists[k]![j]!);
      pieces.push({
        src: ref(a.key(ps.map((p) => p.block))),
        start: ps.map((p) => p.start),
        step: ps.map(() => 1),
        dst: ps.map((p) => p.dst),
        count: ps.map((p) => p.count),
      });
    }
    layer[blockKey(name, idx)] = { op: ARRAY_OPS.assemble, args: [a.dtype, shape, shape, pieces] };
  }
  return new TArray(mergeLayers([a], name, layer), name, chunks, a.dtype);
}
