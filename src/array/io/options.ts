/** Option checking for the IO functions: unknown names are errors that suggest the closest valid one. */
import { IOOptionsError } from "./errors.js";

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

/** Throws IOOptionsError for a non-object or for names not in `valid`, suggesting the nearest. */
export function checkOptions<T extends object>(opts: T | undefined, valid: readonly string[], where: string): T {
  if (opts === undefined) return {} as T;
  if (opts === null || typeof opts !== "object" || Array.isArray(opts)) {
    throw new IOOptionsError(`${where}: options must be an object, got ${JSON.stringify(opts)}`);
  }
  for (const k of Object.keys(opts)) {
    if (valid.includes(k)) continue;
    const best = [...valid].sort((x, y) => distance(k.toLowerCase(), x.toLowerCase()) - distance(k.toLowerCase(), y.toLowerCase()))[0];
    const containing = valid.find((v) => v.toLowerCase().includes(k.toLowerCase()));
    const hint = containing !== undefined ? ` (did you mean '${containing}'?)` : best !== undefined && distance(k.toLowerCase(), best.toLowerCase()) <= Math.max(2, k.length / 3) ? ` (did you mean '${best}'?)` : "";
    throw new IOOptionsError(`${where}: unknown option '${k}'${hint}; valid options: ${valid.join(", ")}`);
  }
  return opts;
}

export function checkPath(p: unknown, what: string): string {
  if (typeof p !== "string" || p.length === 0) throw new IOOptionsError(`${what}: expected a file or directory path (a non-empty string), got ${JSON.stringify(p)}`);
  return p;
}
