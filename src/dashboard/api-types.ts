/**
 * The dashboard's JSON wire format: what `/api/*` returns and what the event stream sends. Shared by
 * the server and the browser front-end (which imports these types only).
 */
import type { ErredTask, JobsSnapshot, LogEntry, MemoryThresholds, TaskAction, TaskState, WorkerView } from "./source.js";

export { isPaused } from "./source.js";
export type { ErredTask, JobsSnapshot, JobView, LogEntry, MemoryThresholds, TaskAction, TaskState, WorkerView } from "./source.js";

/** Progress of one task prefix. `done` = finished and since released; `memory` = finished, result held. */
export interface ProgressRow {
  readonly prefix: string;
  readonly total: number;
  /** Not yet runnable or not yet assigned (waiting, queued, no-worker). */
  readonly waiting: number;
  readonly processing: number;
  readonly memory: number;
  readonly done: number;
  readonly erred: number;
  /** (memory + done + erred) / total, 0..1. */
  readonly fraction: number;
}

export interface ClusterTotals {
  readonly workers: number;
  readonly threads: number;
  readonly memory: number;
  readonly memoryLimit: number;
  readonly managedBytes: number;
  readonly spilledBytes: number;
  readonly processing: number;
  readonly stored: number;
  readonly cpuPercent: number;
  /** Nanny restarts over all connected workers. */
  readonly restarts: number;
  /** Workers paused for memory now. */
  readonly paused: number;
}

/** A span on the wire: short field names, times in ms since the epoch. */
export interface SpanWire {
  /** key */
  readonly k: string;
  /** prefix */
  readonly p: string;
  /** worker address */
  readonly w: string;
  /** thread index */
  readonly t: number;
  /** start */
  readonly s: number;
  /** stop */
  readonly e: number;
  /** action */
  readonly a: TaskAction;
  /** erred */
  readonly x?: 1;
}

/** One sample of the time series (taken once a second). */
export interface HistorySample {
  /** seconds since the epoch */
  readonly t: number;
  /** cluster process memory, bytes */
  readonly memory: number;
  /** tasks finished per second over the last sample period */
  readonly tasksPerS: number;
}

/** Everything the Status, Workers and Jobs pages show. */
export interface Snapshot {
  /** ms since the epoch */
  readonly time: number;
  readonly schedulerAddress: string;
  readonly workers: readonly WorkerView[];
  readonly totals: ClusterTotals;
  readonly thresholds: MemoryThresholds;
  readonly progress: readonly ProgressRow[];
  /** All tasks the scheduler knows, by state. */
  readonly taskCounts: Readonly<Partial<Record<TaskState, number>>>;
  /** Tasks finished since the dashboard started. */
  readonly tasksFinished: number;
  readonly tasksErred: number;
  /** Batch jobs (null on a LocalCluster); coreSecondsBusy is always filled in. */
  readonly jobs: (JobsSnapshot & { readonly coreSecondsBusy: number }) | null;
}

/** The first event on the stream (`event: snapshot`). */
export interface StreamHello extends Snapshot {
  readonly history: readonly HistorySample[];
  readonly spans: readonly SpanWire[];
  readonly spanSeq: number;
}

/** Later events (`event: update`): the snapshot plus what is new since the previous update. */
export interface StreamUpdate extends Snapshot {
  readonly newSamples: readonly HistorySample[];
  readonly spans: readonly SpanWire[];
  /** Spans that finished since the previous update but are not sent (too many at once). */
  readonly spansSkipped: number;
  readonly spanSeq: number;
}

export interface InfoPayload {
  readonly schedulerLog: readonly LogEntry[];
  readonly erred: readonly ErredTask[];
}
