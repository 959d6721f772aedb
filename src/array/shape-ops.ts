/** Basic slicing, transpose and reshape. */
import { showValue } from "../util/options.js";
import { tokenName } from "../graph/keys.js";
import { blockKey, ref, type Graph } from "../graph/spec.js";
import { blockIndices, offsets } from "./chunks.js";
import { TArray, mergeLayers } from "./core.js";
import { ARRAY_OPS } from "./ops-names.js";
import { rechunk } from "./rechunk.js";
import { ArrayArgumentError } from "./errors.js";

/** One axis of a slice: an integer (drops the axis), [start, stop, step] (null = default), or null (':'). */
export type SliceSpec = number | null | undefined | readonly (number | null | undefined)[] | string;

type AxisSel = { readonly kind: "int"; readonly i: number } | { readonly kind: "range"; readonly start: number; readonly step: number; readonly len: number };

function parseString(s: string): SliceSpec[] {
  return s.split(",").map((part, j) => {
    const t = part.trim();
    if (t === "" || t === ":" || t === "::") return null;
    if (!t.includes(":")) {
      const n = Number(t);
      if (!Number.isInteger(n)) throw new ArrayArgumentError(`slice: '${t}' (entry ${j} of '${s}') is not an integer or start:stop:step`);
      return n;
    }
    const f = t.split(":");
    if (f.length > 3) throw new ArrayArgumentError(`slice: '${t}' has more than two ':'`);
    return f.map((x) => {
      const y = x.trim();
      if (y === "") return null;
      const n = Number(y);
      if (!Number.isInteger(n)) throw new ArrayArgumentError(`slice: '${y}' in '${t}' is not an integer`);
      return n;
    });
  });
}

function normalizeAxis(spec: SliceSpec, n: number, k: number): AxisSel {
  if (spec === null || spec === undefined) return { kind: "range", start: 0, step: 1, len: n };
  if (typeof spec === "number") {
    if (!Number.isInteger(spec)) throw new ArrayArgumentError(`slice: index ${spec} for axis ${k} is not an integer`);
    const i = spec < 0 ? spec + n : spec;
    if (i < 0 || i >= n) throw new ArrayArgumentError(`slice: index ${spec} is out of bounds for axis ${k} with size ${n}`);
    return { kind: "int", i };
  }
  if (typeof spec === "string") throw new ArrayArgumentError("slice: a string spec must be the only argument, e.g. x.slice('0:10:2, 3')");
  if (!Array.isArray(spec) || spec.length > 3) throw new ArrayArgumentError(`slice: axis ${k}: expected an integer, null or [start, stop, step], got ${showValue(spec)}`);
  const [a, b, c] = spec as (number | null | undefined)[];
  for (const v of [a, b, c]) if (v !== null && v !== undefined && !Number.isInteger(v)) throw new ArrayArgumentError(`slice: axis ${k}: ${v} is not an integer`);
  const step = c ?? 1;
  if (step === 0) throw new ArrayArgumentError(`slice: axis ${k}: step cannot be zero`);
  let start: number, stop: number;
  if (step > 0) {
    start = a === null || a === undefined ? 0 : a < 0 ? Math.max(0, a + n) : Math.min(a, n);
    stop = b === null || b === undefined ? n : b < 0 ? Math.max(0, b + n) : Math.min(b, n);
  } else {
    start = a === null || a === undefined ? n - 1 : a < 0 ? Math.max(-1, a + n) : Math.min(a, n - 1);
    stop = b === null || b === undefined ? -1 : b < 0 ? Math.max(-1, b + n) : Math.min(b, n - 1);
  }
  const len = Math.max(0, Math.ceil((stop - start) / step));
  return { kind: "range", start, step, len };
}

interface AxisPiece { readonly block: number; readonly start: number; readonly count: number }

/** Output blocks of one axis: the selected elements of each input block, in selection order. */
function axisPieces(chunks: readonly number[], sel: AxisSel): AxisPiece[] {
  const offs = offsets(chunks);
  const blockOf = (g: number): number => {
    let b = 0;
    while (b + 1 < chunks.length && offs[b + 1]! <= g) b++;
    return b;
  };
  if (sel.kind === "int") {
    const b = blockOf(sel.i);
    return [{ block: b, start: sel.i - offs[b]!, count: 1 }];
  }
  const out: AxisPiece[] = [];
  let i = 0;
  while (i < sel.len) {
    const g = sel.start + i * sel.step;
    const b = blockOf(g);
    const lo = offs[b]!, hi = lo + chunks[b]!;
    // How many consecutive selected elements stay inside block b.
    const room = sel.step > 0 ? Math.floor((hi - 1 - g) / sel.step) + 1 : Math.floor((g - lo) / -sel.step) + 1;
    const count = Math.min(room, sel.len - i);
    out.push({ block: b, start: g - lo, count });
    i += count;
  }
  if (out.length === 0) out.push({ block: 0, start: 0, count: 0 });
  return out;
}

export function sliceArray(a: TArray, specIn: readonly SliceSpec[]): TArray {
  const spec = specIn.length === 1 && typeof specIn[0] === "string" ? parseString(specIn[0]) : [...specIn];
  if (spec.length > a.ndim) throw new ArrayArgumentError(`slice: ${spec.length} indices for an array with ${a.ndim} axes`);
  const shape = a.shape;
  const sels = shape.map((n, k) => normalizeAxis(spec[k], n, k));
  const per = sels.map((s, k) => axisPieces(a.chunks[k]!, s));
  const steps = sels.map((s) => (s.kind === "int" ? 1 : s.step));
  const keep = sels.map((s) => s.kind === "range");
  const outChunks = per.filter((_, k) => keep[k]).map((ps) => ps.map((p) => p.count));
  const name = tokenName("getitem", a.name, sels);
  const layer: Graph = {};
  for (const combo of blockIndices(per.map((p) => p.length))) {
    const ps = combo.map((j, k) => per[k]![j]!);
    const full = ps.map((p) => p.count);
    const outIdx = combo.filter((_, k) => keep[k]);
    layer[blockKey(name, outIdx)] = {
      op: ARRAY_OPS.assemble,
      args: [a.dtype, full, full.filter((_, k) => keep[k]), [{ src: ref(a.key(ps.map((p) => p.block))), start: ps.map((p) => p.start), step: steps, dst: ps.map(() => 0), count: full }]],
    };
  }
  return new TArray(mergeLayers([a], name, layer), name, outChunks, a.dtype);
}

function checkAxes(axes: readonly number[], nd: number, what: string): number[] {
  return axes.map((x) => {
    if (!Number.isInteger(x) || x < -nd || x >= nd) throw new ArrayArgumentError(`${what}: axis ${x} is out of range for an array with ${nd} axes`);
    return x < 0 ? x + nd : x;
  });
}

export function transpose(a: TArray, axes?: readonly number[]): TArray {
  const nd = a.ndim;
  const perm = axes === undefined ? [...Array(nd).keys()].reverse() : checkAxes(axes, nd, "transpose");
  if (perm.length !== nd || new Set(perm).size !== nd) throw new ArrayArgumentError(`transpose: axes [${axes?.join(", ")}] are not a permutation of ${nd} axes`);
  if (perm.every((p, i) => p === i)) return a;
  const name = tokenName("transpose", a.name, perm);
  const layer: Graph = {};
  const chunks = perm.map((p) => a.chunks[p]!);
  for (const idx of blockIndices(chunks.map((c) => c.length))) {
    const src = new Array<number>(nd);
    perm.forEach((p, k) => { src[p] = idx[k]!; });
    layer[blockKey(name, idx)] = { op: ARRAY_OPS.transpose, args: [ref(a.key(src)), perm] };
  }
  return new TArray(mergeLayers([a], name, layer), name, chunks, a.dtype);
}

const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));

/**
 * reshape: the trailing axes become single blocks (rechunking if needed) and the leading axis is
 * split at rows that are whole rows of the output too, so every block is a contiguous slab of
 * the flattened array and keeps its data as is.
 */
export function reshape(a: TArray, shapeIn: readonly number[]): TArray {
  const shapeArr = [...shapeIn];
  const unknown = shapeArr.filter((n) => n === -1).length;
  if (unknown > 1) throw new ArrayArgumentError("reshape: only one dimension can be -1");
  shapeArr.forEach((n, k) => {
    if (!Number.isInteger(n) || n < -1) throw new ArrayArgumentError(`reshape: shape[${k}] = ${n} is not a non-negative integer (or -1)`);
  });
  const known = shapeArr.filter((n) => n !== -1).reduce((x, y) => x * y, 1);
  if (unknown === 1) {
    if (known === 0 || a.size % known !== 0) throw new ArrayArgumentError(`reshape: cannot reshape an array of size ${a.size} into shape [${shapeIn.join(", ")}]`);
    shapeArr[shapeArr.indexOf(-1)] = a.size / known;
  }
  const shape = shapeArr;
  if (shape.reduce((x, y) => x * y, 1) !== a.size) {
    throw new ArrayArgumentError(`reshape: cannot reshape an array of shape [${a.shape.join(", ")}] (size ${a.size}) into shape [${shape.join(", ")}]`);
  }
  if (shape.length === a.ndim && shape.every((n, k) => n === a.shape[k])) return a;
  const name = tokenName("reshape", a.name, shape);
  const layer: Graph = {};
  if (a.npartitions === 1 || a.size === 0 || a.ndim === 0 || shape.length === 0) {
    const one = a.npartitions === 1 ? a : rechunk(a, a.shape.map(() => -1));
    layer[blockKey(name, shape.map(() => 0))] = { op: ARRAY_OPS.reshape, args: [ref(one.key(one.chunks.map(() => 0))), shape] };
    return new TArray(mergeLayers([one], name, layer), name, shape.map((n) => [n]), a.dtype);
  }
  const rIn = a.shape.slice(1).reduce((x, y) => x * y, 1);
  const rOut = shape.slice(1).reduce((x, y) => x * y, 1);
  const rows = rOut / gcd(rIn, rOut); // input rows per aligned unit
  const bounds: number[] = [];
  let acc = 0;
  for (const c of a.chunks[0]!) {
    acc += c;
    const r = Math.max(rows, Math.round(acc / rows) * rows);
    if (r > (bounds[bounds.length - 1] ?? 0) && r < a.shape[0]!) bounds.push(r);
  }
  bounds.push(a.shape[0]!);
  const axis0: number[] = bounds.map((b, i) => b - (bounds[i - 1] ?? 0)).filter((x) => x > 0);
  const want = [axis0, ...a.shape.slice(1).map((n) => [n])];
  const src = rechunk(a, want);
  const outAxis0 = axis0.map((r) => (r * rIn) / rOut);
  axis0.forEach((_, i) => {
    const bshape = [outAxis0[i]!, ...shape.slice(1)];
    layer[blockKey(name, [i, ...shape.slice(1).map(() => 0)])] = { op: ARRAY_OPS.reshape, args: [ref(src.key([i, ...a.shape.slice(1).map(() => 0)])), bshape] };
  });
  return new TArray(mergeLayers([src], name, layer), name, [outAxis0, ...shape.slice(1).map((n) => [n])], a.dtype);
}
