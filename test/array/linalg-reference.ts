// Plain in-memory references for the linear algebra tests: matmul (NumPy semantics: batch
// broadcasting, 1-D vectors), tensordot and norm, element by element. Integer sums are exact
// (BigInt) and then wrapped to the result dtype, as NumPy's integer matmul wraps.
import { promote, type DType } from "../../src/array/dtype.js";
import * as R from "./reference.js";

function atBroadcast(r: R.Ref, idx: readonly number[]): number {
  const off = idx.length - r.shape.length;
  const s = R.strides(r.shape);
  let f = 0;
  r.shape.forEach((n, k) => { if (n !== 1) f += idx[k + off]! * s[k]!; });
  return r.data[f]!;
}

const isInt = (d: DType): boolean => d === "int32" || d === "int64" || d === "uint8";

/** Σ a·b over `terms` in the result dtype's arithmetic (exact for integers, wrapped). */
function dotTerms(dtype: DType, terms: [number, number][]): number {
  if (isInt(dtype)) {
    let s = 0n;
    for (const [x, y] of terms) s += BigInt(x) * BigInt(y);
    const w = dtype === "int32" ? BigInt.asIntN(32, s) : dtype === "uint8" ? BigInt.asUintN(8, s) : BigInt.asIntN(64, s);
    return Number(w);
  }
  if (dtype === "bool") return terms.some(([x, y]) => x !== 0 && y !== 0) ? 1 : 0;
  let s = 0;
  for (const [x, y] of terms) s += x * y;
  return R.cast(dtype, s);
}

export function refMatmul(a: R.Ref, b: R.Ref): R.Ref {
  const a2: R.Ref = a.shape.length === 1 ? { ...a, shape: [1, a.shape[0]!] } : a;
  const b2: R.Ref = b.shape.length === 1 ? { ...b, shape: [b.shape[0]!, 1] } : b;
  const m = a2.shape[a2.shape.length - 2]!, k = a2.shape[a2.shape.length - 1]!, n = b2.shape[b2.shape.length - 1]!;
  const batch = R.broadcast(a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const dtype = promote(a.dtype, b.dtype);
  const full = [...batch, m, n];
  const data: number[] = [];
  for (let f = 0; f < R.size(full); f++) {
    const idx = R.unravel(f, full);
    const bi = idx.slice(0, batch.length), i = idx[batch.length]!, j = idx[batch.length + 1]!;
    const terms: [number, number][] = [];
    for (let kk = 0; kk < k; kk++) terms.push([atBroadcast(a2, [...bi, i, kk]), atBroadcast(b2, [...bi, kk, j])]);
    data.push(dotTerms(dtype, terms));
  }
  const shape = [...batch, ...(a.shape.length === 1 ? [] : [m]), ...(b.shape.length === 1 ? [] : [n])];
  return { dtype, shape, data };
}

export function refTensordot(a: R.Ref, b: R.Ref, axA: readonly number[], axB: readonly number[]): R.Ref {
  const freeA = a.shape.map((_, i) => i).filter((i) => !axA.includes(i));
  const freeB = b.shape.map((_, i) => i).filter((i) => !axB.includes(i));
  const shape = [...freeA.map((i) => a.shape[i]!), ...freeB.map((i) => b.shape[i]!)];
  const kShape = axA.map((i) => a.shape[i]!);
  const dtype = promote(a.dtype, b.dtype);
  const sa = R.strides(a.shape), sb = R.strides(b.shape);
  const data: number[] = [];
  for (let f = 0; f < R.size(shape); f++) {
    const idx = R.unravel(f, shape);
    let baseA = 0, baseB = 0;
    freeA.forEach((ax, j) => { baseA += idx[j]! * sa[ax]!; });
    freeB.forEach((ax, j) => { baseB += idx[freeA.length + j]! * sb[ax]!; });
    const terms: [number, number][] = [];
    for (let g = 0; g < R.size(kShape); g++) {
      const kIdx = R.unravel(g, kShape);
      let oa = baseA, ob = baseB;
      kIdx.forEach((x, j) => { oa += x * sa[axA[j]!]!; ob += x * sb[axB[j]!]!; });
      terms.push([a.data[oa]!, b.data[ob]!]);
    }
    data.push(dotTerms(dtype, terms));
  }
  return { dtype, shape, data };
}

/** Reduce `x` along one axis with `fn` over the values of each line. */
function along(x: R.Ref, axis: number, fn: (v: number[]) => number): R.Ref {
  const shape = x.shape.filter((_, i) => i !== axis);
  const s = R.strides(x.shape);
  const data: number[] = [];
  for (let f = 0; f < R.size(shape); f++) {
    const idx = R.unravel(f, shape);
    let base = 0;
    let j = 0;
    x.shape.forEach((_, ax) => { if (ax !== axis) base += idx[j++]! * s[ax]!; });
    const line: number[] = [];
    for (let t = 0; t < x.shape[axis]!; t++) line.push(x.data[base + t * s[axis]!]!);
    data.push(fn(line));
  }
  return { dtype: x.dtype, shape, data };
}

const sum = (v: number[]): number => v.reduce((p, q) => p + q, 0);

/** Vector norm along `axis` in float64 (the test casts to the result dtype). */
export function refVectorNorm(x: R.Ref, ord: number | null, axis: number): R.Ref {
  return along(x, axis, (v) => {
    const a = v.map(Math.abs);
    if (ord === null || ord === 2) return Math.sqrt(sum(v.map((t) => t * t)));
    if (ord === Infinity) return a.length ? Math.max(...a) : NaN;
    if (ord === -Infinity) return a.length ? Math.min(...a) : NaN;
    if (ord === 0) return a.filter((t) => t !== 0).length;
    if (ord === 1) return sum(a);
    return Math.pow(sum(a.map((t) => Math.pow(t, ord))), 1 / ord);
  });
}

/** Matrix norm of a 2-D x: 'fro', 1, -1, inf, -inf. */
export function refMatrixNorm(x: R.Ref, ord: number | "fro" | null): number {
  const [m, n] = x.shape as [number, number];
  const at = (i: number, j: number): number => x.data[i * n + j]!;
  if (ord === null || ord === "fro") return Math.sqrt(sum(x.data.map((t) => t * t)));
  const colSums = [...Array(n).keys()].map((j) => sum([...Array(m).keys()].map((i) => Math.abs(at(i, j)))));
  const rowSums = [...Array(m).keys()].map((i) => sum([...Array(n).keys()].map((j) => Math.abs(at(i, j)))));
  if (ord === 1) return Math.max(...colSums);
  if (ord === -1) return Math.min(...colSums);
  if (ord === Infinity) return Math.max(...rowSums);
  if (ord === -Infinity) return Math.min(...rowSums);
  throw new Error(`refMatrixNorm: ord ${ord}`);
}
