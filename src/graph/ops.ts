/**
 * The op registry: tasks name their operation, and each process (client, worker thread,
 * in-process executor) looks the name up here. Modules that register built-in ops are listed
 * in ./builtin-op-modules.ts so that every task thread imports them at start-up.
 */
import { UnknownOpError } from "../util/errors.js";

export type OpFn = (...args: any[]) => unknown;

const registry = new Map<string, OpFn>();

/**
 * Register an op in this process only: workers' task threads do not see it (they import only the
 * built-in op modules). To run your own code on workers, submit the function itself, or ship a
 * module exporting `ops` ({name: function}) with client.uploadFile: every task thread registers them.
 * `replace`: a different function may take over the name (an uploaded module sent again).
 */
export function registerOp(name: string, fn: OpFn, opts: { replace?: boolean } = {}): void {
  const existing = registry.get(name);
  if (existing !== undefined && existing !== fn && opts.replace !== true) {
    throw new UnknownOpError(`op '${name}' is already registered with a different function; choose another name`);
  }
  registry.set(name, fn);
}

export function getOp(name: string): OpFn {
  const fn = registry.get(name);
  if (fn === undefined) {
    throw new UnknownOpError(
      `unknown op '${name}': no module registered it in this process ` +
        `(built-in ops are imported from src/graph/builtin-op-modules.ts; user functions travel with client.submit)`,
    );
  }
  return fn;
}

export function hasOp(name: string): boolean {
  return registry.has(name);
}

export function registeredOps(): string[] {
  return [...registry.keys()].sort();
}
