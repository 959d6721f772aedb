/**
 * Programs whose leaves are all constants (`fill`, `const`: zeros, ones, full) have one value per
 * node over that node's whole space: a reduction of a constant over k elements is a constant too.
 * Such a program is evaluated once, on scalars, and its outputs are filled with the values:
 * `zeros((21600, 21600), chunks 3600²).sum(axis=1)` then touches no memory beyond its output.
 *
 * Bit-identical to the loop kernels by construction: every node's value comes from the same
 * source snippets (./scalar-ops.ts) and a reduction applies the same step k times to its
 * accumulator in a JS double, then converts once. Two shortcuts keep k steps cheap: a step that
 * leaves the accumulator unchanged (bit for bit) will do so forever, so the loop stops there
 * (sums of zeros, min, max, any, all, prod of 1); and a sum of a value v = m·2^e (m an odd
 * integer) over k elements with |m|·k ≤ 2^53 is exact at every step, so it is k·v.
 */
import { outputBuffer } from "./out-buffers.js";
import type { ChunkInfo, ChunkKernel, ChunkProgram, NDChunk, ProgramNode } from "../fusion/ir.js";
import { SCALAR_PRELUDE, ZERO_ONE_BINARY, binarySrc, coerceSrc, reduceInit, reduceStepSrc, unarySrc } from "./scalar-ops.js";
import { coerce } from "../dtype.js";
import { ArrayKernelError } from "./errors.js";

/** True when every leaf of `p` is a constant (no inputs, draws or ranges). */
export function isConstantProgram(p: ChunkProgram): boolean {
  return p.nodes.every((n) => n.op !== "in" && n.op !== "rand" && n.op !== "iota");
}

const lit = (v: number): string => (Object.is(v, -0) ? "-0" : v !== v ? "NaN" : v === Infinity ? "Infinity" : v === -Infinity ? "-Infinity" : String(v));

/**
 * k steps of `step` from `init`, stopping at a fixed point; for sums the closed form k·v when
 * every partial sum j·v (j ≤ k) is exact.
 */
function repeatStep(fn: Extract<ProgramNode, { op: "reduce" }>["fn"], step: (acc: number, v: number) => number, v: number, k: number): number {
  let acc = reduceInit(fn);
  if (fn === "sum" && v !== 0 && Number.isFinite(v) && k > 0 && exactMultiples(v, k)) return k * v;
  for (let j = 0; j < k; j++) {
    const next = step(acc, v);
    if (Object.is(next, acc)) break;
    acc = next;
  }
  return acc;
}

/** Whether j·v is exactly representable for every j ≤ k (v = m·2^e, |m|·k ≤ 2^53, no overflow). */
function exactMultiples(v: number, k: number): boolean {
  if (Math.abs(v) * k >= 2 ** 1000) return false;
  let m = Math.abs(v);
  while (!Number.isInteger(m)) m *= 2;
  while (m >= 2 && m % 2 === 0) m /= 2;
  return m * k <= 2 ** 53;
}

interface Evaluator {
  /** Node values in node order, given each reduce node's element count (other entries unused). */
  readonly values: (counts: readonly number[], repeat: typeof repeatStep) => number[];
}

/** Generated once per program: the scalar semantics of every node, as the loop kernels use them. */
function evaluator(p: ChunkProgram): Evaluator {
  const lines: string[] = [SCALAR_PRELUDE, "const v = [];"];
  p.nodes.forEach((n, i) => {
    let src: string;
    switch (n.op) {
      case "const": case "fill": src = lit(coerce(n.dtype, n.value)); break;
      case "unary": {
        const u = unarySrc(n.fn, `v[${n.x}]`, n.dtype);
        src = n.fn === "not" && n.dtype === "bool" ? u : coerceSrc(n.dtype, u);
        break;
      }
      case "binary": {
        const b = binarySrc(n.fn, `v[${n.x}]`, `v[${n.y}]`, n.dtype, n.dtype);
        src = ZERO_ONE_BINARY.has(n.fn) && n.dtype === "bool" ? b : coerceSrc(n.dtype, b);
        break;
      }
      case "where": src = coerceSrc(n.dtype, `(v[${n.cond}] !== 0 ? v[${n.x}] : v[${n.y}])`); break;
      case "cast": src = coerceSrc(n.dtype, `v[${n.x}]`); break;
      case "clip": {
        const lo = lit(coerce(n.dtype, n.lo)), hi = lit(coerce(n.dtype, n.hi));
        src = coerceSrc(n.dtype, `(v[${n.x}] !== v[${n.x}] ? v[${n.x}] : v[${n.x}] < ${lo} ? ${lo} : v[${n.x}] > ${hi} ? ${hi} : v[${n.x}])`);
        break;
      }
      case "reduce":
        src = coerceSrc(n.dtype, `repeat(${JSON.stringify(n.fn)}, (acc, x) => ${reduceStepSrc(n.fn, "acc", "x")}, v[${n.x}], counts[${i}])`);
        break;
      case "in": case "rand": case "iota":
        throw new ArrayKernelError(`internal: node ${i} (${n.op}) of a constant program is not a constant`);
    }
    lines.push(`v[${i}] = ${src};`);
  });
  lines.push("return v;");
  const f = new Function("counts", "repeat", lines.join("\n")) as Evaluator["values"];
  return { values: f };
}

/** Each node's extents over a leaf space of shape `leaf` (reduced axes and constants at 1). */
function spaces(p: ChunkProgram, leaf: readonly number[]): { ext: number[][]; counts: number[] } {
  const d = leaf.length;
  const ext: number[][] = [];
  const counts: number[] = [];
  // broadcasting: an axis keeps the extent that is not 1 (which may be 0)
  const bc = (...xs: number[]): number[] => leaf.map((_, k) => xs.map((x) => ext[x]![k]!).find((e) => e !== 1) ?? 1);
  for (const [i, n] of p.nodes.entries()) {
    counts.push(0);
    switch (n.op) {
      case "const": ext.push(leaf.map(() => 1)); break;
      case "fill": case "in": case "rand": case "iota": ext.push([...leaf]); break;
      case "unary": case "cast": case "clip": ext.push([...ext[n.x]!]); break;
      case "binary": ext.push(bc(n.x, n.y)); break;
      case "where": ext.push(bc(n.cond, n.x, n.y)); break;
      case "reduce": {
        const e = [...ext[n.x]!];
        let k = 1;
        for (const a of n.axes) {
          const ax = a < 0 ? a + d : a;
          if (ax < 0 || ax >= d) throw new ArrayKernelError(`array.program: node ${i} reduces axis ${a}, out of range for ${d} axes`);
          k *= e[ax]!;
          e[ax] = 1;
        }
        counts[i] = k;
        ext.push(e);
        break;
      }
    }
  }
  return { ext, counts };
}

/** Elements a constant program writes for a chunk of leaf shape `shape` (what running it costs). */
export function constantOutputElements(p: ChunkProgram, shape: readonly number[]): number {
  const { ext } = spaces(p, shape);
  return p.outputs.reduce((s, i) => s + ext[i]!.reduce((a, b) => a * b, 1), 0);
}

/** The kernel of a constant program (see isConstantProgram). */
export function compileConstant(p: ChunkProgram): ChunkKernel {
  const ev = evaluator(p);
  return (_inputs: readonly NDChunk[], info: ChunkInfo): NDChunk[] => {
    const { ext, counts } = spaces(p, info.shape);
    const vals = ev.values(counts, repeatStep);
    return p.outputs.map((i) => {
      const n = p.nodes[i]!;
      const shape = ext[i]!;
      const size = shape.reduce((a, b) => a * b, 1);
      const data = outputBuffer(n.dtype, size);
      const v = vals[i]!;
      // Output buffers come zeroed: only other values (and -0) need writing.
      if (data instanceof BigInt64Array) {
        if (v !== 0) data.fill(BigInt(v));
      } else if (v !== 0 || Object.is(v, -0)) data.fill(v);
      return { dtype: n.dtype, shape, data };
    });
  };
}
