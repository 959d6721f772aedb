// A plain in-memory reference for array results: flat number arrays with shapes, computed element
// by element with NumPy's rules, independent of the chunked implementation.
import type { DType } from "../../src/array/dtype.js";

export interface Ref {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

export const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let k = shape.length - 1; k >= 0; k--) { s[k] = acc; acc *= shape[k]!; }
  return s;
}

export function unravel(f: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) { idx[k] = f % shape[k]!; f = Math.floor(f / shape[k]!); }
  return idx;
}

/** What storing `v` in a `d` array gives (NumPy casting for in-range values). */
export function cast(d: DType, v: number): number {
  switch (d) {
    case "float64": return v;
    case "float32": return Math.fround(v);
    case "int32": return Number.isFinite(v) ? Math.trunc(v) | 0 : 0;
    case "uint8": return Number.isFinite(v) ? Math.trunc(v) & 255 : 0;
    case "bool": return v !== 0 ? 1 : 0;
    case "int64": return Number.isFinite(v) ? Math.trunc(v) : 0;
  }
}

export function broadcast(a: readonly number[], b: readonly number[]): number[] {
  const nd = Math.max(a.length, b.length);
  return Array.from({ length: nd }, (_, k) => {
    const x = a[a.length - nd + k] ?? 1, y = b[b.length - nd + k] ?? 1;
    return x === 1 ? y : x;
  });
}

function at(r: Ref, idx: readonly number[]): number {
  const off = idx.length - r.shape.length;
  const s = strides(r.shape);
  let f = 0;
  r.shape.forEach((n, k) => { if (n !== 1) f += idx[k + off]! * s[k]!; });
  return r.data[f]!;
}

export function map(refs: readonly Ref[], dtype: DType, fn: (...v: number[]) => number): Ref {
  const shape = refs.map((r) => r.shape).reduce((a, b) => broadcast(a, b), [] as number[]);
  const data: number[] = [];
  for (let f = 0; f < size(shape); f++) {
    const idx = unravel(f, shape);
    data.push(cast(dtype, fn(...refs.map((r) => at(r, idx)))));
  }
  return { dtype, shape, data };
}

/** Reduce `axes` with `fold` over values in C order of each output element. */
export function reduce(r: Ref, axes: readonly number[], keepdims: boolean, dtype: DType, fold: (vals: number[]) => number): Ref {
  const outShape = r.shape.map((n, k) => (axes.includes(k) ? 1 : n));
  const groups: number[][] = Array.from({ length: size(outShape) }, () => []);
  const os = strides(outShape);
  for (let f = 0; f < r.data.length; f++) {
    const idx = unravel(f, r.shape);
    let o = 0;
    idx.forEach((i, k) => { if (!axes.includes(k)) o += i * os[k]!; });
    groups[o]!.push(r.data[f]!);
  }
  const shape = keepdims ? outShape : r.shape.filter((_, k) => !axes.includes(k));
  return { dtype, shape, data: groups.map((g) => cast(dtype, fold(g))) };
}

export function slice(r: Ref, sel: readonly ({ i: number } | { start: number; step: number; len: number })[]): Ref {
  const outFull = sel.map((s) => ("i" in s ? 1 : s.len));
  const shape = sel.filter((s) => !("i" in s)).map((s) => (s as { len: number }).len);
  const data: number[] = [];
  const st = strides(r.shape);
  for (let f = 0; f < size(outFull); f++) {
    const idx = unravel(f, outFull);
    let src = 0;
    sel.forEach((s, k) => { src += ("i" in s ? s.i : s.start + idx[k]! * s.step) * st[k]!; });
    data.push(r.data[src]!);
  }
  return { dtype: r.dtype, shape, data };
}

export function transpose(r: Ref, perm: readonly number[]): Ref {
  const shape = perm.map((p) => r.shape[p]!);
  const st = strides(r.shape);
  const data: number[] = [];
  for (let f = 0; f < size(shape); f++) {
    const idx = unravel(f, shape);
    let src = 0;
    perm.forEach((p, k) => { src += idx[k]! * st[p]!; });
    data.push(r.data[src]!);
  }
  return { dtype: r.dtype, shape, data };
}
