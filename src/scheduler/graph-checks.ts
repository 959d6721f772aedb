/**
 * Whole-graph checks on an update-graph before any of it is kept: a cycle would leave its tasks
 * waiting for ever, and an unbounded graph would exhaust the scheduler's memory. IO-free.
 */
import type { Key } from "../graph/spec.js";
import type { UpdateGraphMsg } from "../protocol/messages.js";

/** Null when the graph may be added to a scheduler already holding `known` (tasks by key), else why not. */
export function graphProblem(known: ReadonlyMap<Key, unknown>, msg: UpdateGraphMsg, maxGraphTasks: number): string | null {
  // Only new tasks can form a cycle: tasks already known never depend on tasks added later.
  const fresh = new Map<Key, readonly Key[]>();
  for (const t of msg.tasks) if (!known.has(t.key) && !fresh.has(t.key)) fresh.set(t.key, t.deps ?? []);
  if (known.size + fresh.size > maxGraphTasks) {
    return `the graph adds ${fresh.size} tasks to the ${known.size} the scheduler holds, more than limits.maxGraphTasks (${maxGraphTasks}); compute it in parts or raise the limit`;
  }
  const cycle = findCycle(fresh);
  if (cycle !== null) {
    const shown = cycle.length > 6 ? [...cycle.slice(0, 5), "…", cycle[cycle.length - 1]!] : cycle;
    return `the graph has a cycle (${shown.map((k) => `'${k.slice(0, 80)}'`).join(" → ")}), so none of it can run; a task may not depend on itself, directly or through others`;
  }
  return null;
}

/** One cycle among `deps` (key → its dependencies) as a path whose last key depends on the first, or null. Iterative DFS. */
export function findCycle(deps: ReadonlyMap<Key, readonly Key[]>): Key[] | null {
  const state = new Map<Key, 1 | 2>(); // 1 = on the current path, 2 = finished
  for (const root of deps.keys()) {
    if (state.has(root)) continue;
    const path: Key[] = [root];
    const next: number[] = [0];
    state.set(root, 1);
    while (path.length > 0) {
      const key = path[path.length - 1]!;
      const ds = deps.get(key)!;
      const i = next[next.length - 1]!;
      if (i >= ds.length) {
        state.set(key, 2);
        path.pop();
        next.pop();
        continue;
      }
      next[next.length - 1] = i + 1;
      const d = ds[i]!;
      if (!deps.has(d)) continue; // known or unknown elsewhere: not part of a new cycle
      const s = state.get(d);
      if (s === 1) return path.slice(path.indexOf(d));
      if (s === undefined) {
        state.set(d, 1);
        path.push(d);
        next.push(0);
      }
    }
  }
  return null;
}
