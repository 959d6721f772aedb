/**
 * Adapts the real Scheduler to the DashboardSource: a scheduler plugin whose hooks do O(1) work
 * (forward the transition, pack a finished task onto a thread row, keep bounded rings of errors and
 * events), plus getters over the scheduler's read-only views. `startSchedulerDashboard` is the one
 * call a cluster or the CLI makes to serve a dashboard for a scheduler.
 */
import type { Scheduler } from "../scheduler/server.js";
import type { SchedulerPlugin, SpanInfo, TransitionInfo, WorkerInfo } from "../scheduler/plugin.js";
import type { TaskStateName } from "../scheduler/entities.js";
import type { WorkerView as SchedulerWorkerView } from "../scheduler/view.js";
import { startDashboard, type Dashboard, type DashboardOptions } from "./server.js";
import type {
  DashboardListener,
  DashboardSource,
  ErredTask,
  JobsProvider,
  LogEntry,
  MemoryThresholds,
  PrefixCounts,
  TaskState,
  WorkerView,
} from "./source.js";

export interface SchedulerSourceExtras {
  /** Batch jobs behind the workers (SLURMCluster). */
  jobs?: JobsProvider;
  /** The scheduler's own log lines (e.g. a LogTail's `entries`, see log-tail.ts), merged with the dashboard's event log. */
  schedulerLog?: (limit: number) => readonly LogEntry[];
  /** Fetches a worker's log tail (the cluster knows where worker logs go). */
  workerLog?: (address: string, limit: number) => Promise<readonly LogEntry[]>;
  memoryThresholds?: MemoryThresholds;
}

/** A bounded FIFO: push is O(1), the oldest entry is dropped when full. */
class Ring<T> {
  #items: T[] = [];
  #start = 0;
  constructor(readonly capacity: number) {}
  push(item: T): void {
    if (this.#items.length < this.capacity) this.#items.push(item);
    else {
      this.#items[this.#start] = item;
      this.#start = (this.#start + 1) % this.capacity;
    }
  }
  /** Oldest first. */
  toArray(): T[] {
    return [...this.#items.slice(this.#start), ...this.#items.slice(0, this.#start)];
  }
}

/**
 * Workers report when a task started and how long it ran, not on which thread: place each span on
 * the lowest thread row that was free when it started (what the threads must have been doing).
 */
class ThreadPacker {
  #freeAt = new Map<string, Float64Array>();
  addWorker(address: string, nthreads: number): void {
    this.#freeAt.set(address, new Float64Array(Math.max(1, nthreads)));
  }
  removeWorker(address: string): void {
    this.#freeAt.delete(address);
  }
  place(address: string, start: number, stop: number): number {
    let rows = this.#freeAt.get(address);
    if (rows === undefined) {
      rows = new Float64Array(1);
      this.#freeAt.set(address, rows);
    }
    let best = 0;
    for (let i = 0; i < rows.length; i++) {
      if (rows[i]! <= start + 0.5) {
        best = i;
        break;
      }
      if (rows[i]! < rows[best]!) best = i;
    }
    rows[best] = stop;
    return best;
  }
}

function jobIdOf(metadata: Readonly<Record<string, string>>): string | undefined {
  return metadata["slurmJobId"] ?? metadata["jobId"] ?? metadata["SLURM_JOB_ID"];
}

export class SchedulerSource implements DashboardSource {
  readonly #scheduler: Scheduler;
  readonly #extras: SchedulerSourceExtras;
  /** An array, not a Set: iterated on every transition, and arrays iterate without allocating. */
  #listeners: DashboardListener[] = [];
  readonly #erred = new Ring<ErredTask>(200);
  readonly #events = new Ring<LogEntry>(1000);
  readonly #packer = new ThreadPacker();
  /**
   * Rows for transfers and spills, packed apart from the compute spans: they arrive a heartbeat
   * late, and packing them with compute spans would push later tasks onto the wrong rows.
   */
  readonly #ioPacker = new ThreadPacker();
  #taskSeconds = 0;
  readonly plugin: SchedulerPlugin;
  readonly jobs: JobsProvider | undefined;
  /** Present when the cluster can fetch worker logs. */
  workerLog?: (address: string, limit: number) => Promise<readonly LogEntry[]>;

  constructor(scheduler: Scheduler, extras: SchedulerSourceExtras = {}) {
    this.#scheduler = scheduler;
    this.#extras = extras;
    this.jobs = extras.jobs;
    if (extras.workerLog) this.workerLog = extras.workerLog;
    this.plugin = {
      name: "tessera-dashboard",
      transition: (key, from, to, info) => this.#onTransition(key, from, to, info),
      addWorker: (w) => this.#onAddWorker(w),
      removeWorker: (address, reason) => this.#onRemoveWorker(address, reason),
      span: (info) => this.#onSpan(info),
      addClient: (id) => this.#event("info", `client ${id} connected`),
      removeClient: (id) => this.#event("info", `client ${id} disconnected`),
    };
    this.#event("info", `scheduler listening at ${scheduler.address}`);
    scheduler.addPlugin(this.plugin);
  }

  get schedulerAddress(): string {
    return this.#scheduler.address;
  }

  #event(level: LogEntry["level"], msg: string): void {
    this.#events.push({ time: Date.now(), level, msg });
  }

  #onTransition(key: string, from: TaskStateName, to: TaskStateName, info: TransitionInfo): void {
    const listeners = this.#listeners;
    for (let i = 0; i < listeners.length; i++) listeners[i]!.transition?.(key, info.prefix, from as TaskState, to as TaskState);
    if ((to === "memory" || to === "erred") && info.start !== undefined && info.duration !== undefined && info.worker !== undefined) {
      const stop = info.start + info.duration * 1000;
      this.#taskSeconds += info.duration;
      const thread = this.#packer.place(info.worker, info.start, stop);
      const erred = to === "erred";
      for (let i = 0; i < listeners.length; i++) listeners[i]!.span?.(key, info.prefix, info.worker, thread, info.start, stop, "compute", erred);
    }
    if (to === "erred" && info.error !== undefined) {
      const e = info.error;
      const task: ErredTask = {
        key,
        prefix: info.prefix,
        exception: `${e.name}: ${e.message}`,
        traceback: e.stack ?? `${e.name}: ${e.message}`,
        time: Date.now(),
        ...(info.worker !== undefined ? { worker: info.worker } : {}),
      };
      this.#erred.push(task);
      this.#event("error", `task ${key} erred: ${task.exception}`);
    }
  }

  /** A transfer (red) or spill (orange) joins the task stream: key says what moved, prefix the kind. */
  #onSpan(info: SpanInfo): void {
    const listeners = this.#listeners;
    if (listeners.length === 0) return;
    const transfer = info.action === "transfer";
    const what = `${info.keys > 0 ? `${info.keys} keys, ` : ""}${info.bytes} bytes`;
    const key = transfer ? `transfer from ${info.peer ?? "a peer"} (${what})` : `spill to disk (${what})`;
    const prefix = transfer ? "transfer" : "spill";
    const action = transfer ? "transfer" : "disk-write";
    const stop = Math.max(info.start, info.stop);
    const thread = this.#ioPacker.place(info.worker, info.start, stop);
    for (let i = 0; i < listeners.length; i++) listeners[i]!.span?.(key, prefix, info.worker, thread, info.start, stop, action, false);
  }

  #onAddWorker(w: WorkerInfo): void {
    this.#packer.addWorker(w.address, w.nthreads);
    this.#ioPacker.addWorker(w.address, w.nthreads);
    this.#event("info", `worker ${w.name} joined from ${w.address} with ${w.nthreads} threads`);
    const view = this.workers().find((x) => x.address === w.address);
    if (view) for (const l of this.#listeners) l.workerAdded?.(view);
  }

  #onRemoveWorker(address: string, reason: string): void {
    this.#packer.removeWorker(address);
    this.#ioPacker.removeWorker(address);
    this.#event("warn", `worker ${address} left: ${reason}`);
    for (const l of this.#listeners) l.workerRemoved?.(address, reason);
  }

  workers(): readonly WorkerView[] {
    return this.#scheduler.workers().map(toWorkerView);
  }

  taskCounts(): readonly PrefixCounts[] {
    return this.#scheduler.view().prefixes.map((p) => ({ prefix: p.name, counts: p.counts }));
  }

  memoryThresholds(): MemoryThresholds | undefined {
    return this.#extras.memoryThresholds;
  }

  erredTasks(limit: number): readonly ErredTask[] {
    return this.#erred.toArray().reverse().slice(0, limit);
  }

  schedulerLog(limit: number): readonly LogEntry[] {
    const events = this.#events.toArray().slice(-limit);
    const own = this.#extras.schedulerLog?.(limit);
    if (!own) return events;
    return [...own, ...events].sort((a, b) => a.time - b.time).slice(-limit);
  }

  taskSeconds(): number {
    return this.#taskSeconds;
  }

  subscribe(listener: DashboardListener): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  close(): void {
    this.#scheduler.removePlugin(this.plugin);
    this.#listeners = [];
  }
}

function toWorkerView(w: SchedulerWorkerView): WorkerView {
  const m = w.metrics;
  const jobId = jobIdOf(w.metadata);
  const cpu = w.cpuPercent ?? m?.cpuPercent;
  return {
    name: w.name,
    address: w.address,
    nthreads: w.nthreads,
    memoryLimit: w.memoryLimit,
    memory: w.rss ?? w.memory,
    managedBytes: m?.managedBytes ?? w.memory,
    spilledBytes: w.spilledBytes,
    processing: w.processing,
    stored: w.stored,
    lastSeen: w.lastSeen,
    status: w.paused ? "paused" : w.status,
    restarts: w.restarts,
    paused: w.paused,
    metadata: { ...w.metadata, host: w.host, pid: w.pid },
    ...(jobId !== undefined ? { jobId } : {}),
    ...(cpu !== undefined ? { cpuPercent: cpu } : {}),
  };
}

export interface SchedulerDashboardOptions extends Omit<DashboardOptions, "source">, SchedulerSourceExtras {}

/**
 * Serve a dashboard for `scheduler`; it closes itself when the scheduler closes. Sets the scheduler's
 * dashboard link (shown to clients).
 */
export async function startSchedulerDashboard(scheduler: Scheduler, opts: SchedulerDashboardOptions = {}): Promise<Dashboard> {
  const { jobs, workerLog, schedulerLog, memoryThresholds, ...dashOpts } = opts;
  const extras: SchedulerSourceExtras = {};
  if (schedulerLog) extras.schedulerLog = schedulerLog;
  if (jobs) extras.jobs = jobs;
  if (workerLog) extras.workerLog = workerLog;
  if (memoryThresholds) extras.memoryThresholds = memoryThresholds;
  const source = new SchedulerSource(scheduler, extras);
  let dashboard: Dashboard;
  try {
    dashboard = await startDashboard({ ...dashOpts, source, log: dashOpts.log ?? scheduler.log });
  } catch (err) {
    source.close();
    throw err;
  }
  const closer: SchedulerPlugin = { name: "tessera-dashboard-closer", close: () => dashboard.close() };
  scheduler.addPlugin(closer);
  scheduler.setDashboardLink(dashboard.url);
  const d = dashboard;
  return {
    url: d.url,
    host: d.host,
    port: d.port,
    token: d.token,
    get updatesSent() {
      return d.updatesSent;
    },
    async close() {
      scheduler.removePlugin(closer);
      source.close();
      await d.close();
    },
  };
}
