/**
 * The lazy chunked array: (graph, name, chunks, dtype). Operations only build graphs; nothing
 * runs until `compute()` / `persist()`. The graph is kept as layers (one per operation, keyed by
 * name) so that combining arrays does not copy whole graphs.
 */
import type { Collection } from "../graph/collection.js";
import type { ScalarArray } from "./scalar-array.js";
import { inspect } from "node:util";
import { getDefaultExecutor, type GraphExecutor } from "../graph/default-executor.js";
import "../graph/execute.js";
import { tokenName } from "../graph/keys.js";
import { optimizeGraph } from "../graph/optimize.js";
import { blockKey, ref, type Arg, type Graph, type Key } from "../graph/spec.js";
import { blockIndices, chunkInfos, chunksFromBlockShapes, hasUnknownChunks, normalizeChunks, refine, sameChunks, shapeOfChunks, type ChunkSpec, type Chunks } from "./chunks.js";
import { checkDType, fitsInt, floatResult, isFloat, isInt, itemSize, promote, promoteScalar, type DType } from "./dtype.js";
import { ArrayArgumentError, ArrayDTypeError } from "./errors.js";
import type { BinaryFn, ChunkInfo, ChunkProgram, ProgramNode, UnaryFn } from "./fusion/ir.js";
import { ARRAY_OPS } from "./ops-names.js";
import { NDArray, fromBlocks } from "./ndarray.js";
import { reduction, type ReduceOptions, type VarOptions } from "./reductions.js";
import { rechunk } from "./rechunk.js";
import { reshape, sliceArray, transpose, type SliceSpec } from "./shape-ops.js";
import { reprArray } from "./repr.js";
import { dot, matmul } from "./linalg/products.js";
import { checkOptions } from "../util/options.js";
import * as api from "./api/methods.js";
import { toNpy, type NpyWriteSummary, type ToNpyOptions } from "./io/npy-write.js";
import { toZarr, type ToZarrOptions, type ZarrWriteSummary } from "./io/zarr-write.js";
import "./fusion/fuse.js";
import "./fusion/fuse-leaves.js";

export type Layers = ReadonlyMap<string, Graph>;

/**
 * Layers that persist() returned from a Client: the lineage of results held on the workers. Their
 * keys are kept as they are when a graph reading them is optimised (never fused into the readers),
 * so the readers use the held blocks instead of computing them again.
 */
const persistedLayers = new WeakSet<Graph>();
export type Operand = TArray | number | boolean;
export type Computed = number | boolean | NDArray;
/** The JS value of one element: a number (every numeric dtype; int64 via Number) or a boolean. */
export type Scalar = number | boolean;
/** Options of a reduction over all axes: the result is 0-d, so compute() gives a number or boolean. */
export type FullReduceOptions = Omit<ReduceOptions, "axis" | "keepdims"> & { readonly axis?: null; readonly keepdims?: false };
export type FullVarOptions = Omit<VarOptions, "axis" | "keepdims"> & { readonly axis?: null; readonly keepdims?: false };

export interface ComputeOptions {
  /** Run on this executor instead of the default one (Client or in-process). */
  readonly executor?: GraphExecutor;
  /** Fuse chunk programs before running (default true). */
  readonly optimize?: boolean;
  readonly progress?: (done: number, total: number) => void;
}

const COMPUTE_OPTIONS = ["executor", "optimize", "progress"] as const;

export class TArray implements Collection<Computed> {
  readonly #layers: Layers;
  #graph: Graph | undefined;
  readonly name: string;
  readonly chunks: Chunks;
  readonly dtype: DType;

  constructor(layers: Layers, name: string, chunks: Chunks, dtype: DType) {
    this.#layers = layers;
    this.name = name;
    this.chunks = chunks.map((c) => [...c]);
    this.dtype = checkDType(dtype);
  }

  get layers(): Layers { return this.#layers; }
  /** The whole task graph (all layers merged). */
  get graph(): Graph {
    if (this.#graph === undefined) {
      const g: Graph = {};
      for (const layer of this.#layers.values()) Object.assign(g, layer);
      this.#graph = g;
    }
    return this.#graph;
  }
  get shape(): number[] { return shapeOfChunks(this.chunks); }
  get ndim(): number { return this.chunks.length; }
  get size(): number { return this.shape.reduce((a, b) => a * b, 1); }
  get itemsize(): number { return itemSize(this.dtype); }
  get nbytes(): number { return this.size * this.itemsize; }
  get numblocks(): number[] { return this.chunks.map((c) => c.length); }
  get npartitions(): number { return this.numblocks.reduce((a, b) => a * b, 1); }
  /** Largest block size per axis. */
  get chunksize(): number[] { return this.chunks.map((c) => Math.max(0, ...c)); }

  key(index: readonly number[]): Key { return blockKey(this.name, index); }
  /** Block keys in C order of the block grid. */
  keys(): Key[] { return blockIndices(this.numblocks).map((i) => this.key(i)); }

  // ---- elementwise -------------------------------------------------------------------------
  add(o: Operand): TArray { return binary("add", this, o); }
  sub(o: Operand): TArray { return binary("sub", this, o); }
  mul(o: Operand): TArray { return binary("mul", this, o); }
  div(o: Operand): TArray { return binary("div", this, o); }
  pow(o: Operand): TArray { return binary("pow", this, o); }
  mod(o: Operand): TArray { return binary("mod", this, o); }
  minimum(o: Operand): TArray { return binary("min", this, o); }
  maximum(o: Operand): TArray { return binary("max", this, o); }
  lt(o: Operand): TArray { return binary("lt", this, o); }
  le(o: Operand): TArray { return binary("le", this, o); }
  gt(o: Operand): TArray { return binary("gt", this, o); }
  ge(o: Operand): TArray { return binary("ge", this, o); }
  eq(o: Operand): TArray { return binary("eq", this, o); }
  ne(o: Operand): TArray { return binary("ne", this, o); }
  and(o: Operand): TArray { return binary("and", this, o); }
  or(o: Operand): TArray { return binary("or", this, o); }
  not(): TArray { return unary("not", this); }
  neg(): TArray { return unary("neg", this); }
  abs(): TArray { return unary("abs", this); }
  sqrt(): TArray { return unary("sqrt", this); }
  exp(): TArray { return unary("exp", this); }
  log(): TArray { return unary("log", this); }
  sin(): TArray { return unary("sin", this); }
  cos(): TArray { return unary("cos", this); }
  floor(): TArray { return unary("floor", this); }
  ceil(): TArray { return unary("ceil", this); }
  clip(lo: number | null, hi: number | null): TArray { return clip(this, lo, hi); }
  astype(dtype: DType): TArray { return astype(this, dtype); }

  // ---- reductions --------------------------------------------------------------------------
  sum(opts?: FullReduceOptions): ScalarArray<number>;
  sum(opts: ReduceOptions): TArray;
  sum(opts?: ReduceOptions): TArray { return reduction(this, "sum", opts); }
  prod(opts?: FullReduceOptions): ScalarArray<number>;
  prod(opts: ReduceOptions): TArray;
  prod(opts?: ReduceOptions): TArray { return reduction(this, "prod", opts); }
  min(opts?: FullReduceOptions): ScalarArray<Scalar>;
  min(opts: ReduceOptions): TArray;
  min(opts?: ReduceOptions): TArray { return reduction(this, "min", opts); }
  max(opts?: FullReduceOptions): ScalarArray<Scalar>;
  max(opts: ReduceOptions): TArray;
  max(opts?: ReduceOptions): TArray { return reduction(this, "max", opts); }
  any(opts?: FullReduceOptions): ScalarArray<boolean>;
  any(opts: ReduceOptions): TArray;
  any(opts?: ReduceOptions): TArray { return reduction(this, "any", opts); }
  all(opts?: FullReduceOptions): ScalarArray<boolean>;
  all(opts: ReduceOptions): TArray;
  all(opts?: ReduceOptions): TArray { return reduction(this, "all", opts); }
  count_nonzero(opts?: FullReduceOptions): ScalarArray<number>;
  count_nonzero(opts: ReduceOptions): TArray;
  count_nonzero(opts?: ReduceOptions): TArray { return reduction(this, "count_nonzero", opts); }
  mean(opts?: FullReduceOptions): ScalarArray<number>;
  mean(opts: ReduceOptions): TArray;
  mean(opts?: ReduceOptions): TArray { return reduction(this, "mean", opts); }
  var(opts?: FullVarOptions): ScalarArray<number>;
  var(opts: VarOptions): TArray;
  var(opts?: VarOptions): TArray { return reduction(this, "var", opts); }
  std(opts?: FullVarOptions): ScalarArray<number>;
  std(opts: VarOptions): TArray;
  std(opts?: VarOptions): TArray { return reduction(this, "std", opts); }

  // ---- shape -------------------------------------------------------------------------------
  rechunk(chunks: ChunkSpec): TArray { return rechunk(this, chunks); }
  /** Basic slicing: per axis an integer, [start, stop, step?] (null = default), or null for ':'; or one string '0:10:2, 3'. */
  slice(...spec: SliceSpec[]): TArray { return sliceArray(this, spec); }
  transpose(axes?: readonly number[]): TArray { return transpose(this, axes); }
  get T(): TArray { return transpose(this); }
  reshape(...shape: (number | readonly number[])[]): TArray {
    const s = shape.length === 1 && Array.isArray(shape[0]) ? (shape[0] as readonly number[]) : (shape as number[]);
    return reshape(this, s);
  }

  // ---- linear algebra (src/array/linalg) ---------------------------------------------------
  /** Matrix product with NumPy's matmul semantics (batch axes broadcast; 1-D operands are vectors). */
  matmul(o: TArray): TArray { return matmul(this, o); }
  /** NumPy's dot: sum over this array's last axis and the other's second-to-last (or only) axis. */
  dot(o: TArray | number): TArray { return dot(this, o); }

  // ---- dask.array API beyond the basics (src/array/api/) ----------------------------------------
  floorDivide(o: Operand): TArray { return api.floorDivide(this, o); }
  remainder(o: Operand): TArray { return api.remainder(this, o); }
  isnan(): TArray { return api.isnan(this); }
  isfinite(): TArray { return api.isfinite(this); }
  isinf(): TArray { return api.isinf(this); }
  argmin(opts?: api.ArgOptions): TArray { return api.argmin(this, opts); }
  argmax(opts?: api.ArgOptions): TArray { return api.argmax(this, opts); }
  cumsum(opts?: api.ScanOptions): TArray { return api.cumsum(this, opts); }
  cumprod(opts?: api.ScanOptions): TArray { return api.cumprod(this, opts); }
  nansum(opts?: ReduceOptions): TArray { return api.nansum(this, opts); }
  nanprod(opts?: ReduceOptions): TArray { return api.nanprod(this, opts); }
  nanmin(opts?: ReduceOptions): TArray { return api.nanmin(this, opts); }
  nanmax(opts?: ReduceOptions): TArray { return api.nanmax(this, opts); }
  nanmean(opts?: ReduceOptions): TArray { return api.nanmean(this, opts); }
  nanvar(opts?: VarOptions): TArray { return api.nanvar(this, opts); }
  nanstd(opts?: VarOptions): TArray { return api.nanstd(this, opts); }
  take(indices: api.IndexList, opts?: { axis?: number | null }): TArray { return api.take(this, indices, opts); }
  /** a[mask]: see booleanIndex. */
  booleanIndex(mask: TArray | NDArray | readonly boolean[]): TArray { return api.booleanIndex(this, mask); }
  nonzero(): TArray[] { return api.nonzero(this); }
  squeeze(opts?: { axis?: number | readonly number[] | null }): TArray { return api.squeeze(this, opts); }
  swapaxes(axis1: number, axis2: number): TArray { return api.swapaxes(this, axis1, axis2); }
  flip(opts?: { axis?: number | readonly number[] | null }): TArray { return api.flip(this, opts); }
  roll(shift: number | readonly number[], opts?: { axis?: number | readonly number[] | null }): TArray { return api.roll(this, shift, opts); }
  mapBlocks(fn: api.BlockFunction, opts?: api.MapBlocksOptions): TArray { return opts === undefined ? api.mapBlocks(fn, this) : api.mapBlocks(fn, this, opts); }
  mapOverlap(fn: api.BlockFunction, opts: api.MapOverlapOptions): TArray { return api.mapOverlap(fn, this, opts); }
  /** The same array with unknown (NaN) chunk sizes resolved by computing each block's shape. */
  computeChunkSizes(opts?: ComputeOptions): Promise<TArray> { return api.computeChunkSizes(this, opts); }
  ravel(): TArray { return api.ravel(this); }
  repeat(repeats: number, opts?: { axis?: number | null }): TArray { return api.repeat(this, repeats, opts); }
  ptp(opts?: ReduceOptions): TArray { return api.ptp(this, opts); }
  countNonzero(opts?: ReduceOptions): TArray { return reduction(this, "count_nonzero", opts); }

  // ---- running -----------------------------------------------------------------------------
  /** The graph to run for this array's blocks (optimised unless optimize: false). */
  buildGraph(optimize = true): Graph {
    if (!optimize) return this.graph;
    const keep = new Set<Key>();
    for (const layer of this.#layers.values()) if (persistedLayers.has(layer)) for (const k of Object.keys(layer)) keep.add(k);
    return optimizeGraph(this.graph, this.keys(), { keep });
  }

  async compute(opts: ComputeOptions = {}): Promise<Computed> {
    checkOptions(opts, COMPUTE_OPTIONS, "compute");
    const keys = this.keys();
    const graph = this.buildGraph(opts.optimize !== false);
    const ex = opts.executor ?? getDefaultExecutor();
    const values = await ex.computeGraph(graph, keys, opts.progress ? { progress: opts.progress } : undefined);
    return this.finalize(values);
  }

  /** The result from the computed values of keys() (the collection protocol of Client.compute). */
  finalize(values: readonly unknown[]): Computed {
    const chunks = hasUnknownChunks(this.chunks) ? chunksFromBlockShapes(this.numblocks, values) : this.chunks;
    const nd = fromBlocks(this.dtype, chunks, values);
    return nd.ndim === 0 ? nd.item() : nd;
  }

  /** Compute to an NDArray even for 0-d results. */
  async computeArray(opts: ComputeOptions = {}): Promise<NDArray> {
    const r = await this.compute(opts);
    return r instanceof NDArray ? r : NDArray.scalar(this.dtype, r);
  }

  /** Compute the blocks and keep them where they are (on workers with a Client); returns an array over them. */
  async persist(opts: ComputeOptions = {}): Promise<TArray> {
    checkOptions(opts, COMPUTE_OPTIONS, "persist");
    const keys = this.keys();
    const graph = this.buildGraph(opts.optimize !== false);
    const ex = opts.executor ?? getDefaultExecutor();
    let held: Graph;
    if (ex.persistGraph) {
      held = await ex.persistGraph(graph, keys);
      // its results are held on the workers: readers must read them, not fuse their lineage in
      persistedLayers.add(held);
    } else {
      const values = await ex.computeGraph(graph, keys);
      held = {};
      keys.forEach((k, i) => { held[k] = { data: values[i] as Arg }; });
    }
    return new TArray(new Map([[this.name, held]]), this.name, this.chunks, this.dtype);
  }

  // ---- files and stores (src/array/io/) ------------------------------------------------------
  /** Write to a Zarr store, one task per block (see docs/io.md). */
  toZarr(store: string, opts?: ToZarrOptions): Promise<ZarrWriteSummary> { return toZarr(this, store, opts); }
  /** Write to a .npy file, one task per block (see docs/io.md). */
  toNpy(file: string, opts?: ToNpyOptions): Promise<NpyWriteSummary> { return toNpy(this, file, opts); }

  toString(): string { return reprArray(this, false); }
  [inspect.custom](): string { return reprArray(this, true); }
}

// ---- building blocks -------------------------------------------------------------------------

export function mergeLayers(arrays: readonly TArray[], name: string, layer: Graph): Layers {
  const m = new Map<string, Graph>();
  for (const a of arrays) for (const [k, v] of a.layers) m.set(k, v);
  m.set(name, layer);
  return m;
}

/** Broadcast shapes (NumPy rules), naming the operands that do not fit. */
export function broadcastShapes(shapes: readonly (readonly number[])[], what = "operands"): number[] {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (let k = 0; k < nd; k++) {
    for (const s of shapes) {
      const e = s[s.length - nd + k] ?? 1;
      if (e === 1) continue;
      if (out[k] === 1) out[k] = e;
      else if (out[k] !== e) {
        throw new ArrayArgumentError(`${what} could not be broadcast together with shapes ${shapes.map((x) => `[${x.join(", ")}]`).join(" ")}`);
      }
    }
  }
  return out;
}

/**
 * Broadcast arrays against each other: the output shape, and chunks unified per output axis
 * (rechunking the arrays whose chunks differ; extent-1 axes that broadcast keep their chunk).
 */
export function alignArrays(arrays: readonly TArray[]): { shape: number[]; outChunks: number[][]; aligned: TArray[] } {
  for (const a of arrays) {
    if (hasUnknownChunks(a.chunks)) throw new ArrayArgumentError("the array's chunk sizes are unknown (NaN, as after boolean indexing); call await a.computeChunkSizes() first");
  }
  const shape = broadcastShapes(arrays.map((a) => a.shape));
  const nd = shape.length;
  // Unify chunks per output axis across the arrays that span it.
  const outChunks: number[][] = shape.map((e) => [e]);
  for (let k = 0; k < nd; k++) {
    let c: number[] | undefined;
    for (const a of arrays) {
      const ak = k - (nd - a.ndim);
      if (ak < 0 || a.shape[ak] === 1 && shape[k] !== 1) continue;
      c = c === undefined ? [...a.chunks[ak]!] : refine(c, a.chunks[ak]!);
    }
    if (c !== undefined) outChunks[k] = c;
  }
  const aligned = arrays.map((a) => {
    const want = a.chunks.map((c, ak) => {
      const k = ak + (nd - a.ndim);
      return a.shape[ak] === 1 && shape[k] !== 1 ? c : outChunks[k]!;
    });
    return sameChunks(want, a.chunks) ? a : rechunk(a, want);
  });
  return { shape, outChunks, aligned };
}

/**
 * A blockwise program over arrays (broadcasting, chunks unified by rechunking where they
 * differ) and scalars (inlined as constants). `body` adds the op nodes given the operand node
 * indices and returns the output node.
 */
export function blockwiseProgram(prefix: string, operands: readonly Operand[], constDtypes: readonly DType[], body: (nodes: ProgramNode[], ids: number[]) => number, outDtype: DType): TArray {
  const arrays = operands.filter((o): o is TArray => o instanceof TArray);
  const { aligned, outChunks } = alignArrays(arrays);
  const nodes: ProgramNode[] = [];
  const ids: number[] = [];
  let slot = 0;
  let ai = 0;
  operands.forEach((o, i) => {
    ids.push(nodes.length);
    if (o instanceof TArray) nodes.push({ op: "in", slot: slot++, dtype: aligned[ai++]!.dtype });
    else nodes.push({ op: "const", value: typeof o === "boolean" ? (o ? 1 : 0) : o, dtype: constDtypes[i]! });
  });
  const out = body(nodes, ids);
  const program: ChunkProgram = { nodes, outputs: [out] };
  return programArray(prefix, program, aligned, outChunks, outDtype, operands.map((o) => (o instanceof TArray ? o.name : o)));
}

/** One `array.program` task per output block; input block indices follow broadcasting. */
export function programArray(prefix: string, program: ChunkProgram, inputs: readonly TArray[], outChunks: Chunks, dtype: DType, tokenParts: readonly unknown[]): TArray {
  const shape = shapeOfChunks(outChunks);
  const nd = shape.length;
  const name = tokenName(prefix, program, tokenParts, outChunks);
  const layer: Graph = {};
  const info = chunkInfos(outChunks, shape);
  for (const idx of blockIndices(outChunks.map((c) => c.length))) {
    const refs = inputs.map((a) => {
      const ai = a.chunks.map((c, ak) => (c.length === 1 ? 0 : idx[ak + (nd - a.ndim)]!));
      return ref(a.key(ai));
    });
    layer[blockKey(name, idx)] = { op: ARRAY_OPS.program, args: [program as unknown as Arg, info(idx) as unknown as Arg, ...refs] };
  }
  return new TArray(mergeLayers(inputs, name, layer), name, outChunks, dtype);
}

// ---- elementwise ops -----------------------------------------------------------------------

function operandDType(o: Operand, other: DType | undefined): DType {
  if (o instanceof TArray) return o.dtype;
  if (typeof o === "boolean") return "bool";
  if (typeof o !== "number") throw new ArrayArgumentError(`operand: expected an array, a number or a boolean, got ${typeof o}`);
  return other === undefined ? (Number.isInteger(o) ? "int64" : "float64") : promoteScalar(other, o);
}

const COMPARISONS: ReadonlySet<BinaryFn> = new Set(["lt", "le", "gt", "ge", "eq", "ne"]);

export function binary(fn: BinaryFn, a: Operand, b: Operand): TArray {
  if (!(a instanceof TArray) && !(b instanceof TArray)) throw new ArrayArgumentError(`${fn}: at least one operand must be an array`);
  // x ** 2 is x * x, exactly (NumPy does the same), and much cheaper than Math.pow.
  if (fn === "pow" && b === 2 && a instanceof TArray && a.dtype !== "bool") return unary("square", a);
  const weak = (arr: DType, s: Operand): DType => {
    if (typeof s === "boolean") return arr;
    if (typeof s !== "number") throw new ArrayArgumentError(`${fn}: operand must be an array, a number or a boolean, got ${typeof s}`);
    // A comparison with an integer that does not fit the array's integer dtype has a definite
    // answer (uint8 < -1 is false everywhere): compare exactly in float64 instead of wrapping.
    if (COMPARISONS.has(fn) && !isFloat(arr) && Number.isInteger(s) && !fitsInt(arr === "bool" ? "int64" : arr, s)) return "float64";
    return promoteScalar(arr, s, fn);
  };
  const common: DType = a instanceof TArray && b instanceof TArray ? promote(a.dtype, b.dtype)
    : a instanceof TArray ? weak(a.dtype, b) : weak((b as TArray).dtype, a);
  let out: DType;
  if (COMPARISONS.has(fn) || fn === "and" || fn === "or") out = "bool";
  else if (fn === "div") out = isFloat(common) ? common : "float64";
  else out = common;
  if (fn === "sub" && out === "bool") throw new ArrayArgumentError("sub: subtracting booleans is not supported (as in NumPy); use .or/.and/.not, or astype('int32') first");
  if (fn === "pow" && isInt(common) && typeof b === "number" && b < 0) {
    throw new ArrayDTypeError(`pow: integers to negative integer powers are not allowed (exponent ${b} on ${common}, as in NumPy); cast to float first, e.g. .astype('float64').pow(${b})`);
  }
  return blockwiseProgram(fn, [a, b], [common, common], (nodes, [x, y]) => {
    nodes.push({ op: "binary", fn, x: x!, y: y!, dtype: out });
    return nodes.length - 1;
  }, out);
}

export function unary(fn: UnaryFn, a: TArray): TArray {
  let out: DType;
  switch (fn) {
    case "not": out = "bool"; break;
    case "neg":
      if (a.dtype === "bool") throw new ArrayArgumentError("neg: negating a bool array is not supported (as in NumPy); use .not()");
      out = a.dtype;
      break;
    case "abs": case "floor": case "ceil": case "square": out = a.dtype; break;
    default: out = floatResult(a.dtype);
  }
  return blockwiseProgram(fn, [a], [], (nodes, [x]) => {
    nodes.push({ op: "unary", fn, x: x!, dtype: out });
    return nodes.length - 1;
  }, out);
}

export function clip(a: TArray, lo: number | null, hi: number | null): TArray {
  for (const [n, v] of [["lo", lo], ["hi", hi]] as const) {
    if (v !== null && v !== undefined && typeof v !== "number") throw new ArrayArgumentError(`clip: ${n} must be a number or null, got ${typeof v}`);
  }
  // An open bound is no bound at all: never a ±Infinity sentinel, which an integer dtype cannot hold.
  if (lo === null || lo === undefined) return hi === null || hi === undefined ? a : binary("min", a, hi);
  if (hi === null || hi === undefined) return binary("max", a, lo);
  let out = a.dtype;
  for (const v of [lo, hi]) out = promoteScalar(out, v, "clip");
  return blockwiseProgram("clip", [a], [], (nodes, [x]) => {
    nodes.push({ op: "clip", x: x!, lo, hi, dtype: out });
    return nodes.length - 1;
  }, out);
}

export function astype(a: TArray, dtype: DType): TArray {
  const d = checkDType(dtype, "astype: dtype");
  if (d === a.dtype) return a;
  return blockwiseProgram("astype", [a], [], (nodes, [x]) => {
    nodes.push({ op: "cast", x: x!, dtype: d });
    return nodes.length - 1;
  }, d);
}

/** where(cond, x, y): x where cond is true, else y (broadcast; dtype of x and y promoted). */
export function where(cond: Operand, x: Operand, y: Operand): TArray {
  if (![cond, x, y].some((o) => o instanceof TArray)) throw new ArrayArgumentError("where: at least one of cond, x, y must be an array");
  const arrDt = [x, y].filter((o): o is TArray => o instanceof TArray).map((o) => o.dtype);
  let out: DType = arrDt.length === 0 ? promote(operandDType(x, undefined), operandDType(y, undefined)) : arrDt.reduce((p, q) => promote(p, q));
  for (const o of [x, y]) if (typeof o === "number" && arrDt.length > 0) out = promoteScalar(out, o);
  const cd = [typeof cond === "number" ? "float64" : "bool", out, out] as DType[];
  return blockwiseProgram("where", [cond, x, y], cd, (nodes, [c, p, q]) => {
    nodes.push({ op: "where", cond: c!, x: p!, y: q!, dtype: out });
    return nodes.length - 1;
  }, out);
}

/** Normalise chunks for a new array of `shape` (throws naming `chunks`). */
export function newChunks(spec: ChunkSpec | undefined, shape: readonly number[], dtype: DType): number[][] {
  return normalizeChunks(spec, shape, dtype, "chunks");
}
