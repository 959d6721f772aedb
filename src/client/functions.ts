/**
 * User functions that run on workers.
 *
 * - Self-contained functions (arrow, `function`, async) travel as source text and are compiled once
 *   per task thread. "Self-contained" is checked here, at submit time, with a real parser: a function
 *   that uses anything but its arguments, its own locals and JS/Node globals cannot work on a worker,
 *   so it is refused with the names of the variables it would need.
 * - Module-level functions travel as {module URL, export name}; workers import the module (a shared
 *   filesystem, as on HPC clusters). Tag them with `remote(import.meta.url, { fn })`.
 */
import { TesseraError, UsageError } from "../util/errors.js";
import { analyseFunctionSource } from "./free-variables.js";
import { selfNamed, tagModuleFunction, type FunctionDescriptor } from "../graph/function-descriptor.js";

export { loadFunction, compileSource, cachedFunction, isFunctionDescriptor, type FunctionDescriptor } from "../graph/function-descriptor.js";

type AnyFunction = Function;

const moduleFunctions = new WeakMap<AnyFunction, { url: string; exportName: string }>();
/** Source descriptors already checked (submit in a loop parses each function once). */
const described = new WeakMap<AnyFunction, FunctionDescriptor>();

/** Names a shipped function may use without declaring them: the JS and Node globals. */
const GLOBALS: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(globalThis),
  "undefined", "NaN", "Infinity", "globalThis", "arguments",
]);

export class UnshippableFunctionError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_UNSHIPPABLE_FUNCTION", message);
  }
}

/**
 * Tag module-level functions so that they ship by reference: `remote(import.meta.url, { simulate })`.
 * Each key must be the name the function is exported under in that module. Returns `fns` unchanged.
 */
export function remote<T extends Record<string, AnyFunction>>(moduleUrl: string, fns: T): T {
  let url: URL;
  try {
    url = new URL(moduleUrl);
  } catch {
    throw new UsageError(`remote(): '${moduleUrl}' is not a module URL; pass import.meta.url of the module that exports the functions`);
  }
  for (const [exportName, fn] of Object.entries(fns)) {
    if (typeof fn !== "function") throw new UsageError(`remote(): '${exportName}' is ${typeof fn}, not a function`);
    moduleFunctions.set(fn, { url: url.href, exportName });
    tagModuleFunction(fn, url.href, exportName);
  }
  return fns;
}

/** How `fn` travels to workers; throws UnshippableFunctionError (with what to do) when it cannot. */
export function describeFunction(fn: AnyFunction): FunctionDescriptor {
  if (typeof fn !== "function") throw new UnshippableFunctionError(`expected a function to run on workers, got ${typeof fn}`);
  const tagged = moduleFunctions.get(fn);
  if (tagged) return { kind: "module", url: tagged.url, exportName: tagged.exportName };
  const seen = described.get(fn);
  if (seen) return seen;
  const name = fn.name || "anonymous";
  const source = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    throw new UnshippableFunctionError(
      `function '${name}' is native or bound (fn.bind(...)), so its source cannot be shipped to workers; ` +
        `wrap it in a self-contained arrow function, e.g. (x) => Math.sqrt(x), and pass bound values as arguments`,
    );
  }
  const parsed = analyseFunctionSource(source, GLOBALS);
  if (!parsed.ok) {
    if (parsed.reason === "class") {
      throw new UnshippableFunctionError(`'${name}' is a class; submit a function (e.g. (...args) => new ${name}(...args).run()) defined in a module tagged with remote()`);
    }
    throw new UnshippableFunctionError(
      `function '${name}' cannot be shipped as source (it looks like a method, getter or class member: ${parsed.detail}); ` +
        `use a standalone arrow or function expression, or export it from a module and tag it with remote(import.meta.url, { ${name} })`,
    );
  }
  // A function may call itself by the name it was defined under; the worker binds that name.
  const free = selfNamed(name) ? parsed.free.filter((v) => v !== name) : parsed.free;
  if (free.length > 0) {
    const vars = free.map((v) => `'${v}'`).join(", ");
    throw new UnshippableFunctionError(
      `function '${name}' uses ${free.length === 1 ? "variable" : "variables"} ${vars} from outside itself, ` +
        `which do not exist on the workers. Pass the values as arguments (client.submit(fn, ...args)), or export the ` +
        `function from its module and tag it with remote(import.meta.url, { ${name === "anonymous" ? "fn" : name} }) so workers import it`,
    );
  }
  const desc: FunctionDescriptor = Object.freeze({ kind: "source", source, name });
  described.set(fn, desc);
  return desc;
}
