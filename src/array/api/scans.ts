/** cumsum / cumprod (blocked scan with carries, as dask's cumreduction) and diff. */
import { blockKey } from "../../graph/spec.js";
import { TArray, binary } from "../core.js";
import { isFloat, type DType, checkDType } from "../dtype.js";
import { ArrayArgumentError, checkOptions } from "../errors.js";
import { reshape } from "../shape-ops.js";
import { full } from "../creation.js";
import { applyArray } from "./apply.js";
import { checkInt, normAxis, requireKnownChunks } from "./util.js";
import { concatenate } from "./join.js";
import { sliceAlong } from "./shaping.js";

export interface ScanOptions {
  /** Axis to scan along; the flattened array when omitted or null (as NumPy). */
  readonly axis?: number | null;
  readonly dtype?: DType;
}

function scan(a: TArray, fn: "sum" | "prod", opts: ScanOptions): TArray {
  const where = fn === "sum" ? "cumsum" : "cumprod";
  checkOptions(opts, ["axis", "dtype"], where);
  requireKnownChunks(a, where);
  if (opts.axis === undefined || opts.axis === null) return scan(reshape(a, [a.size]), fn, { ...opts, axis: 0 });
  const axis = normAxis(opts.axis, a.ndim, where);
  const dtype = opts.dtype !== undefined ? checkDType(opts.dtype, `${where}: dtype`) : isFloat(a.dtype) ? a.dtype : "int64";
  const params = { fn, axis, dtype };
  const chunks = a.chunks.map((c) => [...c]);
  const local = applyArray({ prefix: `${where}-local`, kernel: "scanLocal", params, inputs: [a], chunks, dtype, block: (idx) => ({ keys: [a.key(idx)] }) });
  if (a.numblocks[axis] === 1) return local;
  const totChunks = chunks.map((c, k) => (k === axis ? c.map(() => 1) : c));
  const totals = applyArray({ prefix: `${where}-total`, kernel: "scanTotal", params, inputs: [local], chunks: totChunks, dtype, block: (idx) => ({ keys: [local.key(idx)] }) });
  // Carries in a chain (carry_j = carry_(j-1) ⊕ total_(j-1)), so block j reads one carry, not j totals.
  const carry = applyArray({
    prefix: `${where}-carry`, kernel: "scanAdd", params, inputs: [totals], chunks: totChunks, dtype,
    block: (idx, self) => {
      const j = idx[axis]!;
      const at = (b: number): number[] => idx.map((x, k) => (k === axis ? b : x));
      return { keys: j <= 1 ? [totals.key(at(0))] : [blockKey(self, at(j - 1)), totals.key(at(j - 1))] };
    },
  });
  return applyArray({
    prefix: where, kernel: "scanAdd", params, inputs: [local, carry], chunks, dtype,
    block: (idx) => ({ keys: idx[axis] === 0 ? [local.key(idx)] : [local.key(idx), carry.key(idx)] }),
  });
}

export const cumsum = (a: TArray, opts: ScanOptions = {}): TArray => scan(a, "sum", opts);
export const cumprod = (a: TArray, opts: ScanOptions = {}): TArray => scan(a, "prod", opts);

export interface DiffOptions {
  /** How many times to difference (default 1). */
  readonly n?: number;
  /** Axis (default -1). */
  readonly axis?: number;
  /** Values joined before / after the array along the axis first (an array, or a scalar broadcast). */
  readonly prepend?: TArray | number;
  readonly append?: TArray | number;
}

/** n-th discrete difference along an axis: out[i] = a[i+1] - a[i] (bool: a[i+1] != a[i]). */
export function diff(a: TArray, opts: DiffOptions = {}): TArray {
  checkOptions(opts, ["n", "axis", "prepend", "append"], "diff");
  const n = checkInt(opts.n ?? 1, "n", "diff");
  if (a.ndim === 0) throw new ArrayArgumentError("diff: needs at least one axis (the array is 0-d)");
  const axis = normAxis(opts.axis ?? -1, a.ndim, "diff");
  let x = a;
  const edge = (v: TArray | number): TArray => {
    if (v instanceof TArray) return v;
    return full(x.shape.map((s, k) => (k === axis ? 1 : s)), v, { chunks: x.chunks.map((c, k) => (k === axis ? [1] : c)) });
  };
  if (opts.prepend !== undefined) x = concatenate([edge(opts.prepend), x], { axis });
  if (opts.append !== undefined) x = concatenate([x, edge(opts.append)], { axis });
  for (let i = 0; i < n; i++) {
    const len = x.shape[axis]!;
    if (len === 0) break;
    const hi = sliceAlong(x, axis, 1, len), lo = sliceAlong(x, axis, 0, len - 1);
    x = x.dtype === "bool" ? binary("ne", hi, lo) : binary("sub", hi, lo);
  }
  return x;
}
