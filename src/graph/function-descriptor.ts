/**
 * How a user function travels to workers (see ./functions.ts for how one is made), and how a task
 * thread turns it back into a function. Kept free of the parser so task threads load it cheaply.
 */
import { FunctionLoadError } from "../util/errors.js";

export type FunctionDescriptor =
  | { kind: "source"; source: string; name: string }
  | { kind: "module"; url: string; exportName: string };

type AnyFunction = (...args: unknown[]) => unknown;

const cache = new Map<string, AnyFunction>();

/**
 * Functions tagged as module exports (`remote(import.meta.url, { fn })` in the client layer):
 * kept here, below both the client and the array layer, so that either can ship them by reference.
 */
const moduleTags = new WeakMap<Function, { url: string; exportName: string }>();

export function tagModuleFunction(fn: Function, url: string, exportName: string): void {
  moduleTags.set(fn, { url, exportName });
}

/** The module descriptor of a tagged function (and this process's cache primed with it), else undefined. */
export function moduleDescriptorOf(fn: Function): FunctionDescriptor | undefined {
  const tag = moduleTags.get(fn);
  if (tag === undefined) return undefined;
  const desc: FunctionDescriptor = { kind: "module", url: tag.url, exportName: tag.exportName };
  // The function itself is what importing its module gives: in this process no import is needed.
  cache.set(cacheKey(desc), fn as AnyFunction);
  return desc;
}

/** Module URLs of a client mapped to copies on this worker (client.uploadFile). */
const aliases = new Map<string, string>();

/** Functions from module `sourceUrl` (a client's file) load from `localUrl` (its uploaded copy) here. */
export function aliasModule(sourceUrl: string, localUrl: string): void {
  aliases.set(sourceUrl, localUrl);
  for (const k of [...cache.keys()]) if (k.startsWith(`m:${sourceUrl}#`)) cache.delete(k);
}

function cacheKey(desc: FunctionDescriptor): string {
  return desc.kind === "source" ? `s:${desc.source}` : `m:${desc.url}#${desc.exportName}`;
}

export function isFunctionDescriptor(x: unknown): x is FunctionDescriptor {
  if (typeof x !== "object" || x === null) return false;
  const d = x as Record<string, unknown>;
  return (
    (d.kind === "source" && typeof d.source === "string" && typeof d.name === "string") ||
    (d.kind === "module" && typeof d.url === "string" && typeof d.exportName === "string")
  );
}

/** The function for `desc` if this thread has loaded it before (the fast path of every "call" task). */
export function cachedFunction(desc: FunctionDescriptor): AnyFunction | undefined {
  return cache.get(cacheKey(desc));
}

/** Compile a source descriptor (synchronously); module descriptors need loadFunction. */
export function compileSource(desc: { source: string; name: string }): AnyFunction {
  const key = `s:${desc.source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let fn: unknown;
  try {
    // Global scope only: the source was checked to use no free variables but globals and, for
    // recursion, its own name (`const fib = (n) => … fib(n - 1) …`), which is bound here.
    fn = selfNamed(desc.name) ? compileNamed(desc.source, desc.name) : new Function(`"use strict"; return (${desc.source});`)();
  } catch (e) {
    throw new FunctionLoadError(`cannot compile function '${desc.name}' on the worker: ${(e as Error).message}`);
  }
  if (typeof fn !== "function") throw new FunctionLoadError(`function '${desc.name}' did not compile to a function`);
  cache.set(key, fn as AnyFunction);
  return fn as AnyFunction;
}

/** Whether `name` can be bound as a local constant (an identifier, not a reserved word). */
export function selfNamed(name: string): boolean {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return false;
  try {
    new Function(`"use strict"; const ${name} = 0;`);
    return true;
  } catch {
    return false;
  }
}

function compileNamed(source: string, name: string): unknown {
  return new Function(`"use strict"; const ${name} = (${source}); return ${name};`)();
}

/** Load the function a descriptor names (cached per thread by source text or module URL + export). */
export async function loadFunction(desc: FunctionDescriptor): Promise<AnyFunction> {
  if (!isFunctionDescriptor(desc)) {
    throw new FunctionLoadError(`not a function descriptor: ${JSON.stringify(desc)?.slice(0, 200)}; build one with describeFunction(fn)`);
  }
  if (desc.kind === "source") return compileSource(desc);
  const key = cacheKey(desc);
  const hit = cache.get(key);
  if (hit) return hit;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(aliases.get(desc.url) ?? desc.url)) as Record<string, unknown>;
  } catch (e) {
    throw new FunctionLoadError(
      `cannot import '${desc.url}' on the worker (it must be readable at the same path there, e.g. on a shared filesystem, ` +
        `or sent with client.uploadFile(path)): ${(e as Error).message}`,
    );
  }
  const fn = mod[desc.exportName];
  if (typeof fn !== "function") {
    throw new FunctionLoadError(`module '${desc.url}' has no exported function '${desc.exportName}' (exports: ${Object.keys(mod).join(", ") || "none"})`);
  }
  cache.set(key, fn as AnyFunction);
  return fn as AnyFunction;
}
