/**
 * A bounded ring buffer of task-stream spans, stored column-wise (typed arrays, prefix and worker
 * names interned to small numbers), so that recording a span on the scheduler's hot path allocates
 * nothing and leaves no per-task object for the garbage collector to promote. Each span gets a
 * sequence number, so a reader can ask for "everything after N" and learn how many it missed. Span
 * objects are only built when read, on the dashboard's timer.
 */
import type { TaskAction, TaskSpan } from "./source.js";
import { UsageError } from "../util/errors.js";

export const TASK_ACTIONS: readonly TaskAction[] = ["compute", "transfer", "disk-write", "disk-read", "deserialize"];
const ACTION_INDEX = new Map<TaskAction, number>(TASK_ACTIONS.map((a, i) => [a, i]));
const ERRED = 0x80;
/** Names interned before the table is rebuilt (prefixes and workers are few; this only bounds a leak). */
const DEFAULT_MAX_NAMES = 100_000;

export class SpanRing {
  readonly capacity: number;
  readonly #maxNames: number;
  readonly #keys: (string | undefined)[];
  readonly #prefix: Int32Array;
  readonly #worker: Int32Array;
  readonly #thread: Int32Array;
  readonly #start: Float64Array;
  readonly #stop: Float64Array;
  readonly #flags: Uint8Array;
  #names: string[] = [];
  #ids = new Map<string, number>();
  /** Sequence number the next span will get; spans [next - size, next) are held. */
  #next = 0;

  constructor(capacity: number, maxNames = DEFAULT_MAX_NAMES) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new UsageError(`SpanRing capacity ${capacity} is not a positive integer`);
    }
    this.capacity = capacity;
    this.#maxNames = Math.max(maxNames, 2 * capacity + 2);
    this.#keys = new Array<string | undefined>(capacity);
    this.#prefix = new Int32Array(capacity);
    this.#worker = new Int32Array(capacity);
    this.#thread = new Int32Array(capacity);
    this.#start = new Float64Array(capacity);
    this.#stop = new Float64Array(capacity);
    this.#flags = new Uint8Array(capacity);
  }

  #intern(name: string): number {
    let id = this.#ids.get(name);
    if (id === undefined) {
      id = this.#names.length;
      this.#names.push(name);
      this.#ids.set(name, id);
    }
    return id;
  }

  /** Keep only the names still referenced by held spans. */
  #resetNames(): void {
    const held = this.#heldSpans();
    this.#names = [];
    this.#ids = new Map();
    this.#next -= held.length;
    for (const s of held) this.pushSpan(s);
  }

  #heldSpans(): TaskSpan[] {
    return this.between(this.#next - this.size, this.#next);
  }

  push(key: string, prefix: string, worker: string, thread: number, start: number, stop: number, action: TaskAction, erred: boolean): void {
    // Room for two new names first, so that the ids taken below stay valid.
    if (this.#names.length + 2 > this.#maxNames) this.#resetNames();
    const prefixId = this.#intern(prefix);
    const workerId = this.#intern(worker);
    const i = this.#next % this.capacity;
    this.#keys[i] = key;
    this.#prefix[i] = prefixId;
    this.#worker[i] = workerId;
    this.#thread[i] = thread;
    this.#start[i] = start;
    this.#stop[i] = stop;
    this.#flags[i] = (ACTION_INDEX.get(action) ?? 0) | (erred ? ERRED : 0);
    this.#next++;
  }

  pushSpan(s: TaskSpan): void {
    this.push(s.key, s.prefix, s.worker, s.thread, s.start, s.stop, s.action, s.erred === true);
  }

  /** Sequence number of the newest span + 1 (0 when empty). */
  get next(): number {
    return this.#next;
  }

  get size(): number {
    return Math.min(this.#next, this.capacity);
  }

  #at(seq: number): TaskSpan {
    const i = seq % this.capacity;
    const flags = this.#flags[i]!;
    const span: TaskSpan = {
      key: this.#keys[i]!,
      prefix: this.#names[this.#prefix[i]!]!,
      worker: this.#names[this.#worker[i]!]!,
      thread: this.#thread[i]!,
      start: this.#start[i]!,
      stop: this.#stop[i]!,
      action: TASK_ACTIONS[flags & 0x7f] ?? "compute",
    };
    return flags & ERRED ? { ...span, erred: true } : span;
  }

  /**
   * Spans with sequence number ≥ `after`, oldest first, at most `max` of them (the newest ones).
   * `skipped` counts spans after `after` that are not returned (overwritten or over `max`).
   */
  since(after: number, max: number): { spans: TaskSpan[]; next: number; skipped: number } {
    const oldest = this.#next - this.size;
    const from = Math.max(after, oldest, this.#next - max);
    const spans: TaskSpan[] = [];
    for (let seq = from; seq < this.#next; seq++) spans.push(this.#at(seq));
    return { spans, next: this.#next, skipped: Math.max(0, from - Math.max(after, 0)) };
  }

  /** Spans with sequence numbers in [from, to) that are still held, oldest first. */
  between(from: number, to: number): TaskSpan[] {
    const out: TaskSpan[] = [];
    const lo = Math.max(from, this.#next - this.size);
    const hi = Math.min(to, this.#next);
    for (let seq = lo; seq < hi; seq++) out.push(this.#at(seq));
    return out;
  }

  /** Spans that ended at or after `sinceMs`, oldest first, at most `max` (the newest ones). */
  recent(sinceMs: number, max: number): TaskSpan[] {
    const out: TaskSpan[] = [];
    const oldest = this.#next - this.size;
    for (let seq = this.#next - 1; seq >= oldest && out.length < max; seq--) {
      if (this.#stop[seq % this.capacity]! >= sinceMs) out.push(this.#at(seq));
    }
    return out.reverse();
  }
}
