/**
 * Strict options objects: every public function that takes `{...}` options refuses keys it does
 * not know, naming the closest valid one ("unknown option 'keepDims'; did you mean 'keepdims'?"),
 * because a misspelt option silently ignored gives a wrong answer that looks right.
 */
import { TesseraError } from "./errors.js";

export class UnknownOptionError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_UNKNOWN_OPTION", message);
  }
}

/** Levenshtein distance (small strings only: option names). */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The valid name `name` was most likely meant to be, or undefined when none is close. */
export function closestName(name: string, valid: readonly string[]): string | undefined {
  const norm = (s: string): string => s.replace(/[-_]/g, "").toLowerCase();
  const exact = valid.find((v) => norm(v) === norm(name));
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestD = Infinity;
  for (const v of valid) {
    const d = distance(norm(name), norm(v));
    if (d < bestD) { bestD = d; best = v; }
  }
  return best !== undefined && bestD <= Math.max(name.length <= 3 ? 1 : 2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * Throw UnknownOptionError for any own key of `opts` not in `valid`. `where` names the function
 * ("sum", "fromArray"). Accepts undefined (no options). Refuses non-objects.
 */
export function checkOptions(opts: unknown, valid: readonly string[], where: string): void {
  if (opts === undefined) return;
  if (typeof opts !== "object" || opts === null || Array.isArray(opts)) {
    throw new UnknownOptionError(`${where}: options must be an object like { ${valid.slice(0, 2).join(", ")} }, got ${showValue(opts)}`);
  }
  for (const k of Object.keys(opts)) {
    if (valid.includes(k)) continue;
    const hint = closestName(k, valid);
    throw new UnknownOptionError(
      `${where}: unknown option '${k}'${hint !== undefined ? `; did you mean '${hint}'?` : ""} (valid options: ${valid.join(", ") || "none"})`,
    );
  }
}

/**
 * A value as it should read in an error message: like JSON, but NaN, Infinity, -0, bigint and
 * undefined print as themselves (JSON.stringify prints null for the first two).
 */
export function showValue(v: unknown, depth = 0): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "bigint") return `${v}n`;
  if (v === undefined) return "undefined";
  if (typeof v === "function") return `function ${v.name || "(anonymous)"}`;
  if (typeof v === "string" || typeof v === "boolean" || v === null) return JSON.stringify(v);
  if (depth > 3) return "…";
  if (Array.isArray(v)) {
    const items = v.slice(0, 20).map((x) => showValue(x, depth + 1));
    return `[${items.join(", ")}${v.length > 20 ? ", …" : ""}]`;
  }
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as { length: number }).length})`;
  if (typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).slice(0, 20).map(([k, x]) => `${k}: ${showValue(x, depth + 1)}`);
    return `{ ${entries.join(", ")} }`;
  }
  return String(v);
}
