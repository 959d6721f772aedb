/**
 * CF decoding as xarray's maskAndScale does it: values equal to _FillValue or missing_value become
 * NaN, then value · scale_factor + add_offset. Lazy: two fused elementwise steps per block.
 */
import { where, type TArray } from "../core.js";
import type { DType } from "../dtype.js";

const num = (v: unknown): number | undefined => {
  const x = Array.isArray(v) ? v[0] : v;
  return typeof x === "number" ? x : typeof x === "bigint" ? Number(x) : undefined;
};

export function maskAndScale(x: TArray, attrs: Record<string, unknown>): TArray {
  const fills = [num(attrs._FillValue), num(attrs.missing_value)].filter((v): v is number => v !== undefined && !Number.isNaN(v));
  const scale = num(attrs.scale_factor);
  const offset = num(attrs.add_offset);
  if (fills.length === 0 && scale === undefined && offset === undefined) return x;
  // float32 data without scaling stays float32 (as xarray keeps it); everything else decodes to float64.
  const out: DType = x.dtype === "float32" && scale === undefined && offset === undefined ? "float32" : "float64";
  let y = x.astype(out);
  for (const f of fills) y = where(x.eq(f), NaN, y);
  if (scale !== undefined) y = y.mul(scale);
  if (offset !== undefined) y = y.add(offset);
  return y;
}
