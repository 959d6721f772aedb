/**
 * Range references: a task argument `{$range: {$ref: key}, start, length, itemsize}` says the task
 * reads only elements [start, start + length) of the `data` typed array of `key`'s value (an array
 * block: an object whose `data` field is a typed array). Everything that walks refs sees the inner
 * `{$ref}` as an ordinary dependency; ops resolve the range with `rangeData`.
 *
 * Why: a worker that lacks `key` then fetches only those elements, under a local *range key*
 * (`rangeKey`), which a peer holding `key` answers with the value cut to the range (no task, no
 * copy: a view of the block's memory). A rechunk can so read its pieces straight from the input
 * blocks, one task per output block, with only the pieces' bytes moving between workers. The task's
 * argument is then rewritten to `{$range: {$ref: rangeKey}, start: 0, length}`, so `rangeData`
 * gives the same elements either way. The scheduler never sees range keys.
 */
import type { Arg, Key, Ref } from "./spec.js";

// A type alias (not an interface) so that it is assignable to Arg.
export type RangeRef = {
  readonly $range: Ref;
  readonly start: number;
  readonly length: number;
  /** Bytes per element (sizes the fetch before the value is seen). */
  readonly itemsize: number;
};

export function rangeRef(key: Key, start: number, length: number, itemsize: number): RangeRef {
  return { $range: { $ref: key }, start, length, itemsize };
}

export function isRangeRef(x: unknown): x is RangeRef {
  if (typeof x !== "object" || x === null || Array.isArray(x) || ArrayBuffer.isView(x)) return false;
  const r = (x as { $range?: unknown }).$range;
  const o = x as Record<string, unknown>;
  return (
    typeof r === "object" && r !== null && typeof (r as { $ref?: unknown }).$ref === "string" &&
    Number.isInteger(o["start"]) && Number.isInteger(o["length"]) && (o["start"] as number) >= 0 && (o["length"] as number) >= 0
  );
}

/** A value with a typed-array `data` field (an array block). */
interface WithData { readonly data: ArrayBufferView & { subarray(begin: number, end: number): ArrayBufferView } }

/** The elements a resolved range argument (`$range` already replaced by its value) names: a view, no copy. */
export function rangeData(resolved: { readonly $range: unknown; readonly start: number; readonly length: number }): ArrayBufferView {
  const v = resolved.$range as WithData;
  return v.data.subarray(resolved.start, resolved.start + resolved.length);
}

/**
 * The value a peer sends for a range key: `value` with `data` cut to the range: a view, or with
 * `copy` a copy (for a value just read back from disk, so that the whole block is not kept alive
 * by the reply while only the range is needed).
 */
export function cutToRange(value: unknown, start: number, length: number, copy = false): unknown | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const d = (value as Partial<WithData>).data;
  if (d === undefined || !ArrayBuffer.isView(d) || typeof d.subarray !== "function") return undefined;
  const n = (d as unknown as { length: number }).length;
  if (start + length > n) return undefined;
  const part = d.subarray(start, start + length);
  return { ...(value as object), shape: [length], data: copy ? (part as unknown as { slice(): ArrayBufferView }).slice() : part };
}

const SEP = "#range:";

/** The local key under which a worker keeps elements [start, start + length) of `key`'s value. */
export function rangeKey(key: Key, start: number, length: number): Key {
  return `${key}${SEP}${start}+${length}`;
}

/** The parts of a range key, or null for an ordinary key. */
export function parseRangeKey(k: Key): { key: Key; start: number; length: number } | null {
  const i = k.lastIndexOf(SEP);
  if (i < 0) return null;
  const m = /^(\d+)\+(\d+)$/.exec(k.slice(i + SEP.length));
  if (m === null) return null;
  return { key: k.slice(0, i), start: Number(m[1]), length: Number(m[2]) };
}

export const isRangeKey = (k: Key): boolean => k.includes(SEP) && parseRangeKey(k) !== null;

/**
 * For a task about to fetch its inputs: the inputs in `fetchable` that `args` reads only through
 * range references are replaced by their range keys. Returns the rewritten args and deps, and for
 * each range key the key it cuts and its expected bytes; null when nothing changes.
 */
/** The keys `args` reference whole (plain `{$ref}` outside range references), and its range references, in order. */
export function refsIn(args: readonly Arg[]): { whole: Set<Key>; ranges: RangeRef[] } {
  const whole = new Set<Key>();
  const ranges: RangeRef[] = [];
  const scan = (x: Arg): void => {
    if (x === null || typeof x !== "object" || ArrayBuffer.isView(x)) return;
    if (Array.isArray(x)) {
      for (const v of x as Arg[]) scan(v);
      return;
    }
    if (isRangeRef(x)) {
      ranges.push(x);
      return;
    }
    const o = x as Record<string, Arg>;
    if (typeof o["$ref"] === "string" && Object.keys(o).length === 1) {
      whole.add(o["$ref"] as string);
      return;
    }
    for (const k of Object.keys(o)) scan(o[k]);
  };
  for (const a of args) scan(a);
  return { whole, ranges };
}

export function rangeInputs(
  args: readonly Arg[],
  deps: readonly Key[],
  fetchable: (key: Key) => boolean,
): { args: Arg[]; deps: Key[]; ranges: Map<Key, { key: Key; nbytes: number }> } | null {
  // Which deps are read whole somewhere (then the whole value is fetched anyway).
  const { whole, ranges: rangeRefs } = refsIn(args);
  if (rangeRefs.length === 0) return null;
  const ranges = new Map<Key, { key: Key; nbytes: number }>();
  const rewrite = (x: Arg): Arg => {
    if (x === null || typeof x !== "object" || ArrayBuffer.isView(x)) return x;
    if (Array.isArray(x)) return (x as Arg[]).map(rewrite);
    if (isRangeRef(x)) {
      const key = x.$range.$ref;
      if (whole.has(key) || !fetchable(key)) return x;
      const rk = rangeKey(key, x.start, x.length);
      ranges.set(rk, { key, nbytes: x.length * (Number.isFinite(x.itemsize) && x.itemsize > 0 ? x.itemsize : 8) });
      return { $range: { $ref: rk }, start: 0, length: x.length, itemsize: x.itemsize };
    }
    const o = x as Record<string, Arg>;
    if (typeof o["$ref"] === "string" && Object.keys(o).length === 1) return x;
    const out: Record<string, Arg> = {};
    for (const k of Object.keys(o)) out[k] = rewrite(o[k]);
    return out;
  };
  const newArgs = args.map(rewrite);
  if (ranges.size === 0) return null;
  const cut = new Set([...ranges.values()].map((r) => r.key));
  const newDeps = deps.filter((d) => !cut.has(d));
  for (const rk of ranges.keys()) newDeps.push(rk);
  return { args: newArgs, deps: newDeps, ranges };
}
