/**
 * asCompleted: futures in the order they finish, as Dask's `as_completed`.
 *
 *   for await (const f of asCompleted(futures)) console.log(await f);
 *   const ac = asCompleted([f1]); ac.add(f2);   // more futures while iterating
 *
 * Yields each Future once it is finished, failed or cancelled (awaiting a failed one rejects).
 */
import { Future } from "./future.js";

export class AsCompleted<T> implements AsyncIterable<Future<T>> {
  readonly #done: Future<T>[] = [];
  #pending = 0;
  #wake: (() => void) | null = null;

  constructor(futures: Iterable<Future<T>> = []) {
    for (const f of futures) this.add(f);
  }

  /** Also yield `future` when it completes. */
  add(future: Future<T>): void {
    this.#pending++;
    const st = future.state;
    const settle = (): void => {
      this.#pending--;
      this.#done.push(future);
      const w = this.#wake;
      this.#wake = null;
      w?.();
    };
    if (st.status !== "pending") queueMicrotask(settle);
    else (st.waiters ??= []).push(settle);
  }

  /** Futures not yet yielded (pending or completed but not yet taken). */
  get count(): number {
    return this.#pending + this.#done.length;
  }

  // Not an async generator: `yield` in one awaits thenables, and a Future is one.
  [Symbol.asyncIterator](): AsyncIterator<Future<T>> {
    return {
      next: async (): Promise<IteratorResult<Future<T>>> => {
        for (;;) {
          const f = this.#done.shift();
          if (f !== undefined) return { done: false, value: f };
          if (this.#pending === 0) return { done: true, value: undefined };
          await new Promise<void>((resolve) => (this.#wake = resolve));
        }
      },
    };
  }
}

export function asCompleted<T>(futures: Iterable<Future<T>> = []): AsCompleted<T> {
  return new AsCompleted(futures);
}

/** Resolves when the first of `futures` completes (finished, failed or cancelled); with it. */
export function firstCompleted<T>(futures: readonly Future<T>[]): Promise<Future<T>> {
  return new Promise((resolve) => {
    let settled = false;
    for (const f of futures) {
      const once = (): void => {
        if (settled) return;
        settled = true;
        resolve(f);
      };
      if (f.state.status !== "pending") {
        once();
        return;
      }
      (f.state.waiters ??= []).push(once);
    }
  });
}

export { Future };
