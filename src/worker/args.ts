/** Replacing {$ref: key} in task arguments with values from the worker's store. */
import type { Arg } from "../graph/spec.js";
import type { WorkerDataStore } from "./store.js";
import { MissingKeyError } from "./store.js";

/** A deep copy of `args` with every reference replaced by its value (typed arrays kept as they are). */
export function resolveArgs(args: readonly Arg[], store: WorkerDataStore): unknown[] {
  const out = new Array<unknown>(args.length);
  for (let i = 0; i < args.length; i++) out[i] = resolve(args[i], store);
  return out;
}

function resolve(x: Arg, store: WorkerDataStore): unknown {
  if (x === null || typeof x !== "object") return x;
  if (ArrayBuffer.isView(x)) return x;
  if (Array.isArray(x)) return x.map((v: Arg) => resolve(v, store));
  const o = x as { readonly [k: string]: Arg };
  const ref = o["$ref"];
  if (typeof ref === "string" && Object.keys(o).length === 1) {
    if (!store.has(ref)) throw new MissingKeyError(ref, `input '${ref}' is not on this worker (it was released or its worker died)`);
    return store.get(ref);
  }
  const copy: Record<string, unknown> = {};
  for (const k of Object.keys(o)) copy[k] = resolve(o[k], store);
  return copy;
}

/** A short name of a value's type, for the dashboard ("Float64Array", "number", "object"). */
export function typeName(v: unknown): string {
  if (v === null) return "null";
  if (typeof v !== "object") return typeof v;
  const c = (v as { constructor?: { name?: string } }).constructor;
  return c?.name ?? "object";
}
