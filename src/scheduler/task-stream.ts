/**
 * The task stream on request (Dask's get_task_stream): while at least one client records, every task
 * that finishes or fails is kept (bounded) with its worker and run times. Clients start a recording
 * (getting a position) and stop it (getting the tasks since that position).
 */
import { keyPrefix, type Key } from "../graph/spec.js";
import type { SchedulerPlugin, TransitionInfo } from "./plugin.js";
import type { TaskStateName } from "./entities.js";
import type { TaskStreamEntry } from "../protocol/messages.js";

export type { TaskStreamEntry };

/** At most this many tasks are kept; older ones are dropped first. */
export const TASK_STREAM_LIMIT = 100_000;

export class TaskStreamRecorder implements SchedulerPlugin {
  readonly name = "tessera-task-stream";
  #entries: TaskStreamEntry[] = [];
  /** Position of #entries[0] in the stream since this recorder started. */
  #offset = 0;
  #recordings = 0;

  get recording(): boolean {
    return this.#recordings > 0;
  }

  start(): number {
    this.#recordings++;
    return this.#offset + this.#entries.length;
  }

  /** Tasks since `position`, and one recording fewer. */
  stop(position: number): TaskStreamEntry[] {
    this.#recordings = Math.max(0, this.#recordings - 1);
    const out = this.#entries.slice(Math.max(0, position - this.#offset));
    if (this.#recordings === 0) {
      this.#offset += this.#entries.length;
      this.#entries = [];
    }
    return out;
  }

  transition(key: Key, _from: TaskStateName, to: TaskStateName, info: TransitionInfo): void {
    if (this.#recordings === 0 || (to !== "memory" && to !== "erred") || info.start === undefined || info.worker === undefined) return;
    this.#entries.push({ key, prefix: info.prefix || keyPrefix(key), worker: info.worker, start: info.start, stop: info.start + (info.duration ?? 0) * 1000, status: to });
    if (this.#entries.length > TASK_STREAM_LIMIT) {
      const drop = this.#entries.length - TASK_STREAM_LIMIT;
      this.#entries.splice(0, drop);
      this.#offset += drop;
    }
  }
}
