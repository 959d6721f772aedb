/**
 * A DashboardSource held in memory and driven by hand: for unit tests of the dashboard and for
 * developing pages without a cluster. It keeps task counts by prefix from the transitions it is told.
 */
import type {
  DashboardListener,
  DashboardSource,
  ErredTask,
  JobsProvider,
  JobsSnapshot,
  LogEntry,
  MemoryThresholds,
  PrefixCounts,
  TaskSpan,
  TaskState,
  WorkerView,
} from "./source.js";
import { UsageError } from "../util/errors.js";

export class InMemorySource implements DashboardSource {
  readonly schedulerAddress: string;
  readonly #workers = new Map<string, WorkerView>();
  readonly #counts = new Map<string, Partial<Record<TaskState, number>>>();
  readonly #listeners = new Set<DashboardListener>();
  readonly #log: LogEntry[] = [];
  readonly #erred: ErredTask[] = [];
  readonly #workerLogs = new Map<string, LogEntry[]>();
  thresholds: MemoryThresholds | undefined;
  jobs: JobsProvider | undefined;

  constructor(schedulerAddress = "tcp://127.0.0.1:8786") {
    this.schedulerAddress = schedulerAddress;
  }

  setJobs(snapshot: JobsSnapshot | undefined): void {
    this.jobs = snapshot === undefined ? undefined : { jobs: () => snapshot };
  }

  upsertWorker(w: WorkerView): void {
    const isNew = !this.#workers.has(w.address);
    this.#workers.set(w.address, w);
    if (isNew) for (const l of this.#listeners) l.workerAdded?.(w);
  }

  removeWorker(address: string, reason: string): void {
    if (this.#workers.delete(address)) for (const l of this.#listeners) l.workerRemoved?.(address, reason);
  }

  /** Add a new task of `prefix` in state `state` (no transition event: tasks are born). */
  addTask(prefix: string, state: TaskState = "waiting", n = 1): void {
    const c = this.#counts.get(prefix) ?? {};
    c[state] = (c[state] ?? 0) + n;
    this.#counts.set(prefix, c);
  }

  transition(key: string, prefix: string, from: TaskState, to: TaskState): void {
    const c = this.#counts.get(prefix) ?? {};
    c[from] = (c[from] ?? 0) - 1;
    if (to !== "forgotten") c[to] = (c[to] ?? 0) + 1;
    this.#counts.set(prefix, c);
    for (const l of this.#listeners) l.transition?.(key, prefix, from, to);
  }

  span(span: TaskSpan): void {
    for (const l of this.#listeners) l.span?.(span.key, span.prefix, span.worker, span.thread, span.start, span.stop, span.action, span.erred === true);
  }

  log(entry: LogEntry): void {
    this.#log.push(entry);
  }

  erred(task: ErredTask): void {
    this.#erred.unshift(task);
  }

  setWorkerLog(address: string, entries: LogEntry[]): void {
    this.#workerLogs.set(address, entries);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  workers(): readonly WorkerView[] {
    return [...this.#workers.values()];
  }

  taskCounts(): readonly PrefixCounts[] {
    const out: PrefixCounts[] = [];
    for (const [prefix, counts] of this.#counts) {
      const nonZero = Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
      if (Object.keys(nonZero).length > 0) out.push({ prefix, counts: nonZero });
    }
    return out;
  }

  memoryThresholds(): MemoryThresholds | undefined {
    return this.thresholds;
  }

  erredTasks(limit: number): readonly ErredTask[] {
    return this.#erred.slice(0, limit);
  }

  schedulerLog(limit: number): readonly LogEntry[] {
    return this.#log.slice(-limit);
  }

  async workerLog(address: string, limit: number): Promise<readonly LogEntry[]> {
    const l = this.#workerLogs.get(address);
    if (!l) throw new UsageError(`unknown worker ${address}`);
    return l.slice(-limit);
  }

  subscribe(listener: DashboardListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
