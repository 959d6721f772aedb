/**
 * Per-task completions for notebook progress bars: a scheduler plugin on each in-process scheduler
 * the notebook's clusters run (LocalCluster and SLURMCluster both run theirs in the kernel), telling
 * watchers when a task of their graph reaches memory or erred. Cheap on the scheduler loop: one Map
 * lookup per transition while a bar is open, nothing otherwise.
 */
import type { Key } from "../graph/spec.js";
import type { SchedulerPlugin, TransitionInfo } from "../scheduler/plugin.js";
import type { TaskStateName } from "../scheduler/entities.js";

type OnDone = (key: Key) => void;

export class TaskEvents implements SchedulerPlugin {
  readonly name = "tessera-notebook-progress";
  readonly #watchers = new Set<{ keys: ReadonlySet<Key>; onDone: OnDone }>();

  transition(key: Key, _from: TaskStateName, to: TaskStateName, _info: TransitionInfo): void {
    if (this.#watchers.size === 0 || (to !== "memory" && to !== "erred")) return;
    for (const w of this.#watchers) if (w.keys.has(key)) w.onDone(key);
  }

  /** Calls `onDone` for each task of `keys` that finishes; returns the function that stops it. */
  watch(keys: ReadonlySet<Key>, onDone: OnDone): () => void {
    const w = { keys, onDone };
    this.#watchers.add(w);
    return () => this.#watchers.delete(w);
  }
}
