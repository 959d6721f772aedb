import { UsageError } from "./errors.js";
/**
 * Byte sizes as Dask writes them (dask.utils.parse_bytes / format_bytes):
 * decimal units (kB, MB, GB = 1e9, …) and binary units (KiB, MiB, GiB = 2^30, …), case-insensitive,
 * single-letter forms ('5G' = 5e9, '5Gi' = 5·2^30), a bare number = bytes. 'auto' and '0' are
 * meaningful only to some callers (e.g. --memory-limit), so they handle those before calling here.
 */

const UNITS: ReadonlyMap<string, number> = (() => {
  const base: Record<string, number> = {
    kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, pb: 1e15,
    kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40, pib: 2 ** 50,
    b: 1, "": 1,
  };
  const m = new Map<string, number>(Object.entries(base));
  // 'k', 'm', 'g', … (decimal) and 'ki', 'mi', … (binary), as dask accepts.
  for (const [k, v] of Object.entries(base)) {
    if (k.length === 2 && k !== "") m.set(k[0]!, v);
    if (k.length === 3) m.set(k.slice(0, 2), v);
  }
  return m;
})();

function sizeError(what: string | undefined, s: unknown, why: string): Error {
  const label = what ? `${what}: ` : "";
  return new UsageError(`${label}'${String(s)}' is not a size (${why}); use e.g. '120GB', '55.88GiB' or a number of bytes`);
}

/** Parse a byte size like Dask: '120GB' → 120e9, '55.88GiB' → 60000000000-ish, '1.5 kB' → 1500, 42 → 42. */
export function parseBytes(s: string | number, what?: string): number {
  if (typeof s === "number") {
    if (!Number.isFinite(s) || s < 0) throw sizeError(what, s, "must be a finite number ≥ 0");
    return Math.floor(s);
  }
  if (typeof s !== "string") throw sizeError(what, s, "expected a string or a number");
  const t = s.replace(/\s+/g, "");
  const m = /^([0-9]*\.?[0-9]*(?:e[+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(t);
  if (!m || t === "") throw sizeError(what, s, "expected a number followed by a unit");
  const numText = m[1]!;
  const unit = m[2]!.toLowerCase();
  // dask: a unit alone ('GB') means one of it.
  const n = numText === "" ? 1 : Number(numText);
  if (!Number.isFinite(n) || numText === ".") throw sizeError(what, s, `cannot read '${numText}' as a number`);
  const mult = UNITS.get(unit);
  if (mult === undefined) throw sizeError(what, s, `unknown unit '${m[2]}'`);
  return Math.floor(n * mult);
}

const BINARY: ReadonlyArray<readonly [string, number]> = [
  ["Pi", 2 ** 50], ["Ti", 2 ** 40], ["Gi", 2 ** 30], ["Mi", 2 ** 20], ["ki", 2 ** 10],
];
const DECIMAL: ReadonlyArray<readonly [string, number]> = [
  ["P", 1e15], ["T", 1e12], ["G", 1e9], ["M", 1e6], ["k", 1e3],
];

function format(n: number, units: ReadonlyArray<readonly [string, number]>): string {
  for (const [prefix, k] of units) {
    if (n >= k * 0.9) return `${(n / k).toFixed(2)} ${prefix}B`;
  }
  return `${n} B`;
}

/** dask.utils.format_bytes: binary units, 2 decimals (60e9 → '55.88 GiB', 1234 → '1.21 kiB', 100 → '100 B'). */
export function formatBytes(n: number): string {
  return format(n, BINARY);
}

/** Decimal units, 2 decimals, as the REPL view shows memory (360e9 → '360.00 GB'). */
export function formatBytesDecimal(n: number): string {
  return format(n, DECIMAL);
}
