/** coarsen(reducer, a, {axis: factor}): reduce non-overlapping windows (block-reduce, as dask.array.coarsen). */
import { TArray } from "../core.js";
import { isFloat, type DType } from "../dtype.js";
import { ArrayArgumentError, checkOptions, showValue } from "../errors.js";
import { rechunk } from "../rechunk.js";
import { applyArray } from "./apply.js";
import type { CoarsenReducer } from "./kernels/shape-kernels.js";
import { normAxis, requireKnownChunks } from "./util.js";
import { sliceAlong } from "./shaping.js";

const REDUCERS: readonly CoarsenReducer[] = ["sum", "mean", "min", "max", "prod", "any", "all"];

function outDType(r: CoarsenReducer, d: DType): DType {
  switch (r) {
    case "sum": case "prod": return isFloat(d) ? d : "int64";
    case "mean": return d === "float32" ? "float32" : "float64";
    case "min": case "max": return d;
    case "any": case "all": return "bool";
  }
}

export function coarsen(reducer: CoarsenReducer, a: TArray, factors: Readonly<Record<number, number>>, opts: { trimExcess?: boolean } = {}): TArray {
  const where = "coarsen";
  checkOptions(opts, ["trimExcess"], where);
  requireKnownChunks(a, where);
  if (!REDUCERS.includes(reducer)) throw new ArrayArgumentError(`${where}: reducer ${showValue(reducer)} is not one of ${REDUCERS.join(", ")}`);
  if (typeof factors !== "object" || factors === null) throw new ArrayArgumentError(`${where}: give factors per axis, e.g. { 0: 2, 1: 4 }`);
  const f = a.shape.map(() => 1);
  for (const [k, v] of Object.entries(factors)) {
    const axis = normAxis(Number(k), a.ndim, where);
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new ArrayArgumentError(`${where}: factor ${showValue(v)} for axis ${k} must be a positive integer`);
    f[axis] = v;
  }
  let x = a;
  f.forEach((fk, k) => {
    const n = x.shape[k]!;
    if (n % fk === 0) return;
    if (opts.trimExcess !== true) throw new ArrayArgumentError(`${where}: axis ${k} has length ${n}, not a multiple of ${fk}; pass trimExcess: true to drop the remainder`);
    x = sliceAlong(x, k, 0, n - (n % fk));
  });
  // Blocks must hold whole windows: sizes rounded to multiples of the factor.
  const want = x.chunks.map((c, k) => {
    const fk = f[k]!;
    if (c.every((n) => n % fk === 0)) return c;
    const n = x.shape[k]!;
    const size = Math.max(1, Math.round(Math.max(...c) / fk)) * fk;
    const out: number[] = [];
    for (let s = 0; s < n; s += size) out.push(Math.min(size, n - s));
    return out.length > 0 ? out : [0];
  });
  x = rechunk(x, want);
  const dtype = outDType(reducer, a.dtype);
  const chunks = x.chunks.map((c, k) => c.map((n) => n / f[k]!));
  return applyArray({
    prefix: `coarsen-${reducer}`, kernel: "coarsen", params: { reducer, factors: f, dtype }, inputs: [x], dtype, chunks,
    block: (idx) => ({ keys: [x.key(idx)] }),
  });
}
