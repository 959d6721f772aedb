/**
 * Size estimate of a value, for memory accounting: typed arrays and buffers exactly (their view's
 * bytes), strings at 2 bytes per code unit, plain containers walked to a bounded depth/width, and a
 * fixed guess beyond that. Cheap by design: it runs once per task result.
 */

const MAX_DEPTH = 4;
const MAX_ITEMS = 1000;
const OBJECT_OVERHEAD = 64;

export function nbytes(value: unknown): number {
  return estimate(value, 0);
}

function estimate(v: unknown, depth: number): number {
  switch (typeof v) {
    case "number":
    case "boolean":
    case "undefined":
      return 8;
    case "bigint":
      return 16;
    case "string":
      return 2 * v.length + 16;
    case "symbol":
    case "function":
      return OBJECT_OVERHEAD;
  }
  if (v === null) return 8;
  if (ArrayBuffer.isView(v)) return v.byteLength;
  if (v instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && v instanceof SharedArrayBuffer)) return v.byteLength;
  if (depth >= MAX_DEPTH) return OBJECT_OVERHEAD;
  if (Array.isArray(v)) {
    const n = v.length;
    const m = Math.min(n, MAX_ITEMS);
    let sum = 0;
    for (let i = 0; i < m; i++) sum += estimate(v[i], depth + 1);
    // Extrapolate the sampled prefix to the whole array.
    return OBJECT_OVERHEAD + (m === 0 ? 0 : (sum * n) / m);
  }
  if (v instanceof Map || v instanceof Set) return OBJECT_OVERHEAD + v.size * 64;
  let sum = OBJECT_OVERHEAD;
  let count = 0;
  for (const k in v as Record<string, unknown>) {
    if (++count > MAX_ITEMS) break;
    sum += 2 * k.length + estimate((v as Record<string, unknown>)[k], depth + 1);
  }
  return sum;
}
