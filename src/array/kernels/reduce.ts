/**
 * The combine and aggregate steps of tree reductions (the chunk step is a chunk program).
 *
 * Partials, all with the same keepdims shape within one group:
 *   simple (sum prod min max any all count_nonzero): one NDChunk;
 *   moment "mean": [sum, count];  "var": [sum, count, M2]  (float64 each).
 * Straight from a chunk step a moment partial is `sum` (mean) or [sum, M2] (var) and its count
 * is given beside it (`counts[i]`, known from the block shape); combined partials carry it.
 * Partials are combined left to right (a fixed order: the order of blocks), so results depend
 * only on the chunking, never on scheduling.
 */
import { outputBuffer } from "./out-buffers.js";
import { coerce, type DType } from "../dtype.js";
import type { NDChunk, ReduceFn } from "../fusion/ir.js";
import { reduceInit } from "./scalar-ops.js";
import { ArrayKernelError } from "./errors.js";

export type ReductionKind = ReduceFn | "mean" | "var";
export type Partial = NDChunk | readonly NDChunk[];

const num = (d: NDChunk["data"], i: number): number => (d instanceof BigInt64Array ? Number(d[i]!) : (d[i] as number));

function step(fn: ReduceFn, acc: number, v: number): number {
  switch (fn) {
    case "sum": case "count_nonzero": return acc + v;
    case "prod": return acc * v;
    case "min": return v < acc || v !== v ? v : acc;
    case "max": return v > acc || v !== v ? v : acc;
    case "any": return acc !== 0 || v !== 0 ? 1 : 0;
    case "all": return acc !== 0 && v !== 0 ? 1 : 0;
  }
}

function store(dtype: DType, shape: readonly number[], vals: Float64Array): NDChunk {
  const out = outputBuffer(dtype, vals.length);
  if (out instanceof BigInt64Array) for (let i = 0; i < vals.length; i++) out[i] = BigInt(coerce(dtype, vals[i]!));
  else for (let i = 0; i < vals.length; i++) out[i] = coerce(dtype, vals[i]!);
  return { dtype, shape: [...shape], data: out };
}

function combineSimple(fn: ReduceFn, parts: readonly NDChunk[]): NDChunk {
  const first = parts[0]!;
  const acc = new Float64Array(first.data.length).fill(reduceInit(fn));
  for (const p of parts) for (let i = 0; i < acc.length; i++) acc[i] = step(fn, acc[i]!, num(p.data, i));
  return store(first.dtype, first.shape, acc);
}

/** A moment partial as [sum, count, M2?]: from a chunk step (count given) or already combined. */
function moments(kind: "mean" | "var", part: Partial, count: number | null): readonly NDChunk[] {
  if (count === null) return part as readonly NDChunk[];
  const [s, m2] = kind === "mean" ? [part as NDChunk, undefined] : (part as readonly NDChunk[]);
  const c: NDChunk = { dtype: "float64", shape: s!.shape, data: new Float64Array(s!.data.length).fill(count) };
  return m2 === undefined ? [s!, c] : [s!, c, m2];
}

function combineMoments(kind: "mean" | "var", raw: readonly Partial[], counts: readonly (number | null)[]): NDChunk[] {
  const parts = raw.map((p, i) => moments(kind, p, counts[i] ?? null));
  const first = parts[0]!;
  const n = first[0]!.data.length;
  const s = new Float64Array(n), c = new Float64Array(n), m2 = new Float64Array(n);
  for (const p of parts) {
    const ps = p[0]!.data as Float64Array, pc = p[1]!.data as Float64Array;
    for (let i = 0; i < n; i++) {
      if (kind === "var") {
        const pm = (p[2]!.data as Float64Array)[i]!;
        const ca = c[i]!, cb = pc[i]!;
        if (cb === 0) continue;
        if (ca === 0) { s[i] = ps[i]!; c[i] = cb; m2[i] = pm; continue; }
        // Chan et al.: merge two (sum, count, M2) summaries.
        const delta = ps[i]! / cb - s[i]! / ca;
        m2[i] = m2[i]! + pm + delta * delta * ((ca * cb) / (ca + cb));
      }
      s[i] = s[i]! + ps[i]!;
      c[i] = c[i]! + pc[i]!;
    }
  }
  const shape = first[0]!.shape;
  const out = [store("float64", shape, s), store("float64", shape, c)];
  if (kind === "var") out.push(store("float64", shape, m2));
  return out;
}

/** `array.reduce_combine`: merge partials (in order) into one partial of the same kind. */
export function reduceCombine(kind: ReductionKind, counts: readonly (number | null)[], ...parts: Partial[]): Partial {
  if (parts.length === 0) throw new ArrayKernelError("reduce_combine: no partials");
  if (kind === "mean" || kind === "var") return combineMoments(kind, parts, counts);
  return combineSimple(kind, parts as NDChunk[]);
}

/**
 * `array.reduce_aggregate`: combine the last partials and finish: mean = sum / count,
 * var = M2 / (count - ddof), std = sqrt(var); the result takes `shape` (reduced axes dropped
 * unless keepdims) and `dtype`.
 */
export function reduceAggregate(kind: ReductionKind | "std", dtype: DType, shape: readonly number[], ddof: number, counts: readonly (number | null)[], ...parts: Partial[]): NDChunk {
  if (kind === "mean" || kind === "var" || kind === "std") {
    const [s, c, m2] = combineMoments(kind === "mean" ? "mean" : "var", parts, counts);
    const sd = s!.data as Float64Array, cd = c!.data as Float64Array;
    const out = new Float64Array(sd.length);
    for (let i = 0; i < out.length; i++) {
      if (kind === "mean") out[i] = sd[i]! / cd[i]!;
      else {
        const v = (m2!.data as Float64Array)[i]! / Math.max(0, cd[i]! - ddof);
        out[i] = kind === "std" ? Math.sqrt(v) : v;
      }
    }
    return store(dtype, shape, out);
  }
  const r = combineSimple(kind, parts as NDChunk[]);
  return dtype === r.dtype ? { ...r, shape: [...shape] } : store(dtype, shape, Float64Array.from(r.data as ArrayLike<number>));
}
