/**
 * Transposed random draws (a `rand` leaf with `perm`, src/array/fusion/ir.ts): fusion folds
 * `x.T` of a random block into the program that reads it, so the block is never a task result.
 * Before the kernel runs, the op draws the block in its own order into a thread-local scratch
 * buffer (generators are fast along contiguous global indices only) and gathers it permuted
 * (the tiled strided copy) into a second one, which the kernel reads as an ordinary input.
 */
import type { ChunkInfo, NDChunk, ProgramNode } from "../fusion/ir.js";
import { cStrides } from "./assemble.js";
import { contiguousRun, globalIndex } from "./compile-js.js";
import { ArrayKernelError } from "./errors.js";
import { randFill } from "./random-leaf.js";
import { scratch } from "./scratch.js";
import { stridedCopy } from "./strided-copy.js";

type Rand = Extract<ProgramNode, { op: "rand" }>;

/** Scratch slots of the drawn blocks (before the permutation): far above any input slot. */
const DRAW_SLOT_BASE = 1 << 16;

/**
 * The leaf-ordered values of transposed draw `node` for a chunk `info`, on scratch buffer `slot`
 * (valid until the next use of that slot).
 */
export function drawPermuted(node: Rand, info: ChunkInfo, slot: number): NDChunk {
  const perm = node.perm!;
  const d = info.shape.length;
  const offset = node.origin === undefined ? undefined : info.origins?.[node.origin];
  if (perm.length !== d || offset === undefined || node.globalShape === undefined || node.dtype !== "float64") {
    throw new ArrayKernelError(`array.program: a transposed draw needs perm over ${d} axes, an origin and a global shape, and float64 (got perm [${perm.join(", ")}], dtype ${node.dtype})`);
  }
  const shape = new Array<number>(d);
  for (let k = 0; k < d; k++) shape[perm[k]!] = info.shape[k]!;
  const src: ChunkInfo = { shape, offset, globalShape: node.globalShape };
  const n = shape.reduce((a, b) => a * b, 1);
  const block = scratch("float64", n, DRAW_SLOT_BASE + slot) as Float64Array;
  const run = contiguousRun(src);
  for (let f = 0; f < n; ) {
    const len = Math.min(n - f, run - (f % run));
    randFill(node, src, globalIndex(src, f), len, f === 0 && len === n ? block : block.subarray(f, f + len));
    f += len;
  }
  const out = scratch("float64", n, slot);
  const bs = cStrides(shape);
  stridedCopy(block, 0, perm.map((a) => bs[a]!), out, 0, cStrides(info.shape), info.shape);
  return { dtype: "float64", shape: [...info.shape], data: out };
}
