/**
 * mapOverlap(fn, a, {depth, boundary}): each block is given to fn with `depth` neighbouring
 * elements on each side (from the neighbours, or from the boundary rule at the array's edges),
 * and the result is trimmed back to the block. boundary: 'reflect' (mirror including the edge,
 * dask's 'reflect' = numpy's 'symmetric'), 'periodic', 'nearest', 'none' (no halo at the edges),
 * or a number (constant).
 */
import { tokenName } from "../../graph/keys.js";
import { blockKey, ref, type Arg, type Graph } from "../../graph/spec.js";
import { blockIndices, offsets } from "../chunks.js";
import { TArray, mergeLayers } from "../core.js";
import { checkDType, type DType } from "../dtype.js";
import { ArrayArgumentError, checkOptions, showValue } from "../errors.js";
import { ARRAY_OPS } from "../ops-names.js";
import type { MapBlocksMeta } from "./kernels/map-blocks-run.js";
import { describeBlockFunction, type BlockFunction } from "./map-blocks.js";
import { pad } from "./shaping.js";
import { normAxis, requireKnownChunks } from "./util.js";

export type Boundary = "reflect" | "periodic" | "nearest" | "none" | number;

export interface MapOverlapOptions {
  /** Halo width: one for all axes, or per axis ({0: 2, 1: 0} or [2, 0]). */
  readonly depth: number | readonly number[] | Readonly<Record<number, number>>;
  readonly boundary?: Boundary;
  readonly dtype?: DType;
}

/** Pieces (block, start within it, count, destination) of the range [lo, hi) of an axis with these chunks. */
function rangePieces(chunks: readonly number[], lo: number, hi: number): { block: number; start: number; count: number; dst: number }[] {
  const starts = offsets(chunks);
  const out: { block: number; start: number; count: number; dst: number }[] = [];
  chunks.forEach((n, b) => {
    const s = Math.max(lo, starts[b]!), e = Math.min(hi, starts[b]! + n);
    if (e > s) out.push({ block: b, start: s - starts[b]!, count: e - s, dst: s - lo });
  });
  return out;
}

export function mapOverlap(fn: BlockFunction, a: TArray, opts: MapOverlapOptions): TArray {
  const where = "mapOverlap";
  checkOptions(opts, ["depth", "boundary", "dtype"], where);
  requireKnownChunks(a, where);
  const desc = describeBlockFunction(fn, where);
  const depth = a.shape.map(() => 0);
  const d = opts.depth;
  if (typeof d === "number") depth.fill(d);
  else if (Array.isArray(d)) d.forEach((v, k) => { depth[k] = v; });
  else if (typeof d === "object" && d !== null) for (const [k, v] of Object.entries(d)) depth[normAxis(Number(k), a.ndim, where)] = v as number;
  else throw new ArrayArgumentError(`${where}: depth must be a number, a list or {axis: depth}, got ${showValue(d)}`);
  if (depth.length !== a.ndim || depth.some((v) => !Number.isInteger(v) || v < 0)) throw new ArrayArgumentError(`${where}: depth ${showValue(d)} must be non-negative integers, one per axis`);
  const boundary = opts.boundary ?? "reflect";
  const dtype = checkDType(opts.dtype ?? a.dtype, `${where}: dtype`);
  let src = a;
  const none = boundary === "none";
  if (!none) {
    const mode = boundary === "reflect" ? "symmetric" : boundary === "periodic" ? "wrap" : boundary === "nearest" ? "edge" : typeof boundary === "number" ? "constant" : null;
    if (mode === null) throw new ArrayArgumentError(`${where}: boundary ${showValue(boundary)} must be 'reflect', 'periodic', 'nearest', 'none' or a number`);
    src = pad(a, depth.map((v) => [v, v] as [number, number]), mode === "constant" ? { mode, constantValues: boundary as number } : { mode });
  }
  const starts = a.chunks.map((c) => offsets(c));
  const name = tokenName(where, desc as unknown as Arg, a.name, depth, String(boundary), dtype);
  const mapName = `${name}-map`;
  const layer: Graph = {};
  for (const idx of blockIndices(a.numblocks)) {
    // The block's extended range in `src` coordinates, and how much to trim afterwards.
    const ranges = idx.map((b, k) => {
      const s = starts[k]![b]!, e = s + a.chunks[k]![b]!, n = a.shape[k]!;
      if (none) { const lo = Math.max(0, s - depth[k]!), hi = Math.min(n, e + depth[k]!); return { lo, hi, trim: s - lo }; }
      return { lo: s, hi: e + 2 * depth[k]!, trim: depth[k]! };
    });
    const ext = ranges.map((r) => r.hi - r.lo);
    const per = ranges.map((r, k) => rangePieces(src.chunks[k]!, r.lo, r.hi));
    const pieces: Arg[] = [];
    for (const combo of blockIndices(per.map((p) => p.length))) {
      const ps = combo.map((j, k) => per[k]![j]!);
      pieces.push({ src: ref(src.key(ps.map((p) => p.block))), start: ps.map((p) => p.start), step: ps.map(() => 1), dst: ps.map((p) => p.dst), count: ps.map((p) => p.count) });
    }
    const extKey = blockKey(`${name}-ext`, idx);
    layer[extKey] = { op: ARRAY_OPS.assemble, args: [a.dtype, ext, ext, pieces] };
    const meta: MapBlocksMeta = { where: `${where} (${name})`, blockIndex: idx, shape: ext, dtype, info: { depth, offset: idx.map((b, k) => starts[k]![b]! - ranges[k]!.trim) } };
    const mapKey = blockKey(mapName, idx);
    layer[mapKey] = { op: ARRAY_OPS.mapBlocks, args: [desc as unknown as Arg, meta as unknown as Arg, ref(extKey)] };
    const own = idx.map((b, k) => a.chunks[k]![b]!);
    layer[blockKey(name, idx)] = {
      op: ARRAY_OPS.assemble,
      args: [dtype, own, own, [{ src: ref(mapKey), start: ranges.map((r) => r.trim), step: own.map(() => 1), dst: own.map(() => 0), count: own }]],
    };
  }
  return new TArray(mergeLayers([src], name, layer), name, a.chunks, dtype);
}
