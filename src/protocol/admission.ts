/**
 * Flood guard for a listener, IO-free: at most `max` connections may be unauthenticated at once. A
 * refused connection costs one counter increment; refusals are logged at most once a second.
 */
import type { Logger } from "../util/log.js";

export class HandshakeAdmission {
  #pending = 0;
  #refusedSinceLog = 0;
  #lastLog = -Infinity;

  constructor(
    readonly max: number,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    /** When given, refusals go here (the listener's rate-limited refusal log) instead of the own line a second. */
    private readonly onRefused?: (peer: string | undefined) => void,
  ) {
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`maxPendingHandshakes ${max} is not valid; use a whole number ≥ 1 (default 256)`);
    }
  }

  get pending(): number {
    return this.#pending;
  }

  /** A release function (idempotent) when admitted; undefined when the connection must be refused. */
  admit(peer: string | undefined): (() => void) | undefined {
    if (this.#pending >= this.max) {
      if (this.onRefused) {
        this.onRefused(peer);
        return undefined;
      }
      this.#refusedSinceLog++;
      const t = this.now();
      if (t - this.#lastLog >= 1000) {
        this.log.warn({ peer, refused: this.#refusedSinceLog, maxPendingHandshakes: this.max }, "too many unauthenticated connections; refusing new ones");
        this.#lastLog = t;
        this.#refusedSinceLog = 0;
      }
      return undefined;
    }
    this.#pending++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#pending--;
    };
  }
}
