/**
 * The synchronous in-process reference executor: runs a graph in topological order in this
 * thread, resolving `{$ref}` arguments recursively through arrays and plain objects (typed arrays
 * pass through untouched) and looking ops up in the registry. It is the oracle for tests and the
 * fallback default executor when no Client is connected.
 */
import { setFallbackExecutor, type GraphExecutor } from "./default-executor.js";
import { getOp } from "./ops.js";
import { importBuiltinOps } from "./builtin-op-modules.js";
import { isRef, isTask, type Arg, type Graph, type Key } from "./spec.js";
import { GraphError, TaskError } from "../util/errors.js";

export { TaskError };

/**
 * Containers found to hold no refs. Graph values are immutable data, and blocks of one operation
 * share their argument objects (chunk programs, shapes), so each is walked once, not per task.
 */
const refFree = new WeakSet<object>();

function collect(x: unknown, out: Set<Key>): boolean {
  if (x === null || typeof x !== "object" || ArrayBuffer.isView(x) || refFree.has(x)) return false;
  if (isRef(x)) {
    out.add(x.$ref);
    return true;
  }
  let found = false;
  if (Array.isArray(x)) {
    for (const a of x) if (collect(a, out)) found = true;
  } else {
    for (const v of Object.values(x)) if (collect(v, out)) found = true;
  }
  if (!found) refFree.add(x);
  return found;
}

/** Keys `node` refers to, found recursively through arrays and plain objects. */
export function dependencies(args: unknown, out: Set<Key> = new Set()): Set<Key> {
  collect(args, out);
  return out;
}

/** Replace every ref in `x` by its value from `values` (copies containers, never typed arrays). */
export function resolveRefs(x: Arg, values: ReadonlyMap<Key, unknown>): unknown {
  if (x === null || typeof x !== "object" || ArrayBuffer.isView(x)) return x;
  if (isRef(x)) {
    if (!values.has(x.$ref)) throw new GraphError(`reference to '${x.$ref}', which has not been computed`);
    return values.get(x.$ref);
  }
  if (Array.isArray(x)) return (x as readonly Arg[]).map((a) => resolveRefs(a, values));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x as Record<string, Arg>)) out[k] = resolveRefs(v, values);
  return out;
}

/**
 * Keys needed for `keys`, in an order where every key comes after its dependencies.
 * Throws on missing keys and cycles, naming them.
 */
export function topologicalOrder(graph: Graph, keys: readonly Key[]): Key[] {
  const order: Key[] = [];
  const state = new Map<Key, 1 | 2>(); // 1 = on stack, 2 = done
  const deps = new Map<Key, Key[]>();
  for (const root of keys) {
    if (state.get(root) === 2) continue;
    // Iterative DFS: graphs can be deeper than the JS stack.
    const stack: Array<[Key, number]> = [[root, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [key, i] = top;
      if (i === 0) {
        if (state.get(key) === 2) { stack.pop(); continue; }
        const node = graph[key];
        if (node === undefined) throw new GraphError(`key '${key}' is not in the graph (referenced or requested)`);
        state.set(key, 1);
        deps.set(key, isTask(node) ? [...dependencies(node.args)] : [...dependencies(node.data)]);
      }
      const d = deps.get(key)!;
      if (i < d.length) {
        top[1] = i + 1;
        const dep = d[i]!;
        const s = state.get(dep);
        if (s === 1) throw new GraphError(`the graph has a cycle through '${dep}'`);
        if (s !== 2) stack.push([dep, 0]);
      } else {
        state.set(key, 2);
        order.push(key);
        stack.pop();
      }
    }
  }
  return order;
}

interface Plan {
  order: Key[];
  depsOf: Map<Key, Key[]>;
  remaining: Map<Key, number>;
}

function plan(graph: Graph, keys: readonly Key[]): Plan {
  const order = topologicalOrder(graph, keys);
  const remaining = new Map<Key, number>();
  const depsOf = new Map<Key, Key[]>();
  for (const key of order) {
    const node = graph[key]!;
    const d = [...dependencies(isTask(node) ? node.args : node.data)];
    depsOf.set(key, d);
    for (const k of d) remaining.set(k, (remaining.get(k) ?? 0) + 1);
  }
  return { order, depsOf, remaining };
}

/** Drop values whose last dependent has run (unless requested). */
function release(p: Plan, key: Key, wanted: ReadonlySet<Key>, values: Map<Key, unknown>): void {
  for (const k of p.depsOf.get(key)!) {
    const left = p.remaining.get(k)! - 1;
    p.remaining.set(k, left);
    if (left === 0 && !wanted.has(k)) values.delete(k);
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

/** Run a task's op on its arguments (references resolved from `values`). */
function callOp(node: { op: string; args: readonly Arg[] }, values: ReadonlyMap<Key, unknown>): unknown {
  return getOp(node.op)(...node.args.map((a) => resolveRefs(a, values)));
}

function taskFailed(key: Key, op: string, e: unknown): TaskError {
  return new TaskError(key, `task '${key}' (op '${op}') failed: ${e instanceof Error ? e.message : String(e)}`, { op, cause: e });
}

/**
 * The one walk over `graph` behind both executors: runs `keys`' tasks in order, dropping
 * intermediate values as soon as their last dependent has run (memory stays near the working set).
 * With `awaiting`, an op's promise is yielded for the driver to settle and send (or throw) back in.
 */
function* walkGraph(graph: Graph, keys: readonly Key[], awaiting: boolean, progress?: (done: number, total: number) => void): Generator<PromiseLike<unknown>, unknown[], unknown> {
  const p = plan(graph, keys);
  const wanted = new Set(keys);
  const values = new Map<Key, unknown>();
  let done = 0;
  for (const key of p.order) {
    const node = graph[key]!;
    if (isTask(node)) {
      try {
        const v = callOp(node, values);
        values.set(key, awaiting && isThenable(v) ? yield v : v);
      } catch (e) {
        throw taskFailed(key, node.op, e);
      }
    } else {
      values.set(key, resolveRefs(node.data, values));
    }
    release(p, key, wanted, values);
    progress?.(++done, p.order.length);
  }
  return keys.map((k) => values.get(k));
}

/** Run `graph` for `keys` synchronously; returns their values in order. */
export function executeGraph(graph: Graph, keys: readonly Key[], progress?: (done: number, total: number) => void): unknown[] {
  return walkGraph(graph, keys, false, progress).next().value as unknown[];
}

/** As executeGraph, but awaits ops that return promises (file and store IO ops do). */
export async function executeGraphAsync(graph: Graph, keys: readonly Key[], progress?: (done: number, total: number) => void): Promise<unknown[]> {
  const walk = walkGraph(graph, keys, true, progress);
  let step = walk.next();
  while (!step.done) {
    let settled: unknown;
    try {
      settled = await step.value;
    } catch (e) {
      step = walk.throw(e); // the walk names the failing task
      continue;
    }
    step = walk.next(settled);
  }
  return step.value;
}

/** The in-process executor as a GraphExecutor (imports the built-in op modules first). */
export const inProcessExecutor: GraphExecutor = {
  async computeGraph(graph, keys, opts) {
    await importBuiltinOps();
    return executeGraphAsync(graph, keys, opts?.progress);
  },
  async persistGraph(graph, keys) {
    await importBuiltinOps();
    const values = await executeGraphAsync(graph, keys);
    const out: Graph = {};
    keys.forEach((k, i) => { out[k] = { data: values[i] as Arg }; });
    return out;
  },
};

setFallbackExecutor(() => inProcessExecutor);
