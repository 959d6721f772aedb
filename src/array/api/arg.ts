/** argmin / argmax along an axis (flattened when none): a chunk step and one aggregate per output block. */
import { TArray } from "../core.js";
import { ArrayArgumentError, checkOptions } from "../errors.js";
import { reshape } from "../shape-ops.js";
import { applyArray } from "./apply.js";
import { expandDims } from "./shaping.js";
import { dropEmptyBlocks, normAxis, requireKnownChunks } from "./util.js";
import { offsets } from "../chunks.js";
import { isFloat } from "../dtype.js";

export interface ArgOptions {
  readonly axis?: number | null;
  readonly keepdims?: boolean;
}

function arg(a: TArray, fn: "min" | "max", opts: ArgOptions, skipNaN = false): TArray {
  const where = `${skipNaN ? "nan" : ""}arg${fn}`;
  checkOptions(opts, ["axis", "keepdims"], where);
  requireKnownChunks(a, where);
  if (opts.axis === undefined || opts.axis === null) {
    const r = arg(reshape(a, [a.size]), fn, { axis: 0 }, skipNaN);
    return opts.keepdims === true ? reshape(r, a.shape.map(() => 1)) : r;
  }
  const axis = normAxis(opts.axis, a.ndim, where);
  if (a.shape[axis] === 0) throw new ArrayArgumentError(`${where}: attempt to get ${where} of an empty sequence (axis ${axis} has length 0)`);
  const x = dropEmptyBlocks(a, axis);
  const starts = offsets(x.chunks[axis]!);
  const params = skipNaN && isFloat(a.dtype) ? { fn, axis, skipNaN } : { fn, axis };
  const partial = applyArray({
    prefix: `${where}-chunk`, kernel: "argChunk", params, inputs: [x], dtype: "float64",
    chunks: x.chunks.map((c, k) => (k === axis ? c.map(() => 2) : [...c])),
    block: (idx) => ({ keys: [x.key(idx)], params: { offset: starts[idx[axis]!]! } }),
  });
  const outChunks = x.chunks.filter((_, k) => k !== axis).map((c) => [...c]);
  const r = applyArray({
    prefix: where, kernel: "argAggregate", params, inputs: [partial], dtype: "int64", chunks: outChunks,
    block: (idx) => {
      const keys = x.chunks[axis]!.map((_, j) => {
        const full = [...idx];
        full.splice(axis, 0, j);
        return partial.key(full);
      });
      return { keys };
    },
  });
  return opts.keepdims === true ? expandDims(r, axis) : r;
}

export const argmin = (a: TArray, opts: ArgOptions = {}): TArray => arg(a, "min", opts);
export const argmax = (a: TArray, opts: ArgOptions = {}): TArray => arg(a, "max", opts);
/** As argmin/argmax, NaNs ignored; an all-NaN slice fails when computed (NumPy's ValueError). */
export const nanargmin = (a: TArray, opts: ArgOptions = {}): TArray => arg(a, "min", opts, true);
export const nanargmax = (a: TArray, opts: ArgOptions = {}): TArray => arg(a, "max", opts, true);
