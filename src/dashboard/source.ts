/**
 * What the dashboard needs from a scheduler, and nothing more. The dashboard depends only on this
 * interface: `scheduler-source.ts` adapts the real Scheduler to it, tests use an in-memory one.
 *
 * Getters are called on the dashboard's timer (a few times a second, only while a page is open);
 * listener callbacks are called from the scheduler's hot path and must stay O(1).
 */

/** Task states, with Dask's names. */
export type TaskState = "released" | "waiting" | "no-worker" | "queued" | "processing" | "memory" | "erred" | "forgotten";

export const TASK_STATES: readonly TaskState[] = [
  "released",
  "waiting",
  "no-worker",
  "queued",
  "processing",
  "memory",
  "erred",
  "forgotten",
];

/** One worker as the scheduler last heard of it. Sizes in bytes, times in ms since the epoch. */
export interface WorkerView {
  readonly name: string;
  readonly address: string;
  readonly nthreads: number;
  /** Memory limit in bytes; 0 when the worker has none. */
  readonly memoryLimit: number;
  /** Process memory (RSS) in bytes. */
  readonly memory: number;
  /** Bytes of task results held in memory (managed memory); undefined when unknown. */
  readonly managedBytes?: number;
  /** Bytes of task results spilled to disk. */
  readonly spilledBytes: number;
  /** CPU use of the worker process in percent of one core (200 = two cores busy); undefined when not reported. */
  readonly cpuPercent?: number;
  /** Tasks assigned to the worker and not yet finished. */
  readonly processing: number;
  /** Task results the worker holds. */
  readonly stored: number;
  /** When the last heartbeat arrived. */
  readonly lastSeen: number;
  /** "running", "paused", "closing", ... */
  readonly status: string;
  /** Times the worker's nanny restarted it (0 or undefined without a nanny). */
  readonly restarts?: number;
  /** The worker stopped starting tasks because its memory is above the pause threshold. */
  readonly paused?: boolean;
  /** Batch job that runs this worker (SLURM job id), if any. */
  readonly jobId?: string;
  /** Free-form extra facts (host, pid, SLURM node, ...). */
  readonly metadata?: Readonly<Record<string, string | number>>;
}

/** Paused for memory: the flag, or a source that only reports it as the status. */
export function isPaused(w: WorkerView): boolean {
  return w.paused === true || w.status === "paused";
}

/** How many tasks of one prefix (the "kind" of task, e.g. `sum-chunk`) are in each state now. */
export interface PrefixCounts {
  readonly prefix: string;
  readonly counts: Readonly<Partial<Record<TaskState, number>>>;
  /** Bytes of this prefix's results in memory, if known. */
  readonly nbytes?: number;
}

/** Fractions of a worker's memory limit at which it acts (Dask's distributed.worker.memory.*). */
export interface MemoryThresholds {
  readonly target: number;
  readonly spill: number;
  readonly pause: number;
  readonly terminate: number;
}

export const DEFAULT_MEMORY_THRESHOLDS: MemoryThresholds = { target: 0.6, spill: 0.7, pause: 0.8, terminate: 0.95 };

/** What a worker thread spent a span of time on. */
export type TaskAction = "compute" | "transfer" | "disk-write" | "disk-read" | "deserialize";

/** One span in the task stream: a task (or a transfer/spill) on one worker thread. Times in ms since the epoch. */
export interface TaskSpan {
  readonly key: string;
  readonly prefix: string;
  readonly worker: string;
  /** Thread index within the worker (0-based). */
  readonly thread: number;
  readonly start: number;
  readonly stop: number;
  readonly action: TaskAction;
  /** True when the task raised. */
  readonly erred?: boolean;
}

export interface LogEntry {
  /** ms since the epoch */
  readonly time: number;
  readonly level: "trace" | "debug" | "info" | "warn" | "error" | "fatal";
  readonly msg: string;
}

export interface ErredTask {
  readonly key: string;
  readonly prefix: string;
  readonly worker?: string;
  readonly exception: string;
  /** The remote stack as text. */
  readonly traceback: string;
  readonly time: number;
}

export type JobState = "pending" | "running" | "completing" | "completed" | "failed" | "cancelled" | "timeout" | "unknown";

/** One batch job (e.g. a SLURM job running `processes` workers). */
export interface JobView {
  readonly id: string;
  readonly state: JobState;
  /** Why a pending job waits (SLURM's reason: Priority, Resources, QOSMaxJobsPerUserLimit, ...). */
  readonly reason?: string;
  /** Seconds of walltime left; undefined when unknown or not running. */
  readonly walltimeLeftS?: number;
  /** Names of the workers this job runs (those connected). */
  readonly workers: readonly string[];
  readonly cores: number;
  readonly submittedAt?: number;
  readonly startedAt?: number;
}

export interface JobsSnapshot {
  readonly jobs: readonly JobView[];
  /** Core-seconds the cluster's jobs have held (allocated cores × time). */
  readonly coreSecondsHeld: number;
  /** Core-seconds spent running tasks; omit to have the scheduler's measured task time filled in. */
  readonly coreSecondsBusy?: number;
  /** Batch system name for display, e.g. "SLURM". */
  readonly system?: string;
}

/** Supplied by batch clusters (SLURMCluster); absent on a LocalCluster. */
export interface JobsProvider {
  jobs(): JobsSnapshot;
}

/** Events the scheduler pushes. Every callback is optional and must return quickly. */
export interface DashboardListener {
  /** A task moved between states. `prefix` is the task's kind. */
  transition?(key: string, prefix: string, from: TaskState, to: TaskState): void;
  /**
   * A worker thread finished a span (compute, transfer, spill): the fields of a TaskSpan, passed
   * positionally so that the hot path allocates nothing.
   */
  span?(key: string, prefix: string, worker: string, thread: number, start: number, stop: number, action: TaskAction, erred: boolean): void;
  workerAdded?(worker: WorkerView): void;
  workerRemoved?(address: string, reason: string): void;
}

export interface DashboardSource {
  /** The scheduler's address (tcp://host:port). */
  readonly schedulerAddress: string;
  workers(): readonly WorkerView[];
  /** Task counts by prefix and state, for the tasks the scheduler knows now. */
  taskCounts(): readonly PrefixCounts[];
  memoryThresholds?(): MemoryThresholds | undefined;
  /** Most recent first, at most `limit`. */
  erredTasks(limit: number): readonly ErredTask[];
  /** Most recent last, at most `limit`. */
  schedulerLog(limit: number): readonly LogEntry[];
  /** Ask a worker for its log tail. Rejects when the worker is unknown. */
  workerLog?(address: string, limit: number): Promise<readonly LogEntry[]>;
  jobs?: JobsProvider;
  /** Seconds of task run time measured so far (fills in JobsSnapshot.coreSecondsBusy when omitted). */
  taskSeconds?(): number;
  /** Returns the unsubscribe function. */
  subscribe(listener: DashboardListener): () => void;
}
