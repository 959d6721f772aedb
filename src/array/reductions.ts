/**
 * Tree reductions, as dask's `reduction`: a chunk step per block (a chunk program, so the
 * optimiser fuses it with the producers), combine steps merging up to `splitEvery` partials
 * along the reduced axes, and one aggregate step per output block. mean/var/std carry
 * (sum, count[, M2]) partials in float64.
 */
import { tokenName } from "../graph/keys.js";
import { blockKey, ref, type Arg, type Graph, type Key } from "../graph/spec.js";
import { blockIndices, chunkInfos } from "./chunks.js";
import { TArray, astype, mergeLayers } from "./core.js";
import { rechunk } from "./rechunk.js";
import { ArrayArgumentError } from "./errors.js";
import { checkDType, isFloat, type DType } from "./dtype.js";
import type { ChunkProgram, ProgramNode, ReduceFn } from "./fusion/ir.js";
import { ARRAY_OPS } from "./ops-names.js";
import { checkOptions, showValue } from "../util/options.js";

export interface ReduceOptions {
  /** Axes to reduce (negative counts from the end); all when omitted or null. */
  readonly axis?: number | readonly number[] | null;
  readonly keepdims?: boolean;
  /** Fan-in of the tree: a total (spread over the reduced axes, as dask does) or per axis. Default 16. */
  readonly splitEvery?: number | Readonly<Record<number, number>>;
  /** Result dtype (sum, prod, mean, var, std). */
  readonly dtype?: DType;
}
export interface VarOptions extends ReduceOptions {
  /** Delta degrees of freedom: divide by count - ddof (default 0). */
  readonly ddof?: number;
}

export type ReductionName = ReduceFn | "mean" | "var" | "std";

export const DEFAULT_SPLIT_EVERY = 16;

export function normalizeAxes(axis: ReduceOptions["axis"], nd: number, what: string): number[] {
  if (axis === undefined || axis === null) return [...Array(nd).keys()];
  const list = typeof axis === "number" ? [axis] : axis;
  if (!Array.isArray(list)) throw new ArrayArgumentError(`${what}: axis must be a number, a list of numbers or null, got ${showValue(axis)}`);
  const out = list.map((x: unknown) => {
    if (typeof x !== "number" || !Number.isInteger(x) || x < -nd || x >= nd) {
      throw new ArrayArgumentError(`${what}: axis ${showValue(x)} is out of range for an array with ${nd} axes (use -${nd}..${nd - 1})`);
    }
    return x < 0 ? x + nd : x;
  });
  if (new Set(out).size !== out.length) throw new ArrayArgumentError(`${what}: axis ${showValue(axis)} repeats an axis`);
  return out.sort((x, y) => x - y);
}

const DTYPE_KINDS: ReadonlySet<ReductionName> = new Set(["sum", "prod", "mean", "var", "std"]);

function resultDType(kind: ReductionName, d: DType, override: DType | undefined): DType {
  if (override !== undefined) {
    if (!DTYPE_KINDS.has(kind)) throw new ArrayArgumentError(`${kind}: the dtype option applies to sum, prod, mean, var and std only; use .astype() on the result`);
    return checkDType(override, `${kind}: dtype`);
  }
  switch (kind) {
    case "sum": case "prod": return isFloat(d) ? d : "int64";
    case "min": case "max": return d;
    case "any": case "all": return "bool";
    case "count_nonzero": return "int64";
    case "mean": case "var": case "std": return d === "float32" ? "float32" : "float64";
  }
}

function splitPerAxis(split: ReduceOptions["splitEvery"], axes: readonly number[], numblocks: readonly number[]): Map<number, number> {
  const m = new Map<number, number>();
  const multi = axes.filter((k) => numblocks[k]! > 1);
  for (const k of axes) {
    let s: number;
    if (split === undefined || typeof split === "number") {
      const total = split ?? DEFAULT_SPLIT_EVERY;
      if (!Number.isInteger(total) || total < 2) throw new ArrayArgumentError(`splitEvery: ${total} must be an integer >= 2`);
      s = Math.max(2, Math.floor(Math.pow(total, 1 / Math.max(1, multi.length)) + 1e-9));
    } else {
      s = split[k] ?? numblocks[k]!;
      if (!Number.isInteger(s) || s < 2) s = Math.max(2, numblocks[k]!);
    }
    m.set(k, s);
  }
  return m;
}

/**
 * The chunk step. mean: [sum]; var/std: [sum, M2] with M2 around the block's own mean (its
 * element count `count` is known from the block shape, so it is a constant, and the combine
 * steps carry it as the partials' count).
 */
function chunkProgram(kind: ReductionName, dtype: DType, axes: readonly number[], partialDtype: DType, count: number): ChunkProgram {
  const nodes: ProgramNode[] = [{ op: "in", slot: 0, dtype }];
  if (kind !== "mean" && kind !== "var" && kind !== "std") {
    nodes.push({ op: "reduce", fn: kind, axes, x: 0, dtype: partialDtype });
    return { nodes, outputs: [1] };
  }
  let x = 0;
  if (dtype !== "float64") { nodes.push({ op: "cast", x: 0, dtype: "float64" }); x = 1; }
  const s = nodes.push({ op: "reduce", fn: "sum", axes, x, dtype: "float64" }) - 1;
  if (kind === "mean") return { nodes, outputs: [s] };
  const c = nodes.push({ op: "const", value: count, dtype: "float64" }) - 1;
  const m = nodes.push({ op: "binary", fn: "div", x: s, y: c, dtype: "float64" }) - 1;
  const dev = nodes.push({ op: "binary", fn: "sub", x, y: m, dtype: "float64" }) - 1;
  const sq = nodes.push({ op: "binary", fn: "mul", x: dev, y: dev, dtype: "float64" }) - 1;
  const m2 = nodes.push({ op: "reduce", fn: "sum", axes, x: sq, dtype: "float64" }) - 1;
  return { nodes, outputs: [s, m2] };
}

const REDUCE_OPTIONS = ["axis", "keepdims", "splitEvery", "dtype"] as const;
const VAR_OPTIONS = [...REDUCE_OPTIONS, "ddof"] as const;

export function reduction(a: TArray, kind: ReductionName, opts: VarOptions = {}): TArray {
  const what = kind;
  checkOptions(opts, kind === "var" || kind === "std" ? VAR_OPTIONS : REDUCE_OPTIONS, kind);
  if (a.chunks.some((c) => c.some((n) => Number.isNaN(n)))) {
    throw new ArrayArgumentError(`${kind}: the array's chunk sizes are unknown (NaN, as after boolean indexing); call await a.computeChunkSizes() first`);
  }
  const axes = normalizeAxes(opts.axis, a.ndim, what);
  const keepdims = opts.keepdims ?? false;
  const ddof = opts.ddof ?? 0;
  if (!Number.isInteger(ddof) || ddof < 0) throw new ArrayArgumentError(`${what}: ddof ${ddof} must be a non-negative integer`);
  const out = resultDType(kind, a.dtype, opts.dtype);
  // NumPy casts the elements first when sum/prod get a dtype (sum(dtype='float32') adds in float32).
  if ((kind === "sum" || kind === "prod") && opts.dtype !== undefined && out !== a.dtype) a = astype(a, out);
  if ((kind === "min" || kind === "max") && axes.some((k) => a.shape[k] === 0)) {
    throw new ArrayArgumentError(`${what}: zero-size array to reduction operation ${kind} which has no identity`);
  }
  // min/max have no identity an integer dtype can hold (±Infinity would become 0): empty blocks
  // along a reduced axis are dropped before the tree, so no partial ever stands for "nothing".
  if ((kind === "min" || kind === "max") && axes.some((k) => a.chunks[k]!.includes(0) && a.chunks[k]!.length > 1)) {
    a = rechunk(a, a.chunks.map((c, k) => (axes.includes(k) ? c.filter((n) => n > 0) : c)));
  }
  const moments = kind === "mean" || kind === "var" || kind === "std";
  const programs = new Map<number, ChunkProgram>();
  const programFor = (count: number): ChunkProgram => {
    const key = kind === "var" || kind === "std" ? count : 0;
    let p = programs.get(key);
    if (p === undefined) { p = chunkProgram(kind, a.dtype, axes, out, count); programs.set(key, p); }
    return p;
  };
  const combineKind = kind === "std" ? "var" : kind;
  const token = [a.name, kind, axes, keepdims, ddof, out, opts.splitEvery ?? null];
  const layers = new Map<string, Graph>();
  const reduced = new Set(axes);
  const keptAxes = [...Array(a.ndim).keys()].filter((k) => !reduced.has(k));
  const outChunks = keepdims ? a.chunks.map((c, k) => (reduced.has(k) ? [1] : [...c])) : keptAxes.map((k) => [...a.chunks[k]!]);
  const shape = a.shape;
  const info = chunkInfos(a.chunks, shape);
  const countOf = (idx: readonly number[]): number => axes.reduce((n, k) => n * a.chunks[k]![idx[k]!]!, 1);

  // No tree needed (every reduced axis is one block) and nothing to finish: the chunk step is
  // the result, its reduced axes squeezed away unless keepdims — one program, fusable onward.
  if (!moments && axes.every((k) => a.numblocks[k] === 1)) {
    const base = programFor(0);
    const program: ChunkProgram = keepdims || axes.length === 0 ? base : { ...base, squeeze: axes };
    const name = tokenName(kind, ...token);
    const layer: Graph = {};
    for (const idx of blockIndices(a.numblocks)) {
      const outIdx = keepdims ? idx : idx.filter((_, k) => !reduced.has(k));
      layer[blockKey(name, outIdx)] = { op: ARRAY_OPS.program, args: [program as unknown as Arg, info(idx) as unknown as Arg, ref(a.key(idx))] };
    }
    return new TArray(mergeLayers([a], name, layer), name, outChunks, out);
  }

  // Chunk step: one program task per input block.
  const chunkName = tokenName(`${kind}-chunk`, ...token);
  const chunkLayer: Graph = {};
  let current = new Map<string, Key>();
  let counts = new Map<string, number | null>();
  for (const idx of blockIndices(a.numblocks)) {
    const k = blockKey(chunkName, idx);
    chunkLayer[k] = { op: ARRAY_OPS.program, args: [programFor(countOf(idx)) as unknown as Arg, info(idx) as unknown as Arg, ref(a.key(idx))] };
    current.set(idx.join(","), k);
    counts.set(idx.join(","), moments ? countOf(idx) : null);
  }
  layers.set(chunkName, chunkLayer);

  // Combine levels until each reduced axis has at most splitEvery partials.
  let nb = a.numblocks;
  const split = splitPerAxis(opts.splitEvery, axes, nb);
  let level = 0;
  while (axes.some((k) => nb[k]! > split.get(k)!)) {
    const next = nb.map((n, k) => (reduced.has(k) ? Math.ceil(n / split.get(k)!) : n));
    const name = tokenName(`${kind}-combine`, ...token, level++);
    const layer: Graph = {};
    const nextMap = new Map<string, Key>();
    const nextCounts = new Map<string, number | null>();
    for (const idx of blockIndices(next)) {
      const ranges = idx.map((i, k) => (reduced.has(k) ? [i * split.get(k)!, Math.min(nb[k]!, (i + 1) * split.get(k)!)] : [i, i + 1]));
      const refs: Arg[] = [];
      const cs: (number | null)[] = [];
      for (const off of blockIndices(ranges.map(([lo, hi]) => hi! - lo!))) {
        const id = off.map((o, k) => o + ranges[k]![0]!).join(",");
        refs.push(ref(current.get(id)!));
        cs.push(counts.get(id)!);
      }
      const key = blockKey(name, idx);
      layer[key] = { op: ARRAY_OPS.combine, args: [combineKind, cs, ...refs] };
      nextMap.set(idx.join(","), key);
      nextCounts.set(idx.join(","), null);
    }
    layers.set(name, layer);
    current = nextMap;
    counts = nextCounts;
    nb = next;
  }

  // Aggregate: one task per output block.
  const aggName = tokenName(`${kind}-aggregate`, ...token);
  const aggLayer: Graph = {};
  for (const idx of blockIndices(nb.map((n, k) => (reduced.has(k) ? 1 : n)))) {
    const refs: Arg[] = [];
    const cs: (number | null)[] = [];
    for (const off of blockIndices(nb.map((n, k) => (reduced.has(k) ? n : 1)))) {
      const id = off.map((o, k) => (reduced.has(k) ? o : idx[k]!)).join(",");
      refs.push(ref(current.get(id)!));
      cs.push(counts.get(id)!);
    }
    const blockShape = idx.map((i, k) => (reduced.has(k) ? 1 : a.chunks[k]![i]!));
    const outIdx = keepdims ? idx : idx.filter((_, k) => !reduced.has(k));
    const outShape = keepdims ? blockShape : blockShape.filter((_, k) => !reduced.has(k));
    aggLayer[blockKey(aggName, outIdx)] = { op: ARRAY_OPS.aggregate, args: [kind, out, outShape, ddof, cs, ...refs] };
  }
  layers.set(aggName, aggLayer);
  const all = mergeLayers([a], aggName, aggLayer) as Map<string, Graph>;
  for (const [k, v] of layers) all.set(k, v);
  return new TArray(all, aggName, outChunks, out);
}
