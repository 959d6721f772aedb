/** squeeze, expandDims, moveaxis, swapaxes, flip, roll, pad, and a slice along one axis. */
import type { SliceSpec } from "../shape-ops.js";
import { reshape, sliceArray, transpose } from "../shape-ops.js";
import { TArray } from "../core.js";
import { full } from "../creation.js";
import { ArrayArgumentError, checkOptions, showValue } from "../errors.js";
import { applyArray } from "./apply.js";
import { concatenate } from "./join.js";
import { takeIndices } from "./indexing.js";
import { normAxis, requireKnownChunks } from "./util.js";

/** a[..., start:stop, ...] along one axis. */
export function sliceAlong(a: TArray, axis: number, start: number, stop: number): TArray {
  const spec: SliceSpec[] = a.shape.map((_, k) => (k === axis ? [start, stop] : null));
  return sliceArray(a, spec);
}

function axisList(axis: number | readonly number[] | undefined | null, nd: number, where: string): number[] | undefined {
  if (axis === undefined || axis === null) return undefined;
  const list = typeof axis === "number" ? [axis] : axis;
  if (!Array.isArray(list)) throw new ArrayArgumentError(`${where}: axis must be a number or a list of numbers, got ${showValue(axis)}`);
  const out = list.map((x) => normAxis(x, nd, where));
  if (new Set(out).size !== out.length) throw new ArrayArgumentError(`${where}: axis ${showValue(axis)} repeats an axis`);
  return out;
}

function viewAs(a: TArray, prefix: string, chunks: number[][], srcIndex: (idx: number[]) => number[]): TArray {
  return applyArray({
    prefix, kernel: "view", params: null, inputs: [a], chunks, dtype: a.dtype,
    block: (idx) => ({ keys: [a.key(srcIndex(idx))], params: { shape: idx.map((b, k) => chunks[k]![b]!) } }),
  });
}

/** Insert length-1 axes at the given positions of the result. */
export function expandDims(a: TArray, axis: number | readonly number[]): TArray {
  const n = typeof axis === "number" ? 1 : axis.length;
  const axes = axisList(axis, a.ndim + n, "expandDims")!.sort((x, y) => x - y);
  const chunks: number[][] = [];
  let src = 0;
  const from: (number | null)[] = [];
  for (let k = 0; k < a.ndim + n; k++) {
    if (axes.includes(k)) { chunks.push([1]); from.push(null); } else { chunks.push([...a.chunks[src]!]); from.push(src++); }
  }
  return viewAs(a, "expand_dims", chunks, (idx) => idx.filter((_, k) => from[k] !== null));
}

/** Remove length-1 axes (all of them, or those given; a given axis must have length 1). */
export function squeeze(a: TArray, opts: { axis?: number | readonly number[] | null } = {}): TArray {
  checkOptions(opts, ["axis"], "squeeze");
  const given = axisList(opts.axis, a.ndim, "squeeze");
  const axes = given ?? a.shape.flatMap((n, k) => (n === 1 ? [k] : []));
  for (const k of axes) if (a.shape[k] !== 1) throw new ArrayArgumentError(`squeeze: axis ${k} has length ${a.shape[k]}, not 1; only length-1 axes can be removed`);
  if (axes.length === 0) return a;
  const chunks = a.chunks.filter((_, k) => !axes.includes(k)).map((c) => [...c]);
  return viewAs(a, "squeeze", chunks, (idx) => {
    const full: number[] = [];
    let j = 0;
    for (let k = 0; k < a.ndim; k++) full.push(axes.includes(k) ? 0 : idx[j++]!);
    return full;
  });
}

/** Move axes to new positions, the others keeping their order. */
export function moveaxis(a: TArray, source: number | readonly number[], destination: number | readonly number[]): TArray {
  const src = axisList(source, a.ndim, "moveaxis")!;
  const dst = axisList(destination, a.ndim, "moveaxis")!;
  if (src.length !== dst.length) throw new ArrayArgumentError(`moveaxis: source and destination must have the same number of axes (${src.length} vs ${dst.length})`);
  const order = [...Array(a.ndim).keys()].filter((k) => !src.includes(k));
  const pairs = dst.map((d, i) => [d, src[i]!] as const).sort((x, y) => x[0] - y[0]);
  for (const [d, s] of pairs) order.splice(d, 0, s);
  return transpose(a, order);
}

export function swapaxes(a: TArray, axis1: number, axis2: number): TArray {
  const i = normAxis(axis1, a.ndim, "swapaxes"), j = normAxis(axis2, a.ndim, "swapaxes");
  const perm = [...Array(a.ndim).keys()];
  perm[i] = j;
  perm[j] = i;
  return transpose(a, perm);
}

/** Reverse the order of elements along the given axes (all when omitted). */
export function flip(a: TArray, opts: { axis?: number | readonly number[] | null } = {}): TArray {
  checkOptions(opts, ["axis"], "flip");
  const axes = axisList(opts.axis, a.ndim, "flip") ?? [...Array(a.ndim).keys()];
  if (axes.length === 0) return a;
  return sliceArray(a, a.shape.map((_, k) => (axes.includes(k) ? [null, null, -1] : null)));
}

/** Roll elements along axes (the flattened array when no axis), as numpy.roll. */
export function roll(a: TArray, shift: number | readonly number[], opts: { axis?: number | readonly number[] | null } = {}): TArray {
  checkOptions(opts, ["axis"], "roll");
  requireKnownChunks(a, "roll");
  const shifts = typeof shift === "number" ? [shift] : [...shift];
  if (shifts.some((s) => !Number.isInteger(s))) throw new ArrayArgumentError(`roll: shift ${showValue(shift)} must be an integer or a list of integers`);
  const axes = axisList(opts.axis, a.ndim, "roll");
  if (axes === undefined) {
    if (shifts.length !== 1) throw new ArrayArgumentError("roll: give one shift when no axis is given");
    return reshape(roll(reshape(a, [a.size]), shifts[0]!, { axis: 0 }), a.shape);
  }
  const perAxis = axes.length > 1 && shifts.length === 1 ? axes.map(() => shifts[0]!) : shifts;
  if (perAxis.length !== axes.length) throw new ArrayArgumentError(`roll: ${shifts.length} shifts for ${axes.length} axes`);
  let x = a;
  const total = new Map<number, number>();
  axes.forEach((k, i) => total.set(k, (total.get(k) ?? 0) + perAxis[i]!));
  for (const [k, s] of total) {
    const n = x.shape[k]!;
    if (n === 0) continue;
    const r = ((s % n) + n) % n;
    if (r === 0) continue;
    x = concatenate([sliceAlong(x, k, n - r, n), sliceAlong(x, k, 0, n - r)], { axis: k });
  }
  return x;
}

export type PadMode = "constant" | "edge" | "wrap" | "reflect" | "symmetric";
export type PadWidth = number | readonly [number, number] | readonly (readonly [number, number])[];

export interface PadOptions {
  readonly mode?: PadMode;
  /** The fill value for mode 'constant' (default 0). */
  readonly constantValues?: number;
}

function widths(w: PadWidth, nd: number): [number, number][] {
  const bad = (): never => { throw new ArrayArgumentError(`pad: width ${showValue(w)} must be n, [before, after] or one [before, after] per axis, non-negative integers`); };
  const ok = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= 0;
  if (typeof w === "number") return ok(w) ? Array.from({ length: nd }, () => [w, w]) : bad();
  if (!Array.isArray(w)) return bad();
  if (w.length === 2 && typeof w[0] === "number") {
    const [b, a] = w as unknown as readonly [number, number];
    return ok(b) && ok(a) ? Array.from({ length: nd }, () => [b, a]) : bad();
  }
  if (w.length === 1 && Array.isArray(w[0])) return widths(w[0] as unknown as readonly [number, number], nd);
  if (w.length !== nd) return bad();
  return (w as readonly (readonly [number, number])[]).map((p) => (Array.isArray(p) && p.length === 2 && ok(p[0]) && ok(p[1]) ? [p[0], p[1]] : bad()));
}

/** Source position along an axis of length n for padded position i - before (non-constant modes). */
function sourceIndex(mode: Exclude<PadMode, "constant">, j: number, n: number): number {
  switch (mode) {
    case "edge": return Math.min(n - 1, Math.max(0, j));
    case "wrap": return ((j % n) + n) % n;
    case "reflect": {
      if (n === 1) return 0;
      const p = 2 * n - 2;
      const r = ((j % p) + p) % p;
      return r < n ? r : p - r;
    }
    case "symmetric": {
      const p = 2 * n;
      const r = ((j % p) + p) % p;
      return r < n ? r : p - 1 - r;
    }
  }
}

/** numpy.pad with modes constant, edge, wrap, reflect and symmetric. */
export function pad(a: TArray, width: PadWidth, opts: PadOptions = {}): TArray {
  checkOptions(opts, ["mode", "constantValues"], "pad");
  requireKnownChunks(a, "pad");
  const mode = opts.mode ?? "constant";
  if (!["constant", "edge", "wrap", "reflect", "symmetric"].includes(mode)) {
    throw new ArrayArgumentError(`pad: mode ${showValue(mode)} is not supported; use constant, edge, wrap, reflect or symmetric`);
  }
  if (opts.constantValues !== undefined && mode !== "constant") throw new ArrayArgumentError(`pad: constantValues applies to mode 'constant' only`);
  const w = widths(width, a.ndim);
  let x = a;
  w.forEach(([before, after], k) => {
    if (before === 0 && after === 0) return;
    const n = x.shape[k]!;
    if (mode === "constant") {
      const v = opts.constantValues ?? 0;
      const side = (m: number): TArray => full(x.shape.map((s, j) => (j === k ? m : s)), v, { dtype: x.dtype, chunks: x.chunks.map((c, j) => (j === k ? [m] : c)) });
      const parts = [...(before > 0 ? [side(before)] : []), x, ...(after > 0 ? [side(after)] : [])];
      x = concatenate(parts, { axis: k });
      return;
    }
    if (n === 0) throw new ArrayArgumentError(`pad: cannot extend the empty axis ${k} in mode '${mode}'`);
    const idx = Array.from({ length: before + n + after }, (_, i) => sourceIndex(mode, i - before, n));
    const chunks = [...(before > 0 ? [before] : []), ...x.chunks[k]!, ...(after > 0 ? [after] : [])];
    x = takeIndices(x, idx, k, chunks, "pad");
  });
  return x;
}
