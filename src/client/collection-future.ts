/**
 * The result of `client.compute(array)`: the futures of the array's blocks, and how to assemble them.
 * `await` it for the value `array.compute()` would give; cancel or release it like a Future.
 */
import type { Future, FutureStatus } from "./future.js";

export class CollectionFuture<T> implements PromiseLike<T> {
  /** One future per output key of the collection (e.g. per block of an array). */
  readonly futures: readonly Future[];
  readonly #finalize: (values: readonly unknown[]) => T;
  readonly #gather: (futures: readonly Future[]) => Promise<unknown[]>;

  constructor(futures: readonly Future[], finalize: (values: readonly unknown[]) => T, gather: (futures: readonly Future[]) => Promise<unknown[]>) {
    this.futures = futures;
    this.#finalize = finalize;
    this.#gather = gather;
  }

  /** "finished" when every block is; "error" or "cancelled" when any is; else "pending". */
  get status(): FutureStatus {
    let pending = false;
    for (const f of this.futures) {
      if (f.status === "error" || f.status === "cancelled") return f.status;
      if (f.status === "pending") pending = true;
    }
    return pending ? "pending" : "finished";
  }

  get done(): boolean {
    return this.futures.every((f) => f.done);
  }

  async result(): Promise<T> {
    return this.#finalize(await this.#gather(this.futures));
  }

  then<R1 = T, R2 = never>(onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null, onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null): Promise<R1 | R2> {
    return this.result().then(onfulfilled, onrejected);
  }

  async cancel(): Promise<void> {
    await Promise.all(this.futures.map((f) => f.cancel()));
  }

  release(): void {
    for (const f of this.futures) f.release();
  }
}
