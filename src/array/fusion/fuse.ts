/**
 * Chunk-program fusion: merge a producer `array.program` task into its only consumer, so that a
 * chain of elementwise operations and the chunk step of a reduction become one task per chunk
 * running one kernel. Registered as the graph pass "array.fuse-programs" (src/graph/optimize.ts).
 *
 * A producer P merges into consumer C when P has one output, P's key is needed by C alone and is
 * not requested, both have the same number of axes, and their leaf spaces agree: equal, or P's
 * leaf space is larger only on axes where C's is 1 and P's output is provably extent 1 (a
 * reduction over that axis): then C's nodes run inside P's leaf space. Leaves that live in the
 * leaf space (rand, fill, iota) pin a program's ChunkInfo, so they only merge when it matches.
 */
import { dependencies, topologicalOrder } from "../../graph/execute.js";
import { registerGraphPass } from "../../graph/optimize.js";
import { isRef, isTask, type Arg, type Graph, type Key, type TaskNode } from "../../graph/spec.js";
import { ARRAY_OPS } from "../ops-names.js";
import type { ChunkInfo, ChunkProgram, InputView, ProgramNode } from "./ir.js";

interface ProgramTask {
  readonly program: ChunkProgram;
  readonly info: ChunkInfo;
  readonly refs: readonly Arg[];
}

function asProgramTask(node: Graph[string] | undefined): ProgramTask | undefined {
  if (node === undefined || !isTask(node) || node.op !== ARRAY_OPS.program) return undefined;
  const [program, info, ...refs] = node.args;
  return { program: program as unknown as ChunkProgram, info: info as unknown as ChunkInfo, refs };
}

function toTask(t: ProgramTask): TaskNode {
  return { op: ARRAY_OPS.program, args: [t.program as unknown as Arg, t.info as unknown as Arg, ...t.refs] };
}

const hasLeafSpaceLeaves = (p: ChunkProgram): boolean => p.nodes.some((n) => n.op === "rand" || n.op === "fill" || n.op === "iota");
const sameArr = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const sameOrigins = (a: ChunkInfo, b: ChunkInfo): boolean => {
  const x = a.origins ?? [], y = b.origins ?? [];
  return x.length === y.length && x.every((o, i) => sameArr(o, y[i]!));
};
const sameInfo = (a: ChunkInfo, b: ChunkInfo): boolean =>
  sameArr(a.shape, b.shape) && sameArr(a.offset, b.offset) && sameArr(a.globalShape, b.globalShape) && sameOrigins(a, b);

/** Is node `i`'s extent on axis `k` certainly 1 whatever the inputs? */
function definitelyOne(p: ChunkProgram, i: number, k: number, d: number): boolean {
  const n = p.nodes[i]!;
  switch (n.op) {
    case "const": return true;
    case "in": case "rand": case "fill": case "iota": return false;
    case "reduce": return n.axes.some((a) => (a < 0 ? a + d : a) === k) || definitelyOne(p, n.x, k, d);
    case "unary": case "cast": case "clip": return definitelyOne(p, n.x, k, d);
    case "binary": return definitelyOne(p, n.x, k, d) && definitelyOne(p, n.y, k, d);
    case "where": return definitelyOne(p, n.cond, k, d) && definitelyOne(p, n.x, k, d) && definitelyOne(p, n.y, k, d);
  }
}

/** The ChunkInfo of P merged into C, or undefined when they cannot merge. */
function mergedInfo(P: ProgramTask, C: ProgramTask): ChunkInfo | undefined {
  const d = P.info.shape.length;
  if (C.info.shape.length !== d || P.program.outputs.length !== 1) return undefined;
  const lp = hasLeafSpaceLeaves(P.program), lc = hasLeafSpaceLeaves(C.program);
  if (sameArr(P.info.shape, C.info.shape)) {
    if (lp && lc) return sameInfo(P.info, C.info) ? P.info : undefined;
    return lc ? C.info : P.info;
  }
  if (lc) return undefined;
  const out = P.program.outputs[0]!;
  for (let k = 0; k < d; k++) {
    if (P.info.shape[k] === C.info.shape[k]) continue;
    if (C.info.shape[k] !== 1 || !definitelyOne(P.program, out, k, d)) return undefined;
  }
  return P.info;
}

function remap(n: ProgramNode, m: (i: number) => number): ProgramNode {
  switch (n.op) {
    case "in": case "const": case "fill": case "rand": case "iota": return n;
    case "unary": case "cast": case "clip": case "reduce": return { ...n, x: m(n.x) };
    case "binary": return { ...n, x: m(n.x), y: m(n.y) };
    case "where": return { ...n, cond: m(n.cond), x: m(n.x), y: m(n.y) };
  }
}

/**
 * A producer with `squeeze` axes S returns its outputs without them, so its consumer's leaf
 * space has d - |S| axes. Lift the consumer into P's d axes (unit axes at S) so the two can
 * merge; possible when the consumer reads nothing but P's value and scalars.
 */
function lift(P: ProgramTask, C: ProgramTask, pKey: Key): ProgramTask | undefined {
  const S = [...(P.program.squeeze ?? [])].sort((x, y) => x - y);
  const d = P.info.shape.length;
  const dc = C.info.shape.length;
  if (S.length === 0) return dc === d ? C : undefined;
  if (dc !== d - S.length) return undefined;
  if (hasLeafSpaceLeaves(C.program)) return undefined;
  if (C.program.nodes.some((n) => n.op === "in" && !(isRef(C.refs[n.slot]) && (C.refs[n.slot] as { $ref: Key }).$ref === pKey))) return undefined;
  const kept = [...Array(d).keys()].filter((k) => !S.includes(k));
  const up = (a: number): number => kept[a < 0 ? a + dc : a]!;
  const insert = (xs: readonly number[], fill: number): number[] => {
    const out: number[] = [];
    let j = 0;
    for (let k = 0; k < d; k++) out.push(S.includes(k) ? fill : xs[j++]!);
    return out;
  };
  const nodes = C.program.nodes.map((n) => (n.op === "reduce" ? { ...n, axes: n.axes.map(up) } : n));
  const squeeze = [...S, ...(C.program.squeeze ?? []).map(up)].sort((x, y) => x - y);
  const program: ChunkProgram = { nodes, outputs: C.program.outputs, squeeze };
  const info: ChunkInfo = { shape: insert(C.info.shape, 1), offset: insert(C.info.offset, 0), globalShape: insert(C.info.globalShape, 1) };
  return { program, info, refs: C.refs };
}

/** Merged programs, memoised: blocks of one operation share program objects, so do their fusions. */
const memo = new WeakMap<ChunkProgram, WeakMap<ChunkProgram, Map<string, ChunkProgram | null>>>();

function mergePrograms(P: ChunkProgram, C: ChunkProgram, cSlotIsP: readonly boolean[], slotIds: readonly number[], nP: number): ChunkProgram {
  const nodes: ProgramNode[] = [];
  for (const n of P.nodes) nodes.push(n.op === "in" ? { ...n, slot: slotIds[n.slot]! } : n);
  const pOut = P.outputs[0]!;
  const map: number[] = [];
  for (const n of C.nodes) {
    if (n.op === "in") {
      if (cSlotIsP[n.slot]) { map.push(pOut); continue; }
      map.push(nodes.push({ ...n, slot: slotIds[nP + n.slot]! }) - 1);
    } else {
      map.push(nodes.push(remap(n, (i) => map[i]!)) - 1);
    }
  }
  const merged: ChunkProgram = { nodes, outputs: C.outputs.map((o) => map[o]!) };
  return C.squeeze !== undefined && C.squeeze.length > 0 ? { ...merged, squeeze: C.squeeze } : merged;
}

/** The view (as JSON) through which `p` reads input `slot`, or "" for none. */
function slotView(p: ChunkProgram, slot: number): string {
  for (const n of p.nodes) if (n.op === "in" && n.slot === slot && n.view !== undefined) return JSON.stringify(n.view);
  return "";
}

/** Merge producer P (key pKey) into consumer C; undefined when not allowed. */
export function mergeProgramTasks(P: ProgramTask, Cin: ProgramTask, pKey: Key): ProgramTask | undefined {
  // C reads a view (transpose, slice) of P's block: P's output must exist as a block.
  if (Cin.program.nodes.some((n) => n.op === "in" && n.view !== undefined && isRef(Cin.refs[n.slot]) && (Cin.refs[n.slot] as { $ref: Key }).$ref === pKey)) return undefined;
  const C = lift(P, Cin, pKey);
  if (C === undefined) return undefined;
  const info = mergedInfo(P, C);
  if (info === undefined) return undefined;
  // Slots of the merged task: P's refs, then C's refs other than P, identical refs shared.
  const refs: Arg[] = [];
  const slotOf = new Map<string, number>();
  const all = [...P.refs, ...C.refs];
  const cSlotIsP = C.refs.map((r) => isRef(r) && r.$ref === pKey);
  const slotIds = all.map((r, i) => {
    if (i >= P.refs.length && cSlotIsP[i - P.refs.length]) return -1;
    // A block read through a view (transpose, slice) is a different input from the block itself.
    const fromP = i < P.refs.length;
    const view = slotView(fromP ? P.program : C.program, fromP ? i : i - P.refs.length);
    const id = isRef(r) ? `ref:${r.$ref}${view}` : `arg:${i}`;
    let s = slotOf.get(id);
    if (s === undefined) { s = refs.length; refs.push(r); slotOf.set(id, s); }
    return s;
  });
  const pattern = `${slotIds.join(",")}|${cSlotIsP.map((b) => (b ? 1 : 0)).join("")}`;
  let byC = memo.get(P.program);
  if (!byC) { byC = new WeakMap(); memo.set(P.program, byC); }
  let byPattern = byC.get(C.program);
  if (!byPattern) { byPattern = new Map(); byC.set(C.program, byPattern); }
  let program = byPattern.get(pattern);
  if (program === undefined) {
    program = mergePrograms(P.program, C.program, cSlotIsP, slotIds, P.refs.length);
    byPattern.set(pattern, program);
  }
  if (program === null) return undefined;
  return { program, info, refs };
}

/**
 * The view a consumer can read instead of the block that task `node` makes, with the block it
 * reads: a transpose, or a slice of one block that keeps every axis (array.assemble of one
 * piece). Undefined for anything else.
 */
function viewOf(node: Graph[string] | undefined): { readonly src: Arg; readonly view: InputView } | undefined {
  if (node === undefined || !isTask(node)) return undefined;
  if (node.op === ARRAY_OPS.transpose) {
    const [src, perm] = node.args as [Arg, number[]];
    return isRef(src) ? { src, view: { perm } } : undefined;
  }
  if (node.op === ARRAY_OPS.assemble) {
    const [, full, outShape, pieces] = node.args as [unknown, number[], number[], { src: Arg; start: number[]; step: number[]; dst: number[]; count: number[] }[]];
    if (pieces.length !== 1 || full.length !== outShape.length) return undefined;
    const pc = pieces[0]!;
    if (!isRef(pc.src) || pc.dst.some((d) => d !== 0) || pc.count.some((c, k) => c !== full[k] || c === 0)) return undefined;
    return { src: pc.src, view: { start: pc.start, step: pc.step, count: pc.count } };
  }
  return undefined;
}

/** Program objects with a view on one slot, shared by the blocks of one operation. */
const viewMemo = new WeakMap<ChunkProgram, Map<string, ChunkProgram>>();

function withView(p: ChunkProgram, slot: number, view: InputView): ChunkProgram {
  const id = `${slot}:${JSON.stringify(view)}`;
  let m = viewMemo.get(p);
  if (!m) { m = new Map(); viewMemo.set(p, m); }
  let q = m.get(id);
  if (q === undefined) {
    q = { ...p, nodes: p.nodes.map((n) => (n.op === "in" && n.slot === slot ? { ...n, view } : n)) };
    m.set(id, q);
  }
  return q;
}

/**
 * Fold transposes and one-block slices that only C reads into C's inputs as views: the program
 * then reads the source block itself and the permuted or sliced copy is never a task result.
 */
function absorbViews(C: ProgramTask, out: Graph, wanted: ReadonlySet<Key>, consumers: ReadonlyMap<Key, number>): ProgramTask | undefined {
  let changed = false;
  let { program } = C;
  const refs = [...C.refs];
  // A block C reads in several slots (x + x) is absorbed in all of them, or in none.
  const slotsOf = new Map<Key, number[]>();
  refs.forEach((r, slot) => {
    if (isRef(r)) (slotsOf.get(r.$ref) ?? slotsOf.set(r.$ref, []).get(r.$ref)!).push(slot);
  });
  for (const [key, slots] of slotsOf) {
    if (wanted.has(key) || consumers.get(key) !== 1) continue;
    if (program.nodes.some((n) => n.op === "in" && slots.includes(n.slot) && n.view !== undefined)) continue;
    const v = viewOf(out[key]);
    if (v === undefined) continue;
    delete out[key];
    for (const slot of slots) {
      refs[slot] = v.src;
      program = withView(program, slot, v.view);
    }
    changed = true;
  }
  return changed ? { program, info: C.info, refs } : undefined;
}

/** The rand node of a program that is one random draw and nothing else, with no inputs. */
function bareRand(t: ProgramTask | undefined): Extract<ProgramNode, { op: "rand" }> | undefined {
  if (t === undefined || t.refs.length !== 0 || t.program.nodes.length !== 1 || (t.program.squeeze?.length ?? 0) > 0) return undefined;
  const n = t.program.nodes[0]!;
  return n.op === "rand" && n.origin === undefined ? n : undefined;
}

/** Programs with a slot replaced by a rand leaf, shared by the blocks of one operation. */
const drawMemo = new WeakMap<ChunkProgram, Map<string, ChunkProgram>>();

/** `p` with the reads of `slot` replaced by `leaf` and the later slots renumbered down by one. */
function withDraw(p: ChunkProgram, slot: number, leaf: ProgramNode): ChunkProgram {
  const id = `${slot}:${JSON.stringify(leaf)}`;
  let m = drawMemo.get(p);
  if (!m) { m = new Map(); drawMemo.set(p, m); }
  let q = m.get(id);
  if (q === undefined) {
    q = { ...p, nodes: p.nodes.map((n) => (n.op !== "in" ? n : n.slot === slot ? leaf : n.slot > slot ? { ...n, slot: n.slot - 1 } : n)) };
    m.set(id, q);
  }
  return q;
}

/**
 * The random draw that `key`'s block is a unit-step slice of (through any chain of one-block
 * slices), with the keys of the chain (`key` first, the draw last) and where the block starts in
 * the draw's array.
 */
function slicedDraw(key: Key, out: Graph, consumers: ReadonlyMap<Key, number>): { chain: Key[]; rand: Extract<ProgramNode, { op: "rand" }>; info: ChunkInfo; start: number[] } | undefined {
  const chain: Key[] = [key];
  // A random block read directly (by several programs, x + x.T): each draws its own copy. With
  // one reader left this is what merging would do, but also when the reader's ChunkInfo carries
  // origins of other draws (then the two infos differ and cannot merge).
  const direct = asProgramTask(out[key]);
  const own = bareRand(direct);
  if (own !== undefined) return (consumers.get(key) ?? 0) >= 1 ? { chain, rand: own, info: direct!.info, start: direct!.info.shape.map(() => 0) } : undefined;
  let start: number[] | undefined;
  for (let k = key; chain.length < 16;) {
    const v = viewOf(out[k]);
    if (v === undefined || !isRef(v.src) || v.view.perm !== undefined || (v.view.step ?? []).some((s) => s !== 1)) return undefined;
    const s0 = v.view.start ?? v.view.count!.map(() => 0);
    start = start === undefined ? [...s0] : start.map((x, i) => x + s0[i]!);
    k = v.src.$ref;
    chain.push(k);
    const P = asProgramTask(out[k]);
    const rand = bareRand(P);
    if (rand !== undefined) return { chain, rand, info: P!.info, start };
    if (P !== undefined) return undefined;
  }
  return undefined;
}

/** How many of `refs` name the same key as `r` (a block read twice by one task is one input). */
const usesOf = (refs: readonly Arg[], r: Arg | undefined): number => refs.filter((x) => isRef(x) && isRef(r) && x.$ref === r.$ref).length;

/**
 * One read of each of `chain` (a reader's input first, then what that was cut from) is gone: drop
 * the blocks nothing reads any more, up to the first one still read or requested.
 */
function dropUnread(chain: readonly Key[], out: Graph, wanted: ReadonlySet<Key>, consumers: Map<Key, number>): void {
  for (const k of chain) {
    const left = (consumers.get(k) ?? 1) - 1;
    consumers.set(k, left);
    if (left > 0 || wanted.has(k)) break;
    delete out[k];
  }
}

/** A draw that replaces one input of a task: the leaf, the task's ChunkInfo with it, and the keys it no longer reads. */
interface InPlaceDraw {
  readonly leaf: ProgramNode;
  readonly info: ChunkInfo;
  readonly chain: readonly Key[];
}

/**
 * C with every input that `draw` can draw in place replaced by that draw (inputs read once, by at
 * least one node); the blocks left without a reader are dropped. Undefined when nothing changed.
 */
function drawInPlace(
  C: ProgramTask,
  out: Graph,
  wanted: ReadonlySet<Key>,
  consumers: Map<Key, number>,
  draw: (key: Key, reads: readonly ProgramNode[], info: ChunkInfo) => InPlaceDraw | undefined,
): ProgramTask | undefined {
  let { program, info } = C;
  const refs = [...C.refs];
  let changed = false;
  for (let slot = 0; slot < refs.length; ) {
    const r = refs[slot];
    const reads = program.nodes.filter((n) => n.op === "in" && n.slot === slot);
    const d = isRef(r) && usesOf(refs, r) === 1 && reads.length > 0 ? draw(r.$ref, reads, info) : undefined;
    if (d === undefined) { slot++; continue; }
    program = withDraw(program, slot, d.leaf);
    info = d.info;
    refs.splice(slot, 1);
    dropUnread(d.chain, out, wanted, consumers);
    changed = true;
  }
  return changed ? { program, info, refs } : undefined;
}

/**
 * Draw sliced random blocks in place: when C reads a unit-step slice (one block, every axis) of
 * a task that only draws random numbers, C draws those numbers itself (a value depends only on
 * the seed and its index in the source array), so the block is never materialised, copied or
 * sent (\`a[1:, 1:] - b[:-1, :-1]\` of random arrays, whose alignment slices the slices
 * again). Slice and random blocks left with no reader are dropped.
 */
function drawSlices(C: ProgramTask, out: Graph, wanted: ReadonlySet<Key>, consumers: Map<Key, number>): ProgramTask | undefined {
  return drawInPlace(C, out, wanted, consumers, (key, reads, info) => {
    if (!reads.every((n) => n.op === "in" && n.view === undefined)) return undefined;
    const d = slicedDraw(key, out, consumers);
    if (d === undefined) return undefined;
    const count = d.chain.length === 1 ? d.info.shape : viewOf(out[d.chain[0]!])!.view.count!;
    if (d.info.shape.length !== info.shape.length || !sameArr(count, info.shape)) return undefined;
    const at = d.info.offset.map((o, k) => o + d.start[k]!);
    // The draw indexes like the task itself: a plain leaf (keeps the fused generator path).
    if (sameArr(at, info.offset) && sameArr(d.info.globalShape, info.globalShape)) return { leaf: d.rand, info, chain: d.chain };
    const origins = [...(info.origins ?? []), at];
    return { leaf: { ...d.rand, origin: origins.length - 1, globalShape: d.info.globalShape }, info: { ...info, origins }, chain: d.chain };
  });
}

/**
 * Draw transposed random blocks in place: when C reads a random block through a transpose (a
 * view with only `perm`, as absorbViews leaves it for \`x + x.T\`), C draws those numbers itself
 * (a rand leaf with `perm`), so the block is never materialised, kept or sent between workers.
 * Float64 draws only (the op draws them into a float64 scratch block). The random block is
 * dropped when nothing else reads it.
 */
function drawTransposes(C: ProgramTask, out: Graph, wanted: ReadonlySet<Key>, consumers: Map<Key, number>): ProgramTask | undefined {
  return drawInPlace(C, out, wanted, consumers, (key, reads, info) => {
    const view = reads[0]!.op === "in" ? reads[0]!.view : undefined;
    const plainPerm = view !== undefined && view.perm !== undefined && view.start === undefined && view.step === undefined && view.count === undefined;
    const sameView = reads.every((n) => n.op === "in" && JSON.stringify(n.view) === JSON.stringify(view));
    const P = wanted.has(key) ? undefined : asProgramTask(out[key]);
    const rand = bareRand(P);
    if (!plainPerm || !sameView || rand === undefined || rand.dtype !== "float64" || P!.info.shape.length !== info.shape.length) return undefined;
    const origins = [...(info.origins ?? []), P!.info.offset];
    return { leaf: { ...rand, origin: origins.length - 1, globalShape: P!.info.globalShape, perm: view!.perm! }, info: { ...info, origins }, chain: [key] };
  });
}

/** The pass: fuse producer programs into single consumers, in topological order. */
export function fusePrograms(graph: Graph, keys: readonly Key[]): Graph {
  const out: Graph = { ...graph };
  const consumers = new Map<Key, number>();
  for (const node of Object.values(graph)) {
    for (const d of dependencies(isTask(node) ? node.args : node.data)) consumers.set(d, (consumers.get(d) ?? 0) + 1);
  }
  const wanted = new Set(keys);
  for (const key of topologicalOrder(graph, keys)) {
    let C = asProgramTask(out[key]);
    if (C === undefined) continue;
    let merged = false;
    const drawn = drawSlices(C, out, wanted, consumers);
    if (drawn !== undefined) { C = drawn; merged = true; }
    const viewed = absorbViews(C, out, wanted, consumers);
    if (viewed !== undefined) { C = viewed; merged = true; }
    const drawnT = drawTransposes(C, out, wanted, consumers);
    if (drawnT !== undefined) { C = drawnT; merged = true; }
    for (let changed = true; changed;) {
      changed = false;
      for (const r of C.refs) {
        if (!isRef(r) || wanted.has(r.$ref) || consumers.get(r.$ref) !== 1) continue;
        const P = asProgramTask(out[r.$ref]);
        if (P === undefined) continue;
        const m = mergeProgramTasks(P, C, r.$ref);
        if (m === undefined) continue;
        delete out[r.$ref];
        // P's inputs now feed this task (still one consumer each: P is gone).
        C = m;
        merged = changed = true;
        break;
      }
    }
    if (merged) out[key] = toTask(C);
  }
  return out;
}

registerGraphPass("array.fuse-programs", fusePrograms);
