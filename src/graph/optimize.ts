/**
 * Graph optimisation before a graph runs: culling (keep only what the requested keys need) and
 * registered passes (the array layer registers chunk-program fusion). Passes are pure functions
 * graph → graph that must keep every requested key and its value.
 */
import { dependencies } from "./execute.js";
import { isTask, type Graph, type Key } from "./spec.js";
import { GraphError } from "../util/errors.js";

export type GraphPass = (graph: Graph, keys: readonly Key[]) => Graph;

const passes = new Map<string, GraphPass>();

/** Register an optimisation pass under a name (re-registering the same function is a no-op). */
export function registerGraphPass(name: string, pass: GraphPass): void {
  const existing = passes.get(name);
  if (existing !== undefined && existing !== pass) throw new GraphError(`graph pass '${name}' is already registered with a different function`);
  passes.set(name, pass);
}

export function graphPasses(): string[] {
  return [...passes.keys()];
}

/** Only the nodes `keys` depend on (transitively). */
export function cull(graph: Graph, keys: readonly Key[]): Graph {
  const out: Graph = {};
  const stack = [...keys];
  while (stack.length > 0) {
    const k = stack.pop()!;
    if (out[k] !== undefined) continue;
    const node = graph[k];
    if (node === undefined) throw new GraphError(`key '${k}' is not in the graph`);
    out[k] = node;
    for (const d of dependencies(isTask(node) ? node.args : node.data)) if (out[d] === undefined) stack.push(d);
  }
  return out;
}

/**
 * Cull, then run every registered pass (or only those named in `only`). `keep`: keys the passes must
 * leave as they are, like requested ones (results already held on the workers, e.g. a persisted
 * array's blocks: fusing them into their readers would compute them again); culling still follows
 * `keys` alone.
 */
export function optimizeGraph(graph: Graph, keys: readonly Key[], opts: { readonly only?: readonly string[]; readonly keep?: ReadonlySet<Key> } = {}): Graph {
  let g = cull(graph, keys);
  let protectedKeys = keys;
  if (opts.keep !== undefined && opts.keep.size > 0) {
    const requested = new Set(keys);
    protectedKeys = [...keys, ...[...opts.keep].filter((k) => g[k] !== undefined && !requested.has(k))];
  }
  for (const [name, pass] of passes) {
    if (opts.only && !opts.only.includes(name)) continue;
    g = pass(g, protectedKeys);
  }
  return g;
}
