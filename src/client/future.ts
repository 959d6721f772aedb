/**
 * Futures: handles to results that live on workers. `await future` fetches the value (like Dask's
 * `future.result()`). Several Future objects may share one key; the client counts them and tells the
 * scheduler when the last one is released or garbage-collected.
 */
import type { Key } from "../graph/spec.js";
import type { WireError } from "../protocol/messages.js";

export type FutureStatus = "pending" | "finished" | "error" | "cancelled";

/** What the client knows about one key (shared by all Futures of that key). */
export class KeyState {
  readonly key: Key;
  status: FutureStatus = "pending";
  workers: string[] = [];
  nbytes = -1;
  type: string | undefined;
  error: WireError | Error | undefined;
  /** Futures alive for this key. */
  refs = 0;
  /** Called once when the key stops being pending. */
  waiters: (() => void)[] | null = null;
  constructor(key: Key) {
    this.key = key;
  }

  settle(): void {
    const w = this.waiters;
    this.waiters = null;
    if (w !== null) for (const fn of w) fn();
  }
}

/** The part of Client a Future needs (kept small so future.ts does not import client.ts). */
export interface FutureOwner {
  resultOf(state: KeyState): Promise<unknown>;
  releaseRef(state: KeyState): void;
  cancelKeys(keys: readonly Key[]): Promise<void>;
}

const finalizer = new FinalizationRegistry<{ owner: FutureOwner; state: KeyState; released: { done: boolean } }>((h) => {
  if (!h.released.done) {
    h.released.done = true;
    h.owner.releaseRef(h.state);
  }
});

export class Future<T = unknown> implements PromiseLike<T> {
  readonly key: Key;
  readonly #owner: FutureOwner;
  readonly #state: KeyState;
  readonly #released = { done: false };

  constructor(owner: FutureOwner, state: KeyState) {
    this.key = state.key;
    this.#owner = owner;
    this.#state = state;
    state.refs++;
    finalizer.register(this, { owner, state, released: this.#released }, this);
  }

  /** "pending" | "finished" | "error" | "cancelled". */
  get status(): FutureStatus {
    return this.#state.status;
  }

  get done(): boolean {
    return this.#state.status !== "pending";
  }

  /** @internal */
  get state(): KeyState {
    return this.#state;
  }

  /** The value (fetched from the worker holding it); rejects with the task's error. */
  result(): Promise<T> {
    // The continuation refers to `this`, so a Future being awaited cannot be garbage-collected (and its
    // key released) before its result arrives: `await client.submit(f, x)` keeps no other reference.
    return this.#owner.resultOf(this.#state).then((v) => {
      this.#keepAlive();
      return v as T;
    });
  }

  #keepAlive(): void {
    /* referenced from result()'s continuation; nothing to do */
  }

  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.result().then(onfulfilled, onrejected);
  }

  /** The error if the task failed, else undefined (waits for the task to finish). */
  async exception(): Promise<Error | undefined> {
    try {
      await this.result();
      return undefined;
    } catch (e) {
      return e as Error;
    }
  }

  cancel(): Promise<void> {
    return this.#owner.cancelKeys([this.key]);
  }

  /** Drop this handle now (instead of waiting for garbage collection). */
  release(): void {
    if (this.#released.done) return;
    this.#released.done = true;
    finalizer.unregister(this);
    this.#owner.releaseRef(this.#state);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `<Future: ${this.#state.status}, key: ${this.key}>`;
  }
}
