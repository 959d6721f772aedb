/**
 * Rate-limited logging of refusals (bad messages, failed handshakes), IO-free apart from one unref'd
 * timer: a flood of bad input must not become a flood of log lines.
 *
 * Two modes:
 * - plain (no `noun`): at most `fullLines` lines an interval; the count suppressed meanwhile rides on
 *   the next line as `refusedSinceLastLine`.
 * - summarising (`noun` given, e.g. "connections"): after a quiet interval the first `fullLines`
 *   refusals are logged in full; the rest are counted by kind and reported in one summary line per
 *   interval ("refused 812 connections in the last second: 700 wrong secret, 112 malformed (last from
 *   tcp://…)") for as long as the flood lasts.
 */
import { UsageError } from "../util/errors.js";
export type RefusalWarn = (fields: Record<string, unknown>, text: string) => void;

export interface RefusalLogOptions {
  /** Length of a rate window in ms (default 1000). */
  intervalMs?: number;
  now?: () => number;
  /** Refusals logged in full per window (plain) or after a quiet window (summarising). Default 1. */
  fullLines?: number;
  /** What is refused, plural, for the summary line; turns on the summarising mode. */
  noun?: string;
}

export class RefusalLog {
  readonly #warn: RefusalWarn;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #fullLines: number;
  readonly #noun: string | undefined;
  #windowStart = -Infinity;
  #budget = 0;
  #suppressed = 0;
  #byKind = new Map<string, number>();
  #lastPeer: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(warn: RefusalWarn, intervalOrOptions: number | RefusalLogOptions = 1000, now: () => number = Date.now) {
    const o: RefusalLogOptions = typeof intervalOrOptions === "number" ? { intervalMs: intervalOrOptions, now } : intervalOrOptions;
    this.#warn = warn;
    this.#intervalMs = o.intervalMs ?? 1000;
    this.#now = o.now ?? now;
    this.#fullLines = o.fullLines ?? 1;
    this.#noun = o.noun;
    if (!(this.#intervalMs > 0)) throw new UsageError(`RefusalLog intervalMs ${this.#intervalMs} is not valid; use a positive number of ms (default 1000)`);
    if (!Number.isInteger(this.#fullLines) || this.#fullLines < 0) {
      throw new UsageError(`RefusalLog fullLines ${this.#fullLines} is not valid; use a whole number ≥ 0 (default 1)`);
    }
  }

  /** Refusals counted but not yet logged. */
  get pending(): number {
    return this.#suppressed;
  }

  /** One refusal. `kind` groups it in the summary ("wrong secret"); `peer` is who was refused. */
  refused(fields: Record<string, unknown>, text: string, kind = "refused", peer?: string): void {
    const t = this.#now();
    if (t - this.#windowStart >= this.#intervalMs) {
      // a new window: summarising mode keeps summarising while the flood goes on
      const flooding = this.#noun !== undefined && this.#suppressed > 0;
      if (flooding) this.#summary(t);
      this.#budget = flooding ? 0 : this.#fullLines;
      this.#windowStart = t;
    }
    if (this.#budget > 0) {
      this.#budget--;
      if (this.#noun === undefined && this.#suppressed > 0) {
        const n = this.#suppressed;
        this.#suppressed = 0;
        this.#warn({ ...fields, refusedSinceLastLine: n }, text);
      } else this.#warn(fields, text);
      return;
    }
    this.#suppressed++;
    this.#byKind.set(kind, (this.#byKind.get(kind) ?? 0) + 1);
    if (peer !== undefined) this.#lastPeer = peer;
    if (this.#noun !== undefined && this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#onWindowEnd(), Math.max(1, this.#windowStart + this.#intervalMs - t));
      this.#timer.unref();
    }
  }

  /** Logs what is pending and stops the timer (call when the listener closes). */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#noun !== undefined && this.#suppressed > 0) this.#summary(this.#now());
  }

  #onWindowEnd(): void {
    this.#timer = undefined;
    if (this.#suppressed === 0) return;
    const t = this.#now();
    this.#summary(t);
    // the flood is on: the next window starts now and logs only its summary
    this.#windowStart = t;
    this.#budget = 0;
  }

  #summary(t: number): void {
    const n = this.#suppressed;
    const byKind = Object.fromEntries([...this.#byKind].sort((a, b) => b[1] - a[1]));
    const span = Math.max(this.#intervalMs, t - this.#windowStart);
    const when = span <= this.#intervalMs * 1.5 && this.#intervalMs === 1000 ? "second" : `${(span / 1000).toFixed(1)} s`;
    const kinds = Object.entries(byKind)
      .map(([k, c]) => `${c} ${k}`)
      .join(", ");
    const last = this.#lastPeer !== undefined ? ` (last from ${this.#lastPeer})` : "";
    this.#warn({ refused: n, byKind, ...(this.#lastPeer !== undefined ? { lastPeer: this.#lastPeer } : {}) }, `refused ${n} ${this.#noun ?? "messages"} in the last ${when}: ${kinds}${last}`);
    this.#suppressed = 0;
    this.#byKind = new Map();
    this.#lastPeer = undefined;
  }
}
