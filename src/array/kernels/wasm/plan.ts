/**
 * Which chunk programs the WebAssembly backend compiles, and how: a pure analysis of a program
 * (for a given number of axes) into levels and storage. Anything outside the supported subset
 * gives `undefined`, and callers use the JavaScript backend.
 *
 * Levels. 0 = leaf space; 1 = leaf space reduced over its last axis (rows); 2 = reduced over all
 * axes (one value); 3 = reduced over every axis but the last (columns: `sum(axis=0)` of a 2-D
 * chunk); -1 = a scalar constant (broadcasts). Mode "col" (some node at level 3, none at 1):
 * rows one after the other, two consecutive elements per vector, each column's accumulator in
 * memory (so each column sums in row order, as C order of the leaf space gives it). Modes: "row" when some node is at level
 * 1 (vectors hold the same column of two consecutive rows, so a row's reduction runs in element
 * order in each lane), else "flat" (vectors hold two consecutive elements).
 *
 * Kinds. "f": an f64x2 value (float64/float32 values, and integer values known to be exact);
 * "b": a bool as a lane mask (all ones = 1). `zeroOne` marks values that are 0 or 1, whose sums
 * are exact in any order (so `mean(x < 1)` counts instead of adding floats in sequence).
 */
import { coerce } from "../../dtype.js";
import type { ChunkProgram, DType, ProgramNode, ReduceFn } from "../../fusion/ir.js";
import { GEN_STATE_BYTES } from "./xoshiro.js";

/** Leaf elements per tile (32 KiB of float64). */
export const TILE = 4096;
/** Longest last axis the row mode handles (two rows per tile buffer). */
export const MAX_ROW = TILE;
/** Bytes per tile buffer: two maximal rows plus one vector of slack for tail lanes. */
export const BUF_BYTES = (2 * TILE + 2) * 8;

export type Level = -1 | 0 | 1 | 2 | 3;
export type Kind = "f" | "b";

export interface NodePlan {
  readonly level: Level;
  readonly kind: Kind;
  readonly zeroOne: boolean;
  /** Integer values (exact in float64 within int32 range). */
  readonly integral: boolean;
}

/** How a level-2 reduction accumulates: in element order ("seq") or order-free ("count" etc.). */
export type ScalarAcc = "seq" | "count" | "any" | "all";

export interface WasmPlan {
  readonly mode: "flat" | "row" | "col";
  readonly ndim: number;
  readonly nodes: readonly NodePlan[];
  /** rand uniform/random leaves: node → generator state byte offset. */
  readonly genState: ReadonlyMap<number, number>;
  /** Tile buffers (byte offsets) of leaves (rand, in) and of level-0/1 outputs. */
  readonly leafBuf: ReadonlyMap<number, number>;
  readonly outBuf: ReadonlyMap<number, number>;
  /** Level-3 reductions (col mode): node → byte offset of its row of column accumulators. */
  readonly colAcc: ReadonlyMap<number, number>;
  /** Level-2 reductions: node → accumulator byte offset (16 bytes) and form. */
  readonly acc: ReadonlyMap<number, { readonly at: number; readonly form: ScalarAcc }>;
  readonly memoryBytes: number;
  /**
   * The generator leaf of a register-fused program (see ./codegen.ts), if the program qualifies:
   * its only leaf is one uniform generator and every result is an order-free level-2 count.
   */
  readonly fusedLeaf: number | undefined;
}

const FLOAT = new Set<DType>(["float64", "float32"]);
const UNARY_OK = new Set(["neg", "abs", "sqrt", "floor", "ceil", "square", "not"]);
const BINARY_OK = new Set(["add", "sub", "mul", "div", "min", "max", "pow", "lt", "le", "gt", "ge", "eq", "ne", "and", "or"]);
const COMPARE = new Set(["lt", "le", "gt", "ge", "eq", "ne", "and", "or"]);

function isIntDType(d: DType): boolean {
  return d === "int32" || d === "int64" || d === "uint8";
}

/** The plan for `program` over chunks with `ndim` axes, or undefined if unsupported. */
export function planProgram(program: ChunkProgram, ndim: number): WasmPlan | undefined {
  const nodes: NodePlan[] = [];
  const P = (i: number): NodePlan => nodes[i]!;
  const lvl = (...xs: number[]): Level | undefined => {
    let l: Level = -1;
    for (const x of xs) {
      const k = P(x).level;
      if (k === -1) continue;
      if (l !== -1 && k !== l) return undefined;
      l = k;
    }
    return l;
  };
  const reduceLevel = new Map<number, Level>();

  for (const [i, n] of program.nodes.entries()) {
    const plan = planNode(n, i);
    if (plan === undefined) return undefined;
    nodes.push(plan);
  }
  function planNode(n: ProgramNode, i: number): NodePlan | undefined {
    const d = n.dtype;
    const asKind = (zeroOne: boolean, integral: boolean, level: Level): NodePlan | undefined => {
      if (d === "bool") return { level, kind: "b", zeroOne: true, integral: true };
      if (FLOAT.has(d)) return { level, kind: "f", zeroOne, integral };
      // Integer dtypes only where the value needs no wrapping (|0, &255, trunc are no-ops).
      if (isIntDType(d) && integral && (zeroOne || d !== "uint8")) return { level, kind: "f", zeroOne, integral };
      return undefined;
    };
    switch (n.op) {
      case "in":
        // Inputs are copied into float64 tile buffers (exact for these dtypes); not int64.
        if (d === "int64") return undefined;
        return { level: 0, kind: d === "bool" ? "b" : "f", zeroOne: d === "bool", integral: !FLOAT.has(d) };
      case "const":
      case "fill": {
        if (d === "int64" && !Number.isSafeInteger(n.value)) return undefined;
        const v = coerce(d, n.value);
        const level: Level = n.op === "const" ? -1 : 0;
        return asKind(v === 0 || v === 1, Number.isInteger(v) && Math.abs(v) < 2 ** 31, level);
      }
      case "iota":
        // Filled by the JS driver, converted to the dtype as it fills (so integers are exact).
        if (d === "int64" || d === "uint8") return undefined;
        return { level: 0, kind: d === "bool" ? "b" : "f", zeroOne: d === "bool", integral: !FLOAT.has(d) };
      case "rand":
        if (n.perm !== undefined) return undefined; // drawn by the op into an input first
        if (n.dist === "integers") {
          const ok = Number.isSafeInteger(n.a) && Number.isSafeInteger(n.b) && n.a < n.b && n.a >= -(2 ** 31) && n.b <= 2 ** 31;
          if (!ok || (d !== "int32" && d !== "int64" && d !== "float64")) return undefined;
          return { level: 0, kind: "f", zeroOne: n.a >= 0 && n.b <= 2, integral: true };
        }
        return FLOAT.has(d) ? { level: 0, kind: "f", zeroOne: false, integral: false } : undefined;
      case "unary": {
        if (!UNARY_OK.has(n.fn)) return undefined;
        const x = P(n.x);
        if (n.fn === "not") return asKind(true, true, x.level);
        if (!FLOAT.has(d)) return undefined;
        return { level: x.level, kind: "f", zeroOne: false, integral: false };
      }
      case "binary": {
        if (!BINARY_OK.has(n.fn)) return undefined;
        const level = lvl(n.x, n.y);
        if (level === undefined) return undefined;
        if (n.fn === "pow") {
          const y = program.nodes[n.y]!;
          if (y.op !== "const" || coerce(y.dtype, y.value) !== 2 || !FLOAT.has(d)) return undefined;
        }
        if (COMPARE.has(n.fn)) return asKind(true, true, level);
        if (!FLOAT.has(d)) return undefined;
        return { level, kind: "f", zeroOne: false, integral: false };
      }
      case "where": {
        const level = lvl(n.cond, n.x, n.y);
        if (level === undefined) return undefined;
        const zo = P(n.x).zeroOne && P(n.y).zeroOne;
        if (!FLOAT.has(d) && d !== "bool" && !(zo && isIntDType(d))) return undefined;
        return asKind(zo, zo, level);
      }
      case "cast": {
        const x = P(n.x);
        if (isIntDType(d) && !x.zeroOne) return undefined;
        return asKind(x.zeroOne, x.integral, x.level);
      }
      case "clip":
        if (!FLOAT.has(d)) return undefined;
        return { level: P(n.x).level, kind: "f", zeroOne: false, integral: false };
      case "reduce": {
        const x = P(n.x);
        const axes = [...new Set(n.axes.map((a) => (a < 0 ? a + ndim : a)))].sort((a, b) => a - b);
        if (axes.some((a) => a < 0 || a >= ndim)) return undefined;
        const all = axes.length === ndim;
        let level: Level;
        if (x.level === 0 && all) level = 2;
        else if (x.level === 0 && ndim >= 2 && axes.length === 1 && axes[0] === ndim - 1) level = 1;
        else if (x.level === 0 && ndim >= 2 && axes.length === ndim - 1 && axes.every((a, k) => a === k)) level = 3;
        else if (x.level === 1 && axes.length >= ndim - 1 && axes.every((a, k) => a === k)) level = 2;
        else return undefined;
        reduceLevel.set(i, level);
        const zeroOne = n.fn === "any" || n.fn === "all";
        const integral = zeroOne || ((n.fn === "sum" || n.fn === "count_nonzero") && (x.zeroOne || n.fn === "count_nonzero"));
        if (d === "bool") return { level, kind: "b", zeroOne: true, integral: true };
        if (FLOAT.has(d)) return { level, kind: "f", zeroOne, integral };
        // Integer reductions: exact counts at level 1; any value at level 2 (converted in JS).
        if (isIntDType(d) && (integral || level === 2) && d !== "uint8") return { level, kind: "f", zeroOne, integral };
        return undefined;
      }
    }
  }

  // Level-2 and level-3 values are only accumulated and returned: no elementwise work on them.
  for (const n of program.nodes) {
    for (const c of childrenOf(n)) if (P(c).level === 2 || P(c).level === 3) return undefined;
  }
  const hasCol = nodes.some((x) => x.level === 3);
  if (hasCol && nodes.some((x) => x.level === 1)) return undefined;
  const outputs = new Set(program.outputs);
  for (const o of program.outputs) if (P(o).level === -1) return undefined;
  const mode = hasCol ? "col" : nodes.some((x) => x.level === 1) ? "row" : "flat";

  let at = 0;
  const take = (bytes: number): number => {
    const here = at;
    at += Math.ceil(bytes / 16) * 16;
    return here;
  };
  const genState = new Map<number, number>();
  const acc = new Map<number, { at: number; form: ScalarAcc }>();
  const leafBuf = new Map<number, number>();
  const outBuf = new Map<number, number>();
  for (const [i, n] of program.nodes.entries()) {
    if (n.op === "rand" && (n.dist === "uniform" || n.dist === "random")) genState.set(i, take(GEN_STATE_BYTES));
  }
  for (const [i, n] of program.nodes.entries()) {
    if (n.op !== "reduce" || reduceLevel.get(i) !== 2) continue;
    const x = P(n.x);
    const form = scalarForm(n.fn, x);
    // In row mode a level-0 child is visited two rows at a time: only order-free forms.
    if (mode === "row" && x.level === 0 && form === "seq") return undefined;
    acc.set(i, { at: take(16), form });
  }
  for (const [i, n] of program.nodes.entries()) {
    if (n.op === "rand" || n.op === "in" || n.op === "iota") leafBuf.set(i, take(BUF_BYTES));
  }
  const colAcc = new Map<number, number>();
  for (const [i, n] of program.nodes.entries()) if (n.op === "reduce" && P(i).level === 3) colAcc.set(i, take(BUF_BYTES));
  for (const o of outputs) if (P(o).level !== 2 && P(o).level !== 3) outBuf.set(o, take(BUF_BYTES));
  const onlyGen = genState.size === 1 && leafBuf.size === 1 && leafBuf.has([...genState.keys()][0]!);
  const orderFree = [...acc.values()].every((x) => x.form !== "seq");
  const fusedLeaf = onlyGen && orderFree && outBuf.size === 0 && mode !== "col" ? [...genState.keys()][0] : undefined;
  return { mode, ndim, nodes, genState, leafBuf, outBuf, colAcc, acc, memoryBytes: at, fusedLeaf };
}

function scalarForm(fn: ReduceFn, x: NodePlan): ScalarAcc {
  if (fn === "any") return "any";
  if (fn === "all") return "all";
  if (fn === "count_nonzero" || (fn === "sum" && x.zeroOne)) return "count";
  return "seq";
}

export function childrenOf(n: ProgramNode): number[] {
  switch (n.op) {
    case "in": case "const": case "fill": case "rand": case "iota": return [];
    case "unary": case "cast": case "clip": case "reduce": return [n.x];
    case "binary": return [n.x, n.y];
    case "where": return [n.cond, n.x, n.y];
  }
}
