/**
 * The scalar semantics of every elementwise and reduction function, as JavaScript source
 * snippets: the one definition that generated kernels (./compile-js.ts) inline. The
 * helper names used here (`fr`, `tr`, `md`, `mn`, `mx`) are defined in SCALAR_PRELUDE.
 */
import type { BinaryFn, DType, ReduceFn, UnaryFn } from "../fusion/ir.js";

/** Helpers every generated kernel declares once. */
export const SCALAR_PRELUDE = `
const fr = Math.fround;
const tr = (v) => (v === v && v !== Infinity && v !== -Infinity ? Math.trunc(v) : 0);
const md = (a, b, isInt) => { if (isInt && b === 0) return 0; let r = a % b; if (r !== 0 && (r < 0) !== (b < 0)) r += b; return r; };
const mn = (a, b) => (a !== a ? a : b !== b ? b : a < b ? a : b);
const mx = (a, b) => (a !== a ? a : b !== b ? b : a > b ? a : b);
`;

/** Source converting the number expression `v` to what a typed array of `d` stores. */
export function coerceSrc(d: DType, v: string): string {
  switch (d) {
    case "float64": return v;
    case "float32": return `fr(${v})`;
    case "int32": return `((${v}) | 0)`;
    case "uint8": return `((${v}) & 255)`;
    case "bool": return `+((${v}) !== 0)`;
    case "int64": return `tr(${v})`;
  }
}

export function unarySrc(fn: UnaryFn, x: string, d: DType): string {
  switch (fn) {
    case "neg": return `(-${x})`;
    case "abs": return `Math.abs(${x})`;
    case "sqrt": return `Math.sqrt(${x})`;
    case "exp": return `Math.exp(${x})`;
    case "log": return `Math.log(${x})`;
    case "sin": return `Math.sin(${x})`;
    case "cos": return `Math.cos(${x})`;
    case "floor": return `Math.floor(${x})`;
    case "ceil": return `Math.ceil(${x})`;
    case "not": return `+(${x} === 0)`;
    case "square": return d === "int32" || d === "uint8" ? `Math.imul(${x}, ${x})` : `(${x} * ${x})`;
  }
}

/** Functions whose result is already exactly 0 or 1 (a bool needs no conversion). */
export const ZERO_ONE_BINARY: ReadonlySet<BinaryFn> = new Set(["lt", "le", "gt", "ge", "eq", "ne", "and", "or"]);

/** `d` is the node's (result) dtype; `opd` the operands' common dtype (for integer semantics). */
export function binarySrc(fn: BinaryFn, a: string, b: string, d: DType, opd: DType): string {
  const int = opd === "int32" || opd === "uint8" || opd === "int64" || opd === "bool";
  switch (fn) {
    case "add": return `(${a} + ${b})`;
    case "sub": return `(${a} - ${b})`;
    case "mul": return d === "int32" || d === "uint8" ? `Math.imul(${a}, ${b})` : `(${a} * ${b})`;
    case "div": return `(${a} / ${b})`;
    case "pow": return `Math.pow(${a}, ${b})`;
    case "mod": return `md(${a}, ${b}, ${int})`;
    case "min": return `mn(${a}, ${b})`;
    case "max": return `mx(${a}, ${b})`;
    case "lt": return `+(${a} < ${b})`;
    case "le": return `+(${a} <= ${b})`;
    case "gt": return `+(${a} > ${b})`;
    case "ge": return `+(${a} >= ${b})`;
    case "eq": return `+(${a} === ${b})`;
    case "ne": return `+(${a} !== ${b})`;
    case "and": return `+(${a} !== 0 && ${b} !== 0)`;
    case "or": return `+(${a} !== 0 || ${b} !== 0)`;
  }
}

/** Initial accumulator value of a reduction. */
export function reduceInit(fn: ReduceFn): number {
  switch (fn) {
    case "sum": case "count_nonzero": case "any": return 0;
    case "prod": case "all": return 1;
    case "min": return Infinity;
    case "max": return -Infinity;
  }
}

/** Source of one accumulation step: the new accumulator from `acc` and value `v`. */
export function reduceStepSrc(fn: ReduceFn, acc: string, v: string): string {
  switch (fn) {
    case "sum": return `${acc} + ${v}`;
    case "prod": return `${acc} * ${v}`;
    case "min": return `(${v} < ${acc} || ${v} !== ${v} ? ${v} : ${acc})`;
    case "max": return `(${v} > ${acc} || ${v} !== ${v} ? ${v} : ${acc})`;
    case "any": return `(${acc} !== 0 || ${v} !== 0 ? 1 : 0)`;
    case "all": return `(${acc} !== 0 && ${v} !== 0 ? 1 : 0)`;
    case "count_nonzero": return `${acc} + (${v} !== 0 ? 1 : 0)`;
  }
}
