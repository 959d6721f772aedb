/** Shape kernels: a block under a new shape (same data), and coarsen (block-reduce). */
import type { DType } from "../../dtype.js";
import type { NDChunk } from "../../fusion/ir.js";
import { chunkOf, cStrides, get, numel } from "./chunk-util.js";

export function view(_p: unknown, bp: { shape: readonly number[] }, [x]: readonly NDChunk[]): NDChunk {
  return { dtype: x!.dtype, shape: [...bp.shape], data: x!.data };
}

export type CoarsenReducer = "sum" | "mean" | "min" | "max" | "prod" | "any" | "all";

/** Reduce non-overlapping windows of `factors[k]` elements per axis. */
export function coarsen(p: { reducer: CoarsenReducer; factors: readonly number[]; dtype: DType }, _bp: unknown, [x]: readonly NDChunk[]): NDChunk {
  const shape = x!.shape.map((n, k) => n / p.factors[k]!);
  const n = numel(shape);
  const init = p.reducer === "min" ? Infinity : p.reducer === "max" ? -Infinity : p.reducer === "prod" || p.reducer === "all" ? 1 : 0;
  const acc = new Float64Array(n).fill(init);
  const os = cStrides(shape);
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  for (let i = 0; i < x!.data.length; i++) {
    let o = 0;
    for (let k = 0; k < nd; k++) o += Math.floor(idx[k]! / p.factors[k]!) * os[k]!;
    const v = get(x!.data, i), a = acc[o]!;
    switch (p.reducer) {
      case "sum": case "mean": acc[o] = a + v; break;
      case "prod": acc[o] = a * v; break;
      case "min": acc[o] = v < a || v !== v ? v : a; break;
      case "max": acc[o] = v > a || v !== v ? v : a; break;
      case "any": acc[o] = a !== 0 || v !== 0 ? 1 : 0; break;
      case "all": acc[o] = a !== 0 && v !== 0 ? 1 : 0; break;
    }
    for (let k = nd - 1; k >= 0; k--) { if (++idx[k]! < x!.shape[k]!) break; idx[k] = 0; }
  }
  if (p.reducer === "mean") {
    const w = p.factors.reduce((a, b) => a * b, 1);
    for (let i = 0; i < n; i++) acc[i] = acc[i]! / w;
  }
  return chunkOf(p.dtype, shape, acc);
}
