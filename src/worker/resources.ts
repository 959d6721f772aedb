/**
 * A worker's abstract resources as concurrency limits (Dask's worker resources): a worker started
 * with `--resources "GPU=2"` runs at most two tasks needing {GPU: 1} at once, however many threads
 * it has. Tasks acquire their amounts when they start and release them when they finish.
 */
import type { Key } from "../graph/spec.js";

export class ResourcePool {
  readonly total: Readonly<Record<string, number>>;
  readonly #available: Record<string, number>;
  readonly #held = new Map<Key, Readonly<Record<string, number>>>();

  constructor(total: Readonly<Record<string, number>>) {
    this.total = { ...total };
    this.#available = { ...total };
  }

  /** What running tasks do not hold now. */
  get available(): Readonly<Record<string, number>> {
    return { ...this.#available };
  }

  /** Take `need` for task `key` if all of it is free now; false (nothing taken) otherwise. */
  acquire(key: Key, need: Readonly<Record<string, number>>): boolean {
    for (const [name, amount] of Object.entries(need)) if ((this.#available[name] ?? 0) < amount) return false;
    for (const [name, amount] of Object.entries(need)) this.#available[name] = (this.#available[name] ?? 0) - amount;
    this.#held.set(key, need);
    return true;
  }

  /** Task `key` finished (or was dropped): what it held is free again. */
  release(key: Key): void {
    const need = this.#held.get(key);
    if (need === undefined) return;
    this.#held.delete(key);
    for (const [name, amount] of Object.entries(need)) this.#available[name] = (this.#available[name] ?? 0) + amount;
  }
}
