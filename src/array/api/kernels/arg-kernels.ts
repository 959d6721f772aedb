/**
 * argmin / argmax as a two-step reduction: each block gives, per line along the axis, its best
 * value and that value's global index (a float64 block with the axis of extent 2); the
 * aggregate picks among the blocks' candidates in block order, so ties go to the first index
 * and a NaN wins (its first occurrence), as in NumPy.
 */
import type { NDChunk } from "../../fusion/ir.js";
import { chunkOf, forEachLine, get, numel } from "./chunk-util.js";
import { ArrayArgumentError } from "../../errors.js";

export interface ArgParams { readonly fn: "min" | "max"; readonly axis: number; readonly skipNaN?: boolean }

const better = (fn: "min" | "max", v: number, best: number): boolean =>
  best !== best ? false : v !== v ? true : fn === "min" ? v < best : v > best;

export function argChunk(p: ArgParams, bp: { offset: number }, [x]: readonly NDChunk[]): NDChunk {
  const shape = x!.shape.map((n, k) => (k === p.axis ? 2 : n));
  const vals = new Float64Array(numel(shape));
  const half = numel(shape.slice(p.axis + 1));
  forEachLine(x!.shape, p.axis, (base, stride, n) => {
    let best = get(x!.data, base), at = 0;
    if (p.skipNaN === true) {
      // nanargmin/nanargmax: NaNs are skipped; a line of NaNs reports index -1.
      best = NaN; at = -1;
      for (let j = 0; j < n; j++) {
        const v = get(x!.data, base + j * stride);
        if (v === v && (at < 0 || (p.fn === "min" ? v < best : v > best))) { best = v; at = j; }
      }
    } else {
      for (let j = 1; j < n; j++) {
        const v = get(x!.data, base + j * stride);
        if (better(p.fn, v, best)) { best = v; at = j; }
      }
    }
    // Output layout: same line position, slot 0 = value, slot 1 = index (stride `half` apart).
    const outer = Math.floor(base / (n * stride)), inner = base % stride;
    const ob = outer * 2 * half + inner;
    vals[ob] = best;
    vals[ob + half] = at < 0 ? -1 : bp.offset + at;
  });
  return chunkOf("float64", shape, vals);
}

export function argAggregate(p: ArgParams, _bp: unknown, parts: readonly NDChunk[]): NDChunk {
  const pshape = parts[0]!.shape;
  const outShape = pshape.filter((_, k) => k !== p.axis);
  const out = new Float64Array(numel(outShape));
  const half = numel(pshape.slice(p.axis + 1));
  let line = 0;
  forEachLine(pshape, p.axis, (base) => {
    let best = NaN, at = -1;
    for (const q of parts) {
      const v = get(q.data, base), i = get(q.data, base + half);
      if (p.skipNaN === true) {
        if (i >= 0 && (at < 0 || (p.fn === "min" ? v < best : v > best))) { best = v; at = i; }
      } else if (at < 0 || better(p.fn, v, best)) { best = v; at = i; }
    }
    if (at < 0) throw new ArrayArgumentError(`nanarg${p.fn}: All-NaN slice encountered`);
    out[line++] = at;
  });
  return chunkOf("int64", outShape, out);
}
