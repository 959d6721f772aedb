/** Creating arrays: constant fills, ranges, and wrapping in-memory data. */
import { ArrayArgumentError } from "./errors.js";
import { tokenName, tokenize } from "../graph/keys.js";
import { blockKey, type Arg, type Graph } from "../graph/spec.js";
import { blockIndices, checkShape, chunkInfos, offsets, type ChunkSpec } from "./chunks.js";
import { TArray, newChunks } from "./core.js";
import { allocate, checkDType, coerce, type ChunkData, type DType } from "./dtype.js";
import type { ChunkProgram, NDChunk } from "./fusion/ir.js";
import { assemble } from "./kernels/assemble.js";
import { NDArray } from "./ndarray.js";
import { ARRAY_OPS } from "./ops-names.js";
import { checkOptions, showValue } from "../util/options.js";

const CREATE_OPTIONS = ["chunks", "dtype"] as const;

export interface CreateOptions {
  readonly chunks?: ChunkSpec;
  readonly dtype?: DType;
}

/** An array whose every block is one program with no inputs (fill, iota, rand). */
export function leafArray(prefix: string, program: ChunkProgram, shape: readonly number[], chunksSpec: ChunkSpec | undefined, dtype: DType): TArray {
  const chunks = newChunks(chunksSpec, shape, dtype);
  const name = tokenName(prefix, program, shape, chunks);
  const layer: Graph = {};
  const info = chunkInfos(chunks, shape);
  for (const idx of blockIndices(chunks.map((c) => c.length))) {
    layer[blockKey(name, idx)] = { op: ARRAY_OPS.program, args: [program as unknown as Arg, info(idx) as unknown as Arg] };
  }
  return new TArray(new Map([[name, layer]]), name, chunks, dtype);
}

export function full(shape: number | readonly number[], value: number | boolean, opts: CreateOptions = {}): TArray {
  checkOptions(opts, CREATE_OPTIONS, "full");
  const s = checkShape(shape);
  if (typeof value !== "number" && typeof value !== "boolean") throw new ArrayArgumentError(`full: fill value must be a number or boolean, got ${typeof value}`);
  const v = typeof value === "boolean" ? (value ? 1 : 0) : value;
  const dtype = opts.dtype !== undefined ? checkDType(opts.dtype) : typeof value === "boolean" ? "bool" : Number.isInteger(v) ? "int64" : "float64";
  return leafArray("full", { nodes: [{ op: "fill", value: coerce(dtype, v), dtype }], outputs: [0] }, s, opts.chunks, dtype);
}

export function ones(shape: number | readonly number[], opts: CreateOptions = {}): TArray {
  checkOptions(opts, CREATE_OPTIONS, "ones");
  const dtype = checkDType(opts.dtype ?? "float64");
  return leafArray("ones", { nodes: [{ op: "fill", value: 1, dtype }], outputs: [0] }, checkShape(shape), opts.chunks, dtype);
}

export function zeros(shape: number | readonly number[], opts: CreateOptions = {}): TArray {
  checkOptions(opts, CREATE_OPTIONS, "zeros");
  const dtype = checkDType(opts.dtype ?? "float64");
  return leafArray("zeros", { nodes: [{ op: "fill", value: 0, dtype }], outputs: [0] }, checkShape(shape), opts.chunks, dtype);
}

/** Like NumPy's empty: the values are unspecified (here: zeros, so results stay reproducible). */
export function empty(shape: number | readonly number[], opts: CreateOptions = {}): TArray {
  return zeros(shape, opts);
}

/** arange(stop) or arange(start, stop, step=1): values start + i·step for i < ceil((stop-start)/step). */
export function arange(start: number, stop?: number, step?: number | CreateOptions, opts: CreateOptions = {}): TArray {
  let o = opts;
  let st = 1;
  if (typeof step === "object") o = step;
  else if (step !== undefined) st = step;
  checkOptions(o, CREATE_OPTIONS, "arange");
  const [a, b] = stop === undefined ? [0, start] : [start, stop];
  for (const [n, v] of [["start", a], ["stop", b], ["step", st]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new ArrayArgumentError(`arange: ${n} ${String(v)} is not a finite number`);
  }
  if (st === 0) throw new ArrayArgumentError("arange: step cannot be zero");
  const n = Math.max(0, Math.ceil((b - a) / st));
  const dtype = o.dtype !== undefined ? checkDType(o.dtype) : [a, b, st].every(Number.isInteger) ? "int64" : "float64";
  return leafArray("arange", { nodes: [{ op: "iota", a, b: st, dtype }], outputs: [0] }, [n], o.chunks, dtype);
}

export interface LinspaceOptions extends CreateOptions {
  readonly endpoint?: boolean;
}

/** `num` evenly spaced values from start to stop (inclusive unless endpoint: false), as numpy computes them. */
export function linspace(start: number, stop: number, num = 50, opts: LinspaceOptions = {}): TArray {
  checkOptions(opts, [...CREATE_OPTIONS, "endpoint"], "linspace");
  if (!Number.isInteger(num) || num < 0) throw new ArrayArgumentError(`linspace: num ${num} must be a non-negative integer`);
  for (const [n, v] of [["start", start], ["stop", stop]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new ArrayArgumentError(`linspace: ${n} ${String(v)} is not a finite number`);
  }
  const endpoint = opts.endpoint ?? true;
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  const dtype = checkDType(opts.dtype ?? "float64");
  const node = endpoint && num > 1 ? { op: "iota" as const, a: start, b: step, last: stop, dtype } : { op: "iota" as const, a: start, b: step, dtype };
  return leafArray("linspace", { nodes: [node], outputs: [0] }, [num], opts.chunks, dtype);
}

export type NestedInput = number | boolean | readonly NestedInput[];
export type ArrayInput = ChunkData | Int8Array | Int16Array | Uint16Array | Uint32Array | Uint8ClampedArray | NestedInput | NDArray;

export interface FromArrayOptions extends CreateOptions {
  /** Shape for flat typed-array input (default: 1-d). */
  readonly shape?: readonly number[];
}

function nestedShape(x: NestedInput, what: string): number[] {
  if (!Array.isArray(x)) return [];
  const inner = x.length > 0 ? nestedShape(x[0]!, `${what}[0]`) : [];
  x.forEach((e: NestedInput, i: number) => {
    const s = nestedShape(e, `${what}[${i}]`);
    if (s.length !== inner.length || s.some((n, k) => n !== inner[k])) {
      throw new ArrayArgumentError(`fromArray: ${what}[${i}] has shape [${s.join(", ")}] but ${what}[0] has [${inner.join(", ")}]; nested arrays must be rectangular`);
    }
  });
  return [x.length, ...inner];
}

function toChunk(data: ArrayInput, opts: FromArrayOptions): NDChunk {
  if (data instanceof NDArray) return { dtype: data.dtype, shape: data.shape, data: data.data };
  if (ArrayBuffer.isView(data)) {
    const shape = opts.shape ? checkShape(opts.shape, "shape") : [(data as ChunkData).length];
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== (data as ChunkData).length) throw new ArrayArgumentError(`fromArray: shape [${shape.join(", ")}] needs ${n} elements, the typed array has ${(data as ChunkData).length}`);
    let dtype: DType;
    let arr: ChunkData;
    if (data instanceof Float64Array) { dtype = "float64"; arr = data; }
    else if (data instanceof Float32Array) { dtype = "float32"; arr = data; }
    else if (data instanceof Int32Array) { dtype = "int32"; arr = data; }
    else if (data instanceof BigInt64Array) { dtype = "int64"; arr = data; }
    else if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) { dtype = opts.dtype === "bool" ? "bool" : "uint8"; arr = new Uint8Array(data.buffer, data.byteOffset, data.length); }
    else if (data instanceof Int8Array || data instanceof Int16Array || data instanceof Uint16Array) { dtype = "int32"; arr = Int32Array.from(data); }
    else if (data instanceof Uint32Array) { dtype = "int64"; arr = BigInt64Array.from(data, (v) => BigInt(v)); }
    else throw new ArrayArgumentError(`fromArray: unsupported typed array ${Object.prototype.toString.call(data)}`);
    return { dtype, shape, data: arr };
  }
  const nested = data as NestedInput;
  const shape = nestedShape(nested, "data");
  const flat: (number | boolean)[] = Array.isArray(nested) ? (nested as unknown[]).flat(Infinity) as (number | boolean)[] : [nested as number | boolean];
  // An empty list is float64, as in NumPy (np.array([]).dtype).
  let dtype: DType = flat.length === 0 ? "float64" : "bool";
  for (const v of flat) {
    if (typeof v === "boolean") continue;
    if (typeof v !== "number") throw new ArrayArgumentError(`fromArray: element ${showValue(v)} is not a number or boolean`);
    if (!Number.isInteger(v) || Object.is(v, -0)) { dtype = "float64"; break; }
    dtype = "int64";
  }
  const arr = allocate(dtype, flat.length);
  flat.forEach((v, i) => {
    if (arr instanceof BigInt64Array) arr[i] = BigInt(Number(v));
    else arr[i] = Number(v);
  });
  return { dtype, shape, data: arr };
}

/** Wrap in-memory data (typed array, nested JS arrays, NDArray) as a chunked array: one data node per block. */
export function fromArray(data: ArrayInput, opts: FromArrayOptions = {}): TArray {
  checkOptions(opts, [...CREATE_OPTIONS, "shape"], "fromArray");
  let c = toChunk(data, opts);
  if (opts.dtype !== undefined && checkDType(opts.dtype) !== c.dtype) {
    const d = opts.dtype;
    const out = allocate(d, c.data.length);
    for (let i = 0; i < out.length; i++) {
      const v = coerce(d, Number(c.data[i]!));
      if (out instanceof BigInt64Array) out[i] = BigInt(v);
      else out[i] = v;
    }
    c = { dtype: d, shape: c.shape, data: out };
  }
  const chunks = newChunks(opts.chunks, c.shape, c.dtype);
  const name = `array-${tokenize(c.dtype, c.shape, c.data, chunks)}`;
  const offs = chunks.map((x) => offsets(x));
  const layer: Graph = {};
  for (const idx of blockIndices(chunks.map((x) => x.length))) {
    const bshape = idx.map((b, k) => chunks[k]![b]!);
    const piece = { src: c, start: idx.map((b, k) => offs[k]![b]!), step: idx.map(() => 1), dst: idx.map(() => 0), count: bshape };
    layer[blockKey(name, idx)] = { data: assemble(c.dtype, bshape, bshape, [piece]) as unknown as Arg };
  }
  return new TArray(new Map([[name, layer]]), name, chunks, c.dtype);
}
