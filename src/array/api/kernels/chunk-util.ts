/** Small helpers shared by the built-in block kernels: element access, allocation, strides. */
import { allocate, coerce, type DType } from "../../dtype.js";
import type { NDChunk } from "../../fusion/ir.js";

export type Data = NDChunk["data"];

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function cStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let k = shape.length - 1; k >= 0; k--) { s[k] = acc; acc *= shape[k]!; }
  return s;
}

/** Element i as a JS number (int64 through Number). */
export const get = (d: Data, i: number): number => (d instanceof BigInt64Array ? Number(d[i]!) : (d[i] as number));

/** A chunk of `dtype` filled from JS numbers (converted as storing them would). */
export function chunkOf(dtype: DType, shape: readonly number[], values: ArrayLike<number>): NDChunk {
  const out = allocate(dtype, values.length);
  if (out instanceof BigInt64Array) for (let i = 0; i < values.length; i++) out[i] = BigInt(coerce(dtype, values[i]!));
  else if (dtype === "float64" || dtype === "float32") (out as Float64Array).set(values);
  else for (let i = 0; i < values.length; i++) out[i] = coerce(dtype, values[i]!);
  return { dtype, shape: [...shape], data: out };
}

export function emptyChunk(dtype: DType, shape: readonly number[]): NDChunk {
  return { dtype, shape: [...shape], data: allocate(dtype, numel(shape)) };
}

/**
 * Visit every 1-d line of `shape` along `axis`: calls fn(base, stride, n) with the flat offset
 * of the line's first element, the flat stride along the axis and its length.
 */
export function forEachLine(shape: readonly number[], axis: number, fn: (base: number, stride: number, n: number) => void): void {
  const st = cStrides(shape);
  const n = shape[axis]!;
  const stride = st[axis]!;
  const outer = numel(shape.slice(0, axis));
  const inner = stride;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) fn(o * n * stride + i, stride, n);
  }
}

/** Typed-array constructor name → dtype(s) it can hold. */
export function dataMatches(dtype: DType, data: unknown): boolean {
  switch (dtype) {
    case "float64": return data instanceof Float64Array;
    case "float32": return data instanceof Float32Array;
    case "int32": return data instanceof Int32Array;
    case "int64": return data instanceof BigInt64Array;
    case "uint8": case "bool": return data instanceof Uint8Array;
  }
}
