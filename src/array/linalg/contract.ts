/**
 * The graph of a blocked contraction (matmul, dot, tensordot), as dask's `blockwise` + `sum`:
 * per output block, the sum over the contracted block indices of block-pair products. Up to
 * `pairsPerTask` pairs run fused in one `array.linalg.contract` task (one accumulator, no
 * partial arrays); more are split into groups whose partial products a tree of
 * `array.linalg.add` tasks (fan-in ADD_FAN_IN) sums.
 *
 * Operand axes carry roles (./contract-block.ts): batch axes are unified like broadcasting
 * (size-1 axes broadcast, other chunkings refined), contracted axes are rechunked to a common
 * chunking on both sides, free axes keep their chunks.
 */
import { tokenName } from "../../graph/keys.js";
import { blockKey, isRef, isTask, ref, type Arg, type Graph, type Key } from "../../graph/spec.js";
import { blockIndices, refine, sameChunks } from "../chunks.js";
import { TArray, mergeLayers } from "../core.js";
import type { DType } from "../dtype.js";
import { ARRAY_OPS } from "../ops-names.js";
import { rechunk } from "../rechunk.js";
import type { AxisRole, ContractSpec } from "./contract-block.js";
import { LINALG_OPS } from "./ops-names.js";

/** Input bytes (both blocks of every pair) one fused task may take. */
const TASK_INPUT_BYTES = 256 * 2 ** 20;
const MAX_PAIRS_PER_TASK = 16;
const ADD_FAN_IN = 8;

export interface ContractPlan {
  readonly prefix: string;
  readonly dtype: DType;
  readonly aRoles: readonly AxisRole[];
  readonly bRoles: readonly AxisRole[];
  /** Output batch extents (matmul's broadcast shape); [] for tensordot. */
  readonly batchShape: readonly number[];
  readonly nm: number;
  readonly nn: number;
  readonly nk: number;
}

/**
 * A transposed operand is contracted from its source blocks: the transpose moves into the roles
 * (and so into the kernel's strides), and no transposed copies are made. Only the layer shape that
 * ../shape-ops.ts's transpose builds is recognised; anything else is used as it is.
 */
export function peelTranspose(x: TArray, roles: readonly AxisRole[]): [TArray, AxisRole[]] {
  const layer = x.layers.get(x.name);
  if (layer === undefined) return [x, [...roles]];
  let perm: number[] | undefined;
  let src: string | undefined;
  for (const node of Object.values(layer)) {
    if (!isTask(node) || node.op !== ARRAY_OPS.transpose || node.args.length !== 2) return [x, [...roles]];
    const [r, p] = node.args as [unknown, unknown];
    if (!isRef(r) || !Array.isArray(p)) return [x, [...roles]];
    const key = r.$ref;
    const name = key.includes(":") ? key.slice(0, key.indexOf(":")) : key;
    if ((src !== undefined && src !== name) || (perm !== undefined && JSON.stringify(perm) !== JSON.stringify(p))) return [x, [...roles]];
    src = name;
    perm = p as number[];
  }
  if (src === undefined || perm === undefined || perm.length !== x.ndim || !x.layers.has(src)) return [x, [...roles]];
  const layers = new Map(x.layers);
  layers.delete(x.name);
  const chunks: number[][] = new Array<number[]>(x.ndim);
  const srcRoles: AxisRole[] = new Array<AxisRole>(x.ndim);
  perm.forEach((p, k) => {
    chunks[p] = [...x.chunks[k]!];
    srcRoles[p] = roles[k]!;
  });
  return [new TArray(layers, src, chunks, x.dtype), srcRoles];
}

export function contract(aIn: TArray, bIn: TArray, planIn: ContractPlan, pairsPerTask?: number): TArray {
  const [a0, aRoles] = peelTranspose(aIn, planIn.aRoles);
  const [b0, bRoles] = peelTranspose(bIn, planIn.bRoles);
  const plan: ContractPlan = { ...planIn, aRoles, bRoles };
  const { batchShape } = plan;
  const nb = batchShape.length;
  const axisOf = (roles: readonly AxisRole[], role: string, i: number): number => roles.findIndex(([r, j]) => r === role && j === i);

  // Unify chunks: contracted axes on both sides; batch axes where both span the output extent.
  const aWant = a0.chunks.map((c) => [...c]);
  const bWant = b0.chunks.map((c) => [...c]);
  for (let i = 0; i < plan.nk; i++) {
    const ax = axisOf(aRoles, "k", i), bx = axisOf(bRoles, "k", i);
    const c = refine(a0.chunks[ax]!, b0.chunks[bx]!);
    aWant[ax] = c;
    bWant[bx] = c;
  }
  const batchChunks: number[][] = batchShape.map((e) => [e]);
  for (let i = 0; i < nb; i++) {
    const ax = axisOf(aRoles, "b", i), bx = axisOf(bRoles, "b", i);
    const spans = (arr: TArray, x: number): boolean => x >= 0 && !(arr.shape[x] === 1 && batchShape[i] !== 1);
    let c: number[] | undefined;
    if (spans(a0, ax)) c = [...a0.chunks[ax]!];
    if (spans(b0, bx)) c = c === undefined ? [...b0.chunks[bx]!] : refine(c, b0.chunks[bx]!);
    if (c === undefined) continue;
    batchChunks[i] = c;
    if (spans(a0, ax)) aWant[ax] = c;
    if (spans(b0, bx)) bWant[bx] = c;
  }
  const a = sameChunks(aWant, a0.chunks) ? a0 : rechunk(a0, aWant);
  const b = sameChunks(bWant, b0.chunks) ? b0 : rechunk(b0, bWant);

  const mChunks = [...Array(plan.nm).keys()].map((i) => [...a.chunks[axisOf(aRoles, "m", i)]!]);
  const nChunks = [...Array(plan.nn).keys()].map((i) => [...b.chunks[axisOf(bRoles, "n", i)]!]);
  const outChunks = [...batchChunks, ...mChunks, ...nChunks];
  const kNumblocks = [...Array(plan.nk).keys()].map((i) => a.chunks[axisOf(aRoles, "k", i)]!.length);
  const kCombos = blockIndices(kNumblocks);

  const spec: ContractSpec = { dtype: plan.dtype, aRoles, bRoles, nb, nm: plan.nm, nn: plan.nn, nk: plan.nk };
  const pairBytes = (a.chunksize.reduce((p, q) => p * q, 1) * a.itemsize) + (b.chunksize.reduce((p, q) => p * q, 1) * b.itemsize);
  const perTask = pairsPerTask ?? Math.max(1, Math.min(MAX_PAIRS_PER_TASK, Math.floor(TASK_INPUT_BYTES / Math.max(1, pairBytes))));
  const name = tokenName(plan.prefix, spec, a.name, b.name, outChunks, perTask);
  const token = name.slice(plan.prefix.length + 1);
  const layer: Graph = {};

  const blockOf = (arr: TArray, roles: readonly AxisRole[], out: readonly number[], kIdx: readonly number[]): number[] =>
    roles.map(([role, i], ax) => {
      if (role === "k") return kIdx[i]!;
      if (arr.chunks[ax]!.length === 1) return 0; // broadcast batch axis, or a single block
      return out[role === "b" ? i : role === "m" ? nb + i : nb + plan.nm + i]!;
    });

  for (const idx of blockIndices(outChunks.map((c) => c.length))) {
    const task = (combos: readonly number[][]): { op: string; args: Arg[] } => ({
      op: LINALG_OPS.contract,
      args: [spec as unknown as Arg,
        ...combos.map((kc) => ref(a.key(blockOf(a, aRoles, idx, kc)))),
        ...combos.map((kc) => ref(b.key(blockOf(b, bRoles, idx, kc))))],
    });
    const outKey = blockKey(name, idx);
    if (kCombos.length <= perTask) {
      layer[outKey] = task(kCombos);
      continue;
    }
    // Partial products per group of pairs, then a tree of sums.
    let level: Key[] = [];
    for (let g = 0; g * perTask < kCombos.length; g++) {
      const key = blockKey(`${plan.prefix}_part-${token}`, [...idx, g]);
      layer[key] = task(kCombos.slice(g * perTask, (g + 1) * perTask));
      level.push(key);
    }
    for (let depth = 0; level.length > 1; depth++) {
      const next: Key[] = [];
      const last = level.length <= ADD_FAN_IN;
      for (let g = 0; g * ADD_FAN_IN < level.length; g++) {
        const key = last ? outKey : blockKey(`${plan.prefix}_sum${depth}-${token}`, [...idx, g]);
        layer[key] = { op: LINALG_OPS.add, args: [plan.dtype, ...level.slice(g * ADD_FAN_IN, (g + 1) * ADD_FAN_IN).map((k) => ref(k))] };
        next.push(key);
      }
      level = next;
    }
  }
  return new TArray(mergeLayers([a, b], name, layer), name, outChunks, plan.dtype);
}
