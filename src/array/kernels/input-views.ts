/**
 * Input views (src/array/fusion/ir.ts `InputView`): fusion folds a transpose or a one-block
 * slice into the program that reads it, so the permuted or sliced block is never a task result
 * of its own (no fresh buffer, no transfer). Before the kernel runs, each viewed input is
 * gathered into a thread-local scratch buffer by the tiled strided copy.
 */
import type { ChunkProgram, InputView, NDChunk, ProgramNode } from "../fusion/ir.js";
import { cStrides } from "./assemble.js";
import { scratch } from "./scratch.js";
import { stridedCopy } from "./strided-copy.js";
import { ArrayKernelError } from "./errors.js";

interface Views {
  /** The program without views (what the kernel is compiled from; shared by every view). */
  readonly bare: ChunkProgram;
  /** Slot → its view (every `in` node of a slot carries the same view). */
  readonly bySlot: ReadonlyMap<number, InputView>;
}

const cache = new WeakMap<ChunkProgram, Views | null>();

/** The views of `p`, or null when it has none. */
export function programViews(p: ChunkProgram): Views | null {
  let v = cache.get(p);
  if (v !== undefined) return v;
  const bySlot = new Map<number, InputView>();
  for (const n of p.nodes) if (n.op === "in" && n.view !== undefined) bySlot.set(n.slot, n.view);
  if (bySlot.size === 0) v = null;
  else {
    const nodes: ProgramNode[] = p.nodes.map((n) => (n.op === "in" && n.view !== undefined ? { op: "in", slot: n.slot, dtype: n.dtype } : n));
    v = { bare: { ...p, nodes }, bySlot };
  }
  cache.set(p, v);
  return v;
}

/** The block `view` selects from `x`, in scratch buffer `slot` (valid until the next use of it). */
export function applyView(x: NDChunk, view: InputView, slot: number): NDChunk {
  const nd = x.shape.length;
  const perm = view.perm ?? [...Array(nd).keys()];
  if (perm.length !== nd) throw new ArrayKernelError(`array.program: a view with ${perm.length} axes on a block of shape [${x.shape.join(", ")}]`);
  const bs = cStrides(x.shape);
  const tShape = perm.map((a) => x.shape[a]!);
  const tStride = perm.map((a) => bs[a]!);
  const start = view.start ?? tShape.map(() => 0);
  const step = view.step ?? tShape.map(() => 1);
  const count = view.count ?? tShape;
  let base = 0;
  for (let k = 0; k < nd; k++) {
    const last = start[k]! + (count[k]! - 1) * step[k]!;
    if (count[k]! > 0 && (start[k]! < 0 || start[k]! >= tShape[k]! || last < 0 || last >= tShape[k]!)) {
      throw new ArrayKernelError(`array.program: view axis ${k} [${start[k]} + i·${step[k]}, i < ${count[k]}] is outside a block extent of ${tShape[k]}`);
    }
    base += start[k]! * tStride[k]!;
  }
  const n = count.reduce((a, b) => a * b, 1);
  const out = scratch(x.dtype, n, slot);
  stridedCopy(x.data, base, tStride.map((s, k) => s * step[k]!), out, 0, cStrides(count), count);
  return { dtype: x.dtype, shape: [...count], data: out };
}
