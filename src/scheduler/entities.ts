/**
 * What the scheduler knows about each task, worker, client and task prefix. Plain mutable records
 * owned by SchedulerState (./state.ts); kept small because a scheduler may hold millions of tasks.
 */
import type { Restrictions } from "./restrictions.js";
import type { Arg, Key } from "../graph/spec.js";
import type { WireError, WorkerMetrics } from "../protocol/messages.js";
import type { WorkerInfo } from "./plugin.js";

export const TASK_STATES = ["released", "waiting", "queued", "processing", "memory", "erred", "forgotten"] as const;
export type TaskStateName = (typeof TASK_STATES)[number];

/** Per task kind (key prefix): average duration for placement and counts for the dashboard. */
export class TaskPrefix {
  readonly name: string;
  /** Seconds; negative until the first task of this prefix finished. */
  durationAverage = -1;
  nbytesTotal = 0;
  readonly counts: Record<TaskStateName, number> = {
    released: 0,
    waiting: 0,
    queued: 0,
    processing: 0,
    memory: 0,
    erred: 0,
    forgotten: 0,
  };
  constructor(name: string) {
    this.name = name;
  }
}

export class TaskState {
  readonly key: Key;
  readonly prefix: TaskPrefix;
  state: TaskStateName = "released";
  op: string | undefined;
  args: Arg[] | undefined;
  /** Function descriptor for op "call" (shared by all tasks of one submit/map). */
  fn: unknown = undefined;
  data: Arg | undefined;
  hasData = false;
  /** Dependencies, in argument order; null when none. */
  deps: TaskState[] | null = null;
  /** Tasks that depend on this one and are not forgotten. */
  dependents: Set<TaskState> | null = null;
  /** Dependencies not yet in memory (while waiting). */
  waitingOn = 0;
  /** Dependents that still need this value (waiting/queued/processing). */
  nWaiters = 0;
  /** True while this task counts itself in its dependencies' nWaiters. */
  holdsDeps = false;
  /** Clients holding a future for it: how many, and which (one inline, a set only when several). */
  nWanted = 0;
  wanter: ClientState | null = null;
  wanters: Set<ClientState> | null = null;
  /** Lower runs first: graph order, shifted by the user priority. */
  priority = 0;
  /** Which workers may run it (see ./restrictions.ts); null = any. */
  restrictions: Restrictions | null = null;
  processingOn: WorkerState | null = null;
  /** Seconds this task is expected to run (added to its worker's occupancy). */
  expected = 0;
  whoHas: WorkerState[] | null = null;
  nbytes = -1;
  type: string | undefined;
  retries = 0;
  /** Workers that died while it was processing on them. */
  suspicious: string[] | null = null;
  error: WireError | undefined;
  /** Thief chosen for a steal in flight. */
  stealTo: WorkerState | null = null;

  constructor(key: Key, prefix: TaskPrefix) {
    this.key = key;
    this.prefix = prefix;
  }
}

export type WorkerStatus = "running" | "paused" | "closing-gracefully" | "closed";

export class WorkerState {
  readonly address: string;
  readonly name: string;
  readonly nthreads: number;
  readonly memoryLimit: number;
  readonly pid: number;
  readonly host: string;
  readonly metadata: Record<string, string>;
  status: WorkerStatus = "running";
  readonly processing = new Set<TaskState>();
  readonly hasWhat = new Set<TaskState>();
  /** Bytes of task results held (as the scheduler counts them). */
  nbytes = 0;
  /** Expected seconds of work assigned and not finished. */
  occupancy = 0;
  lastSeen: number;
  metrics: WorkerMetrics | undefined;
  /** Tasks run here (for the dashboard). */
  executedCount = 0;

  constructor(opts: WorkerInfo & { now: number }) {
    this.address = opts.address;
    this.name = opts.name;
    this.nthreads = opts.nthreads;
    this.memoryLimit = opts.memoryLimit;
    this.pid = opts.pid;
    this.host = opts.host;
    this.metadata = opts.metadata;
    this.lastSeen = opts.now;
  }
}

/** A client; the keys it wants are recorded on the tasks (TaskState.wanter/wanters), not here. */
export class ClientState {
  readonly id: string;
  constructor(id: string) {
    this.id = id;
  }
}
