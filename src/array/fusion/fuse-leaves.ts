/**
 * Folding cheap leaf programs into the reduction step that consumes them. When every partial of
 * a combine/aggregate task comes from a program task with no inputs (fills, ranges, random
 * draws, already fused with their chunk step), consumed only there, and together they cover at
 * most FOLD_MAX_ELEMENTS leaf elements, the task runs those programs itself: `ones(1e7,
 * {chunks: 1e4}).sum()` becomes 68 tasks instead of 1068, while big chunks (the π's 200 MB)
 * stay one task each so that they spread over the workers (a constant program counts the elements
 * it writes: zeros of 100 MiB chunks summed over rows fold). Registered as "array.fold-leaves",
 * after "array.fuse-programs".
 */
import { dependencies } from "../../graph/execute.js";
import { registerGraphPass } from "../../graph/optimize.js";
import { isRef, isTask, type Arg, type Graph, type Key } from "../../graph/spec.js";
import { ARRAY_OPS } from "../ops-names.js";
import type { ChunkInfo, ChunkProgram } from "./ir.js";
import { constantOutputElements, isConstantProgram } from "../kernels/constant-program.js";
import "./fuse.js";

/** At most this many leaf elements (all folded programs together) per reduction task. */
export const FOLD_MAX_ELEMENTS = 1 << 20;

export function foldLeafPrograms(graph: Graph, keys: readonly Key[]): Graph {
  const consumers = new Map<Key, number>();
  for (const node of Object.values(graph)) {
    for (const d of dependencies(isTask(node) ? node.args : node.data)) consumers.set(d, (consumers.get(d) ?? 0) + 1);
  }
  const wanted = new Set(keys);
  const out: Graph = { ...graph };
  for (const [key, node] of Object.entries(graph)) {
    if (!isTask(node) || (node.op !== ARRAY_OPS.combine && node.op !== ARRAY_OPS.aggregate)) continue;
    const fixed = node.op === ARRAY_OPS.combine ? 2 : 5; // kind, counts | kind, dtype, shape, ddof, counts
    const partials = node.args.slice(fixed);
    let elements = 0;
    const programs: Arg[] = [];
    const ok = partials.every((r) => {
      if (!isRef(r) || wanted.has(r.$ref) || consumers.get(r.$ref) !== 1) return false;
      const p = graph[r.$ref];
      if (p === undefined || !isTask(p) || p.op !== ARRAY_OPS.program || p.args.length !== 2) return false;
      // What running the program costs: its leaf elements, or for a constant program (zeros,
      // ones, full: evaluated once on scalars) only the elements it writes.
      const prog = p.args[0] as unknown as ChunkProgram, shape = (p.args[1] as unknown as ChunkInfo).shape;
      elements += isConstantProgram(prog) ? constantOutputElements(prog, shape) : shape.reduce((a, b) => a * b, 1);
      programs.push([p.args[0]!, p.args[1]!]);
      return true;
    });
    if (!ok || partials.length < 2 || elements > FOLD_MAX_ELEMENTS) continue;
    for (const r of partials) delete out[(r as { $ref: Key }).$ref];
    out[key] = { op: ARRAY_OPS.reduceLeaves, args: [node.op, node.args.slice(0, fixed), programs] };
  }
  return out;
}

registerGraphPass("array.fold-leaves", foldLeafPrograms);
