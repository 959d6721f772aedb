// Plain in-memory references for the dask.array API functions (src/array/api/): lines along an
// axis, gathers and joins over flat arrays with shapes, element by element, independent of chunks.
import type { DType } from "../../src/array/dtype.js";
import { cast, size, strides, unravel, type Ref } from "./reference.js";

/** Replace every line along `axis` by fn(line) (all of the same length m). */
export function mapLines(r: Ref, axis: number, m: number, dtype: DType, fn: (line: number[]) => number[]): Ref {
  const shape = r.shape.map((n, k) => (k === axis ? m : n));
  const data = new Array<number>(size(shape)).fill(0);
  const si = strides(r.shape), so = strides(shape);
  const outer = r.shape.map((n, k) => (k === axis ? 1 : n));
  for (let f = 0; f < size(outer); f++) {
    const idx = unravel(f, outer);
    const base = idx.reduce((a, i, k) => a + i * si[k]!, 0), ob = idx.reduce((a, i, k) => a + i * so[k]!, 0);
    const line = Array.from({ length: r.shape[axis]! }, (_, j) => r.data[base + j * si[axis]!]!);
    fn(line).forEach((v, j) => { data[ob + j * so[axis]!] = cast(dtype, v); });
  }
  return { dtype, shape, data };
}

/** Reduce every line along `axis` to one value (the axis removed). */
export function reduceLines(r: Ref, axis: number, dtype: DType, fn: (line: number[]) => number): Ref {
  const m = mapLines(r, axis, 1, dtype, (l) => [fn(l)]);
  return { dtype, shape: m.shape.filter((_, k) => k !== axis), data: m.data };
}

/** Positions idx along `axis` (take, flip, roll, pad). */
export const gather = (r: Ref, axis: number, idx: readonly number[]): Ref => mapLines(r, axis, idx.length, r.dtype, (l) => idx.map((i) => l[i]!));

export function concat(refs: readonly Ref[], axis: number, dtype: DType): Ref {
  const shape = refs[0]!.shape.map((n, k) => (k === axis ? refs.reduce((a, x) => a + x.shape[axis]!, 0) : n));
  const data: number[] = [];
  for (let f = 0; f < size(shape); f++) {
    const idx = unravel(f, shape);
    let j = idx[axis]!, p = 0;
    while (j >= refs[p]!.shape[axis]!) { j -= refs[p]!.shape[axis]!; p++; }
    const src = refs[p]!;
    const s = strides(src.shape);
    data.push(cast(dtype, src.data[idx.reduce((a, i, k) => a + (k === axis ? j : i) * s[k]!, 0)]!));
  }
  return { dtype, shape, data };
}

export const flatten = (r: Ref): Ref => ({ dtype: r.dtype, shape: [size(r.shape)], data: [...r.data] });

/** NumPy's nan-ignoring and NaN-propagating helpers on plain lists. */
export const notNaN = (l: number[]): number[] => l.filter((v) => !Number.isNaN(v));
export function lerpQuantile(l: number[], q: number, median = false): number {
  if (l.some((v) => Number.isNaN(v))) return NaN;
  const s = [...l].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  if (median && n % 2 === 0) return (s[n / 2 - 1]! + s[n / 2]!) / 2;
  const pos = q * (n - 1), lo = Math.floor(pos), hi = Math.min(lo + 1, n - 1), g = pos - lo;
  return s[lo]! + (s[hi]! - s[lo]!) * g;
}
