/**
 * Async variant of ./args.ts resolveArgs for a store that may have spilled: every {$ref: key} is
 * replaced by its value, read back from disk with `store.load` when it was spilled (one read per key
 * however often it is referenced), so the worker's event loop is never blocked on a synchronous read.
 * A spilled block that the task reads only through range references (../graph/range-ref.ts) is not
 * read back whole: each range is read alone (store.peekRange) and the block stays on disk.
 */
import { isRangeRef, refsIn, type RangeRef } from "../graph/range-ref.js";
import type { Arg } from "../graph/spec.js";
import type { WorkerDataStore } from "./store.js";
import { MissingKeyError } from "./store.js";

/** Keys referenced anywhere inside `args`, range references included (deduplicated). */
export function referencedKeys(args: readonly Arg[]): string[] {
  const { whole, ranges } = refsIn(args);
  return [...new Set([...whole, ...ranges.map((r) => r.$range.$ref)])];
}

/** True when some input named in `keys` is on disk (the caller should use loadArgs). */
export function anySpilled(keys: readonly string[] | null, store: WorkerDataStore & { isSpilled?(key: string): boolean }): boolean {
  if (keys === null || store.spilledCount === 0) return false;
  if (typeof store.isSpilled !== "function") return true;
  for (const k of keys) if (store.isSpilled(k)) return true;
  return false;
}

const rangeId = (r: RangeRef): string => `${r.$range.$ref}\0${r.start}\0${r.length}`;

/** A deep copy of `args` with every reference replaced by its value, loading spilled values first. */
export async function loadArgs(args: readonly Arg[], store: WorkerDataStore & { isSpilled?(key: string): boolean }): Promise<unknown[]> {
  const { whole: direct, ranges } = refsIn(args);
  // keys read whole (those read only through ranges of a spilled block leave this set below)
  const whole = new Set([...direct, ...ranges.map((r) => r.$range.$ref)]);
  for (const k of whole) if (!store.has(k)) throw new MissingKeyError(k, `input '${k}' is not on this worker (it was released or its worker died)`);
  const pieces = new Map<string, unknown>();
  if (store.peekRange !== undefined && typeof store.isSpilled === "function") {
    const rangeOnly = ranges.filter((r) => !direct.has(r.$range.$ref) && store.isSpilled!(r.$range.$ref));
    for (const r of rangeOnly) whole.delete(r.$range.$ref);
    await Promise.all(
      rangeOnly.map(async (r) => {
        const piece = await store.peekRange!(r.$range.$ref, r.start, r.length);
        if (piece === undefined) whole.add(r.$range.$ref); // not a block after all: read it whole
        else pieces.set(rangeId(r), piece);
      }),
    );
  }
  const values = new Map<string, unknown>();
  await Promise.all([...whole].map(async (k) => values.set(k, await store.load(k))));
  const resolve = (x: Arg): unknown => {
    if (x === null || typeof x !== "object" || ArrayBuffer.isView(x)) return x;
    if (Array.isArray(x)) return (x as Arg[]).map(resolve);
    if (isRangeRef(x) && !values.has(x.$range.$ref)) {
      // the piece alone: elements [0, length) of it are the range's elements
      return { $range: pieces.get(rangeId(x)), start: 0, length: x.length, itemsize: x.itemsize };
    }
    const o = x as { readonly [k: string]: Arg };
    const ref = o["$ref"];
    if (typeof ref === "string" && Object.keys(o).length === 1) return values.get(ref);
    const copy: Record<string, unknown> = {};
    for (const k of Object.keys(o)) copy[k] = resolve(o[k]);
    return copy;
  };
  return args.map(resolve);
}
