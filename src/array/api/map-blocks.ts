/**
 * User functions per block: mapBlocks and blockwise. The function travels like client.submit
 * functions — as self-contained source, or by module reference when tagged with
 * `remote(import.meta.url, { fn })` — via the graph layer's function descriptors.
 *
 * It is called once per output block as fn(...inputBlocks, info): each input block is
 * { data, shape, dtype } (data a typed array; do not modify it), info is
 * { blockIndex, shape, dtype, offset } for the output block. It returns a typed array of the
 * output dtype (the block's shape) or { data, shape }.
 */
import { compileSource, moduleDescriptorOf, type FunctionDescriptor } from "../../graph/function-descriptor.js";
import { tokenName } from "../../graph/keys.js";
import { blockKey, ref, type Arg, type Graph } from "../../graph/spec.js";
import { blockIndices, offsets, refine, sameChunks, type Chunks } from "../chunks.js";
import { TArray, alignArrays, mergeLayers } from "../core.js";
import { checkDType, type DType } from "../dtype.js";
import { ArrayArgumentError, BlockFunctionError, checkOptions, showValue } from "../errors.js";
import { ARRAY_OPS } from "../ops-names.js";
import { rechunk } from "../rechunk.js";
import type { MapBlocksMeta } from "./kernels/map-blocks-run.js";

export interface MapBlocksOptions {
  /** dtype of the output blocks (default: the first array's). */
  readonly dtype?: DType;
  /** Output chunks, one entry per output axis: a block size for every block, or the list of sizes. */
  readonly chunks?: readonly (number | readonly number[])[];
  /** Input axes the function removes (each is given to it whole, in one block). */
  readonly dropAxis?: number | readonly number[];
  /** Output axes the function adds (positions in the output; one block each). */
  readonly newAxis?: number | readonly number[];
}

export interface BlockwiseOptions {
  readonly dtype?: DType;
  /** Output indices that no input has, with their lengths: { k: 3 }. One block each. */
  readonly newAxes?: Readonly<Record<string, number>>;
}

export type BlockFunction = (...args: any[]) => unknown;

/** How `fn` travels: by module reference when tagged with remote(), else as its source. */
export function describeBlockFunction(fn: unknown, where: string): FunctionDescriptor {
  if (typeof fn !== "function") throw new ArrayArgumentError(`${where}: the first argument must be a function, got ${showValue(fn)}`);
  const tagged = moduleDescriptorOf(fn);
  if (tagged !== undefined) return tagged;
  const source = Function.prototype.toString.call(fn);
  const name = fn.name || "anonymous";
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    throw new BlockFunctionError(`${where}: function '${name}' is native or bound, so its source cannot travel to workers; wrap it in an arrow function`);
  }
  const desc: FunctionDescriptor = { kind: "source", source, name };
  try {
    compileSource(desc);
  } catch (e) {
    throw new BlockFunctionError(
      `${where}: function '${name}' cannot travel as source (${(e as Error).message}); use a standalone arrow or function expression, ` +
        `or export it and tag it with remote(import.meta.url, { ${name === "anonymous" ? "fn" : name} })`,
    );
  }
  return desc;
}

function axesList(v: number | readonly number[] | undefined, nd: number, what: string, where: string): number[] {
  if (v === undefined) return [];
  const list = typeof v === "number" ? [v] : v;
  if (!Array.isArray(list)) throw new ArrayArgumentError(`${where}: ${what} must be an axis or a list of axes, got ${showValue(v)}`);
  const out = list.map((x: unknown) => {
    if (typeof x !== "number" || !Number.isInteger(x) || x < -nd || x >= nd) {
      throw new ArrayArgumentError(`${where}: ${what} ${showValue(x)} is out of range for ${nd} axes`);
    }
    return x < 0 ? x + nd : x;
  });
  if (new Set(out).size !== out.length) throw new ArrayArgumentError(`${where}: ${what} ${showValue(v)} repeats an axis`);
  return out.sort((a, b) => a - b);
}

function splitArgs<O>(args: readonly unknown[]): { items: unknown[]; opts: O | undefined } {
  const last = args[args.length - 1];
  const isOpts = typeof last === "object" && last !== null && !(last instanceof TArray) && !Array.isArray(last);
  return { items: (isOpts ? args.slice(0, -1) : [...args]) as unknown[], opts: (isOpts ? last : undefined) as O | undefined };
}

/** Output chunks from the `chunks` option, checked against the block grid. */
function chunksFromOption(spec: MapBlocksOptions["chunks"], grid: readonly number[], where: string): number[][] {
  if (!Array.isArray(spec) || spec.length !== grid.length) {
    throw new ArrayArgumentError(`${where}: chunks must have one entry per output axis (${grid.length}), got ${showValue(spec)}`);
  }
  return spec.map((c, k) => {
    if (typeof c === "number") {
      if (!Number.isInteger(c) || c < 0) throw new ArrayArgumentError(`${where}: chunks[${k}] ${showValue(c)} is not a block size`);
      return new Array<number>(grid[k]!).fill(c);
    }
    if (!Array.isArray(c) || c.length !== grid[k] || c.some((n) => !Number.isInteger(n) || n < 0)) {
      throw new ArrayArgumentError(`${where}: chunks[${k}] must be a block size or ${grid[k]} block sizes (one per block along axis ${k}), got ${showValue(c)}`);
    }
    return [...c];
  });
}

function mapLayer(where: string, desc: FunctionDescriptor, inputs: readonly TArray[], outChunks: Chunks, dtype: DType, inputIndex: (outIdx: number[]) => number[][], token: readonly unknown[]): TArray {
  const name = tokenName(where, desc as unknown as Arg, inputs.map((a) => a.name), outChunks, dtype, token);
  const offs = outChunks.map((c) => offsets(c));
  const layer: Graph = {};
  for (const idx of blockIndices(outChunks.map((c) => c.length))) {
    const meta: MapBlocksMeta = {
      where: `${where} (${name})`,
      blockIndex: idx,
      shape: idx.map((b, k) => outChunks[k]![b]!),
      dtype,
      info: { offset: idx.map((b, k) => offs[k]![b]!) },
    };
    const ins = inputIndex(idx);
    layer[blockKey(name, idx)] = { op: ARRAY_OPS.mapBlocks, args: [desc as unknown as Arg, meta as unknown as Arg, ...inputs.map((a, i) => ref(a.key(ins[i]!)))] };
  }
  return new TArray(mergeLayers(inputs, name, layer), name, outChunks, dtype);
}

/**
 * mapBlocks(fn, ...arrays, { dtype, chunks, dropAxis, newAxis }): fn on every block (arrays
 * broadcast and their chunks aligned, as for elementwise operations).
 */
export function mapBlocks(fn: BlockFunction, ...args: (TArray | MapBlocksOptions)[]): TArray {
  const where = "mapBlocks";
  const { items, opts: o } = splitArgs<MapBlocksOptions>(args);
  const opts = o ?? {};
  checkOptions(opts, ["dtype", "chunks", "dropAxis", "newAxis"], where);
  const desc = describeBlockFunction(fn, where);
  items.forEach((a, i) => {
    if (!(a instanceof TArray)) throw new ArrayArgumentError(`${where}: argument ${i + 1} is ${showValue(a)}, not an array (pass constants inside the function)`);
  });
  const arrays = items as TArray[];
  if (arrays.length === 0) throw new ArrayArgumentError(`${where}: give at least one array`);
  const dtype = checkDType(opts.dtype ?? arrays[0]!.dtype, `${where}: dtype`);
  let { shape, outChunks, aligned } = alignArrays(arrays);
  const nd = shape.length;
  const drop = axesList(opts.dropAxis, nd, "dropAxis", where);
  if (drop.length > 0) {
    aligned = aligned.map((a) => {
      const want = a.chunks.map((c, ak) => (drop.includes(ak + nd - a.ndim) ? [a.shape[ak]!] : c));
      return sameChunks(want, a.chunks) ? a : rechunk(a, want);
    });
    outChunks = outChunks.map((c, k) => (drop.includes(k) ? [shape[k]!] : c));
  }
  const kept = [...Array(nd).keys()].filter((k) => !drop.includes(k));
  const outNd = kept.length + (opts.newAxis === undefined ? 0 : typeof opts.newAxis === "number" ? 1 : opts.newAxis.length);
  const added = axesList(opts.newAxis, outNd, "newAxis", where);
  // Output grid: kept input axes in order, new axes (one block) inserted at their positions.
  const fromInput: (number | null)[] = [];
  let next = 0;
  for (let k = 0; k < outNd; k++) fromInput.push(added.includes(k) ? null : kept[next++]!);
  const grid = fromInput.map((k) => (k === null ? 1 : outChunks[k]!.length));
  const chunks = opts.chunks !== undefined ? chunksFromOption(opts.chunks, grid, where)
    : fromInput.map((k) => (k === null ? [1] : [...outChunks[k]!]));
  const inputIndex = (idx: number[]): number[][] => {
    const full = new Array<number>(nd).fill(0);
    fromInput.forEach((k, j) => { if (k !== null) full[k] = idx[j]!; });
    return aligned.map((a) => a.chunks.map((c, ak) => (c.length === 1 ? 0 : full[ak + nd - a.ndim]!)));
  };
  return mapLayer(where, desc, aligned, chunks, dtype, inputIndex, [drop, added]);
}

/**
 * blockwise(fn, outIndex, array1, index1, array2, index2, ..., { dtype, newAxes }): dask's
 * index notation ('ij', x, 'jk', y). Indices shared by several arrays must have equal lengths
 * (their chunks are unified); indices absent from the output are contracted: such axes are
 * passed whole (one block), as dask does with concatenate=True.
 */
export function blockwise(fn: BlockFunction, outIndex: string, ...args: (TArray | string | BlockwiseOptions)[]): TArray {
  const where = "blockwise";
  const { items, opts: o } = splitArgs<BlockwiseOptions>(args);
  const opts = o ?? {};
  checkOptions(opts, ["dtype", "newAxes"], where);
  const desc = describeBlockFunction(fn, where);
  if (typeof outIndex !== "string" || new Set(outIndex).size !== outIndex.length) {
    throw new ArrayArgumentError(`${where}: the output index must be a string of distinct letters like 'ij', got ${showValue(outIndex)}`);
  }
  if (items.length === 0 || items.length % 2 !== 0) throw new ArrayArgumentError(`${where}: give arrays and their index strings in pairs: blockwise(fn, 'ij', x, 'ij', y, 'ji')`);
  const pairs: [TArray, string][] = [];
  for (let i = 0; i < items.length; i += 2) {
    const a = items[i], ind = items[i + 1];
    if (!(a instanceof TArray) || typeof ind !== "string") throw new ArrayArgumentError(`${where}: argument pair ${i / 2 + 1} must be (array, 'index'), got (${showValue(a)}, ${showValue(ind)})`);
    if (ind.length !== a.ndim || new Set(ind).size !== ind.length) throw new ArrayArgumentError(`${where}: index '${ind}' must name each of the array's ${a.ndim} axes once`);
    pairs.push([a, ind]);
  }
  const dtype = checkDType(opts.dtype ?? pairs[0]![0].dtype, `${where}: dtype`);
  const newAxes = opts.newAxes ?? {};
  const lengths = new Map<string, number>();
  const chunksOf = new Map<string, number[]>();
  for (const [a, ind] of pairs) {
    [...ind].forEach((l, k) => {
      const n = a.shape[k]!;
      const seen = lengths.get(l);
      if (seen !== undefined && seen !== n) throw new ArrayArgumentError(`${where}: index '${l}' has length ${seen} in one array and ${n} in another`);
      lengths.set(l, n);
      const c = chunksOf.get(l);
      chunksOf.set(l, c === undefined ? [...a.chunks[k]!] : refine(c, a.chunks[k]!));
    });
  }
  for (const l of lengths.keys()) if (!outIndex.includes(l)) chunksOf.set(l, [lengths.get(l)!]);
  for (const l of outIndex) {
    if (lengths.has(l)) continue;
    const n = newAxes[l];
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw new ArrayArgumentError(`${where}: output index '${l}' is in no input; give its length in newAxes: { ${l}: n }`);
    chunksOf.set(l, [n]);
  }
  const aligned = pairs.map(([a, ind]) => {
    const want = [...ind].map((l) => chunksOf.get(l)!);
    return sameChunks(want, a.chunks) ? a : rechunk(a, want);
  });
  const outChunks = [...outIndex].map((l) => chunksOf.get(l)!);
  const inputIndex = (idx: number[]): number[][] => pairs.map(([, ind]) => [...ind].map((l) => {
    const j = outIndex.indexOf(l);
    return j < 0 ? 0 : idx[j]!;
  }));
  return mapLayer(where, desc, aligned, outChunks, dtype, inputIndex, [outIndex, pairs.map(([, i]) => i)]);
}
