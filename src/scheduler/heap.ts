/**
 * A binary min-heap of items ordered by a numeric `priority` field (lower first). Used for the
 * scheduler's queue of ready tasks; removal is lazy: callers skip popped items whose state moved on.
 */
export class PriorityHeap<T extends { priority: number }> {
  #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(item: T): void {
    const a = this.#items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = a[parent]!;
      if (p.priority <= item.priority) break;
      a[i] = p;
      i = parent;
    }
    a[i] = item;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  pop(): T | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    let i = 0;
    const n = a.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && a[r]!.priority < a[l]!.priority ? r : l;
      if (a[c]!.priority >= last.priority) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
    return top;
  }

  /** Iterates in no particular order (for estimates, e.g. the adaptive target). */
  values(): readonly T[] {
    return this.#items;
  }

  clear(): void {
    this.#items = [];
  }
}
