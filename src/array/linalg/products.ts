/**
 * matmul, dot and tensordot with NumPy's semantics, built as blocked contractions (./contract.ts).
 *
 * matmul(a, b): the last two axes are matrices, leading axes broadcast (batch); a 1-D `a` is a
 * row vector and a 1-D `b` a column vector, and that axis is dropped from the result. 0-d
 * operands are refused (as NumPy's matmul does).
 * dot(a, b): 0-d → multiply; `b` 1-D → sum over the last axes; else sum over a's last axis and
 * b's second-to-last (no broadcasting: the free axes of both appear in the result).
 * tensordot(a, b, {axes}): axes = N (a's last N with b's first N) or [axesA, axesB].
 * The result dtype is NumPy's result_type of the operands.
 */
import { TesseraError } from "../../util/errors.js";
import { TArray, binary, broadcastShapes } from "../core.js";
import { promote } from "../dtype.js";
import type { AxisRole } from "./contract-block.js";
import { contract } from "./contract.js";

const shapeText = (s: readonly number[]): string => `[${s.join(", ")}]`;

export function linalgError(message: string): TesseraError {
  return new TesseraError("TESSERA_ERR_LINALG", message);
}

function checkArray(fn: string, x: unknown, which: string): TArray {
  if (!(x instanceof TArray)) {
    throw linalgError(`${fn}: ${which} operand must be a tessera array, got ${x === null ? "null" : typeof x}; wrap data with fromArray(...)`);
  }
  return x;
}

/** Refuses unknown option keys, suggesting the closest known one. */
export function checkOptions(fn: string, opts: object | undefined, known: readonly string[]): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== "object") throw linalgError(`${fn}: options must be an object, got ${opts === null ? "null" : typeof opts}`);
  for (const key of Object.keys(opts)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => k.toLowerCase() === key.toLowerCase()) ?? known.find((k) => k.startsWith(key.slice(0, 2)));
    throw linalgError(`${fn}: unknown option '${key}'${near ? `; did you mean '${near}'?` : `; known options: ${known.join(", ")}`}`);
  }
}

export function matmul(a: TArray, b: TArray): TArray {
  checkArray("matmul", a, "first");
  checkArray("matmul", b, "second");
  if (a.ndim === 0 || b.ndim === 0) {
    throw linalgError(`matmul: operand ${a.ndim === 0 ? 0 : 1} is 0-d (a scalar); matmul needs at least one axis per operand (use mul for scalars)`);
  }
  const aBatch = a.shape.slice(0, Math.max(0, a.ndim - 2));
  const bBatch = b.shape.slice(0, Math.max(0, b.ndim - 2));
  const ka = a.shape[a.ndim - 1]!;
  const kb = b.ndim === 1 ? b.shape[0]! : b.shape[b.ndim - 2]!;
  if (ka !== kb) {
    throw linalgError(`matmul: shapes ${shapeText(a.shape)} and ${shapeText(b.shape)} do not align: the last axis of the first (${ka}) must equal the ${b.ndim === 1 ? "only" : "second-to-last"} axis of the second (${kb})`);
  }
  let batchShape: number[];
  try {
    batchShape = broadcastShapes([aBatch, bBatch]);
  } catch {
    throw linalgError(`matmul: the batch axes ${shapeText(aBatch)} and ${shapeText(bBatch)} (of shapes ${shapeText(a.shape)} and ${shapeText(b.shape)}) do not broadcast`);
  }
  const nb = batchShape.length;
  const aRoles: AxisRole[] = [
    ...aBatch.map((_, j): AxisRole => ["b", nb - aBatch.length + j]),
    ...(a.ndim >= 2 ? [["m", 0] as AxisRole] : []),
    ["k", 0],
  ];
  const bRoles: AxisRole[] = [
    ...bBatch.map((_, j): AxisRole => ["b", nb - bBatch.length + j]),
    ["k", 0],
    ...(b.ndim >= 2 ? [["n", 0] as AxisRole] : []),
  ];
  return contract(a, b, {
    prefix: "matmul", dtype: promote(a.dtype, b.dtype), aRoles, bRoles, batchShape,
    nm: a.ndim >= 2 ? 1 : 0, nn: b.ndim >= 2 ? 1 : 0, nk: 1,
  });
}

export interface TensordotOptions {
  /** N: the last N axes of a with the first N of b (default 2); or [axesOfA, axesOfB]. */
  readonly axes?: number | readonly [number | readonly number[], number | readonly number[]];
}

function normAxes(fn: string, list: number | readonly number[], nd: number, which: string): number[] {
  const xs = typeof list === "number" ? [list] : list;
  if (!Array.isArray(xs)) throw linalgError(`${fn}: axes of ${which} must be a number or a list of numbers, got ${JSON.stringify(list)}`);
  const out = xs.map((x: unknown) => {
    if (typeof x !== "number" || !Number.isInteger(x) || x < -nd || x >= nd) {
      throw linalgError(`${fn}: axis ${JSON.stringify(x)} is out of range for ${which} with ${nd} axes (use ${-nd}..${nd - 1})`);
    }
    return x < 0 ? x + nd : x;
  });
  if (new Set(out).size !== out.length) throw linalgError(`${fn}: axes ${JSON.stringify(list)} of ${which} repeat an axis`);
  return out;
}

export function tensordot(a: TArray, b: TArray, opts: TensordotOptions = {}): TArray {
  checkArray("tensordot", a, "first");
  checkArray("tensordot", b, "second");
  checkOptions("tensordot", opts, ["axes"]);
  const spec = opts.axes ?? 2;
  let axA: number[], axB: number[];
  if (typeof spec === "number") {
    if (!Number.isInteger(spec) || spec < 0 || spec > a.ndim || spec > b.ndim) {
      throw linalgError(`tensordot: axes=${spec} must be an integer from 0 to ${Math.min(a.ndim, b.ndim)} for shapes ${shapeText(a.shape)} and ${shapeText(b.shape)}`);
    }
    axA = [...Array(spec).keys()].map((i) => a.ndim - spec + i);
    axB = [...Array(spec).keys()];
  } else {
    if (!Array.isArray(spec) || spec.length !== 2) throw linalgError(`tensordot: axes must be a number or a pair [axesOfA, axesOfB], got ${JSON.stringify(spec)}`);
    axA = normAxes("tensordot", spec[0], a.ndim, "the first operand");
    axB = normAxes("tensordot", spec[1], b.ndim, "the second operand");
    if (axA.length !== axB.length) throw linalgError(`tensordot: ${axA.length} axes of the first operand paired with ${axB.length} of the second; give as many of each`);
  }
  axA.forEach((x, i) => {
    if (a.shape[x] !== b.shape[axB[i]!]) {
      throw linalgError(`tensordot: shape mismatch for contracted pair ${i}: axis ${x} of the first operand ${shapeText(a.shape)} has length ${a.shape[x]}, axis ${axB[i]} of the second ${shapeText(b.shape)} has ${b.shape[axB[i]!]}`);
    }
  });
  let nm = 0, nn = 0;
  const aRoles = a.shape.map((_, ax): AxisRole => (axA.includes(ax) ? ["k", axA.indexOf(ax)] : ["m", nm++]));
  const bRoles = b.shape.map((_, ax): AxisRole => (axB.includes(ax) ? ["k", axB.indexOf(ax)] : ["n", nn++]));
  return contract(a, b, { prefix: "tensordot", dtype: promote(a.dtype, b.dtype), aRoles, bRoles, batchShape: [], nm, nn, nk: axA.length });
}

export function dot(a: TArray | number, b: TArray | number): TArray {
  // A scalar operand multiplies, as NumPy's dot(a, 2) does.
  if (typeof a === "number" || typeof b === "number") {
    if (typeof a === "number" && typeof b === "number") throw linalgError("dot: at least one operand must be a tessera array");
    if (typeof a !== "number") checkArray("dot", a, "first");
    if (typeof b !== "number") checkArray("dot", b, "second");
    return binary("mul", a, b);
  }
  checkArray("dot", a, "first");
  checkArray("dot", b, "second");
  if (a.ndim === 0 || b.ndim === 0) return binary("mul", a, b);
  const last = a.ndim - 1;
  const other = b.ndim === 1 ? 0 : b.ndim - 2;
  if (a.shape[last] !== b.shape[other]) {
    throw linalgError(`dot: shapes ${shapeText(a.shape)} and ${shapeText(b.shape)} not aligned: ${a.shape[last]} (axis ${last}) != ${b.shape[other]} (axis ${other})`);
  }
  return tensordot(a, b, { axes: [[last], [other]] });
}
