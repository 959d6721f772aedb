/**
 * Scheduler plugins observe the scheduler (the dashboard, metrics, tests). Hooks run synchronously
 * on the scheduler's event loop, so they must be cheap; a hook that throws is logged and ignored.
 */
import type { Key } from "../graph/spec.js";
import type { TaskStateName } from "./entities.js";
import type { WireError, WorkerActivitySpan, WorkerIdentity } from "../protocol/messages.js";

export interface TransitionInfo {
  /** Task kind (key prefix), e.g. "add" for "add-3f9a2c:0,1". */
  prefix: string;
  /** Worker it is processing on (to = processing) or that produced it (to = memory/erred). */
  worker: string | undefined;
  nbytes: number;
  type: string | undefined;
  /** For to = memory/erred: run times reported by the worker (ms since epoch, seconds). */
  start?: number;
  duration?: number;
  error?: WireError;
}

export interface WorkerInfo extends Omit<WorkerIdentity, "metadata"> {
  metadata: Readonly<Record<string, string>>;
}

/**
 * Time a worker spent moving data rather than computing: fetching task inputs from a peer
 * ("transfer") or writing results to disk ("spill"). Reported with the worker's heartbeats, so
 * it arrives up to one heartbeat interval late.
 */
export interface SpanInfo extends WorkerActivitySpan {
  /** The worker that received the data (transfer) or wrote it (spill). */
  worker: string;
}

export interface SchedulerPlugin {
  readonly name?: string;
  transition?(key: Key, from: TaskStateName, to: TaskStateName, info: TransitionInfo): void;
  addWorker?(info: WorkerInfo): void;
  removeWorker?(address: string, reason: string): void;
  /** A worker reported a transfer or spill (batched: several calls per heartbeat). */
  span?(info: SpanInfo): void;
  addClient?(clientId: string): void;
  removeClient?(clientId: string): void;
  /** The scheduler is closing. */
  close?(): void | Promise<void>;
}
