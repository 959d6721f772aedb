/** Joining: concatenate, stack, block. Blocks are reused as they are (no copy) after casting. */
import { refine, sameChunks } from "../chunks.js";
import { TArray, astype } from "../core.js";
import { promote } from "../dtype.js";
import { ArrayArgumentError, checkOptions } from "../errors.js";
import { rechunk } from "../rechunk.js";
import { applyArray } from "./apply.js";
import { expandDims } from "./shaping.js";
import { normAxis, requireKnownChunks } from "./util.js";

function checkArrays(arrays: unknown, where: string): TArray[] {
  if (!Array.isArray(arrays) || arrays.length === 0 || !arrays.every((a) => a instanceof TArray)) {
    throw new ArrayArgumentError(`${where}: expected a non-empty list of arrays`);
  }
  for (const a of arrays as TArray[]) requireKnownChunks(a, where);
  return arrays as TArray[];
}

/** Join arrays along an existing axis (default 0); dtypes promote as in NumPy. */
export function concatenate(arraysIn: readonly TArray[], opts: { axis?: number } = {}): TArray {
  const where = "concatenate";
  checkOptions(opts, ["axis"], where);
  const arrays = checkArrays(arraysIn, where);
  const nd = arrays[0]!.ndim;
  if (nd === 0) throw new ArrayArgumentError(`${where}: zero-dimensional arrays cannot be concatenated; use stack`);
  const axis = normAxis(opts.axis ?? 0, nd, where);
  arrays.forEach((a, i) => {
    if (a.ndim !== nd) throw new ArrayArgumentError(`${where}: array ${i} has ${a.ndim} axes, array 0 has ${nd}; all must have the same number`);
    a.shape.forEach((n, k) => {
      if (k !== axis && n !== arrays[0]!.shape[k]) {
        throw new ArrayArgumentError(`${where}: array ${i} has shape [${a.shape.join(", ")}], array 0 has [${arrays[0]!.shape.join(", ")}]; they may differ only along axis ${axis}`);
      }
    });
  });
  const dtype = arrays.map((a) => a.dtype).reduce((p, q) => promote(p, q));
  // Unify the chunks of the other axes so that blocks line up.
  const common = arrays[0]!.chunks.map((c, k) => (k === axis ? c : arrays.slice(1).reduce((acc, a) => refine(acc, a.chunks[k]!), [...c])));
  const parts = arrays.map((a) => {
    const want = a.chunks.map((c, k) => (k === axis ? c : common[k]!));
    const r = sameChunks(want, a.chunks) ? a : rechunk(a, want);
    return astype(r, dtype);
  });
  if (parts.length === 1) return parts[0]!;
  const owner: [number, number][] = [];
  parts.forEach((p, i) => p.chunks[axis]!.forEach((_, j) => owner.push([i, j])));
  const chunks = common.map((c, k) => (k === axis ? parts.flatMap((p) => p.chunks[axis]!) : [...c]));
  return applyArray({
    prefix: where, kernel: "view", params: null, inputs: parts, chunks, dtype,
    block: (idx) => {
      const [i, j] = owner[idx[axis]!]!;
      return { keys: [parts[i]!.key(idx.map((b, k) => (k === axis ? j : b)))], params: { shape: idx.map((b, k) => chunks[k]![b]!) } };
    },
  });
}

/** Join arrays of the same shape along a new axis (default 0). */
export function stack(arraysIn: readonly TArray[], opts: { axis?: number } = {}): TArray {
  checkOptions(opts, ["axis"], "stack");
  const arrays = checkArrays(arraysIn, "stack");
  const s0 = arrays[0]!.shape;
  arrays.forEach((a, i) => {
    if (a.ndim !== s0.length || a.shape.some((n, k) => n !== s0[k])) throw new ArrayArgumentError(`stack: array ${i} has shape [${a.shape.join(", ")}], array 0 has [${s0.join(", ")}]; all must be equal`);
  });
  const axis = normAxis(opts.axis ?? 0, s0.length + 1, "stack");
  return concatenate(arrays.map((a) => expandDims(a, axis)), { axis });
}

export type Nested = TArray | readonly Nested[];

/** numpy.block: nested lists joined from the innermost level (last axis) outwards. */
export function block(nested: Nested): TArray {
  const depthOf = (x: Nested): number => (x instanceof TArray ? 0 : 1 + depthOf((x as readonly Nested[])[0]!));
  if (nested instanceof TArray) return nested;
  if (!Array.isArray(nested) || nested.length === 0) throw new ArrayArgumentError("block: expected a nested list of arrays");
  const depth = depthOf(nested);
  const leaves: TArray[] = [];
  const collect = (x: Nested, d: number): void => {
    if (x instanceof TArray) {
      if (d !== depth) throw new ArrayArgumentError(`block: list depths are mismatched (an array at depth ${d}, expected ${depth})`);
      leaves.push(x);
    } else {
      if (!Array.isArray(x) || x.length === 0) throw new ArrayArgumentError("block: every list must hold arrays or lists");
      for (const y of x) collect(y, d + 1);
    }
  };
  collect(nested, 0);
  const nd = Math.max(depth, ...leaves.map((a) => a.ndim));
  const lift = (a: TArray): TArray => {
    let x = a;
    while (x.ndim < nd) x = expandDims(x, 0);
    return x;
  };
  const rec = (x: Nested, d: number): TArray => {
    if (x instanceof TArray) return lift(x);
    const parts = (x as readonly Nested[]).map((y) => rec(y, d + 1));
    return concatenate(parts, { axis: -(depth - d) });
  };
  return rec(nested, 0);
}
