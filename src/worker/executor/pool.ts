/**
 * TaskThreadPool: `nthreads` worker threads that run tasks, so the worker's main thread stays free
 * for heartbeats and transfers. Tasks are queued here and handed to threads in batches (see
 * ./depth.ts); results come back in batches. A thread that dies is replaced: the task it was running
 * is reported as an error, the tasks queued behind it run on the replacement. See ./transport.ts for
 * how typed arrays avoid copies.
 */
import { Worker } from "node:worker_threads";
import { InternalError, TesseraError, UsageError } from "../../util/errors.js";
import { defaultDepthPolicy, threadDepth, updateAverage, type DepthPolicy } from "./depth.js";
import { nowSeconds } from "./clock.js";
import { DEFAULT_SHARE_THRESHOLD_BYTES, prepareArgs, type ResultTransport } from "./transport.js";
import type { LoadModule, ResultEntry, RunBatch, TaskOutcome, TaskRequest, ThreadInit, ThreadToMain, UploadedModule } from "./types.js";

export type { TaskOutcome, TaskRequest, TaskErrorInfo, UploadedModule } from "./types.js";

export interface TaskThreadPoolOptions {
  nthreads: number;
  /** Module URLs (file:// or absolute) that register more ops; imported by every thread at start. */
  opModules?: string[];
  /** See ./transport.ts. Default "shared". */
  resultTransport?: ResultTransport;
  /** Typed-array results at least this large use shared memory / transfer. Default 64 KiB. */
  shareThresholdBytes?: number;
  depthPolicy?: DepthPolicy;
  /** Called when a thread dies and is replaced (for logs and metrics). */
  onThreadCrash?: (info: { threadIndex: number; error: string; key: string | undefined }) => void;
  /** A task that was on this many crashing threads fails instead of being retried. Default 3. */
  maxCrashesPerTask?: number;
}

interface PendingTask {
  readonly id: number;
  readonly key: string;
  readonly op: string;
  readonly args: unknown[];
  readonly resolve: (o: TaskOutcome) => void;
  crashes: number;
}

interface Slot {
  readonly index: number;
  worker: Worker;
  current: Int32Array;
  ready: boolean;
  /** Sent to the thread, not yet reported, in the order the thread runs them. */
  outstanding: PendingTask[];
  /** Position in `outstanding` of the first unreported task. */
  done: number;
}

const THREAD_URL = new URL("./thread.js", import.meta.url);

export class TaskThreadPool {
  private readonly slots: Slot[] = [];
  private queue: PendingTask[] = [];
  private queueHead = 0;
  private nextId = 1;
  private avgDurationS = 0.001;
  private dispatchScheduled = false;
  private closed = false;
  private inFlight = 0;
  private readonly opts: Required<Omit<TaskThreadPoolOptions, "onThreadCrash">> & Pick<TaskThreadPoolOptions, "onThreadCrash">;
  private startupError: Error | undefined;
  private readonly uploaded: UploadedModule[] = [];
  /** Loads in flight: the threads (slot indices) yet to answer. */
  private readonly loading = new Map<number, { left: Set<number>; errors: string[]; done: (errors: string[]) => void }>();

  private constructor(opts: TaskThreadPoolOptions) {
    if (!Number.isInteger(opts.nthreads) || opts.nthreads < 1) {
      throw new UsageError(`nthreads must be a whole number ≥ 1, got ${String(opts.nthreads)}`);
    }
    this.opts = {
      nthreads: opts.nthreads,
      opModules: opts.opModules ?? [],
      resultTransport: opts.resultTransport ?? "shared",
      shareThresholdBytes: opts.shareThresholdBytes ?? DEFAULT_SHARE_THRESHOLD_BYTES,
      depthPolicy: opts.depthPolicy ?? defaultDepthPolicy,
      onThreadCrash: opts.onThreadCrash,
      maxCrashesPerTask: opts.maxCrashesPerTask ?? 3,
    };
    this.ready = Promise.all(Array.from({ length: this.opts.nthreads }, (_, i) => this.spawn(i))).then(
      () => undefined,
      (e: Error) => {
        this.failWaiting(e);
        throw e;
      },
    );
    this.ready.catch(() => {}); // observed through start() or by the caller; never an unhandled rejection
  }

  /** Resolves when every thread has imported its op modules; rejects if one cannot. */
  readonly ready: Promise<void>;

  /** Start the threads; resolves once every thread has imported its op modules. */
  static async start(opts: TaskThreadPoolOptions): Promise<TaskThreadPool> {
    const pool = TaskThreadPool.launch(opts);
    try {
      await pool.ready;
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  /**
   * Start the threads without waiting for them: tasks run as soon as a thread is ready (so a worker
   * can register with its scheduler while its threads import their modules). If the threads cannot
   * start, `ready` rejects and tasks resolve as errors.
   */
  static launch(opts: TaskThreadPoolOptions): TaskThreadPool {
    return new TaskThreadPool(opts);
  }

  get nthreads(): number {
    return this.opts.nthreads;
  }

  /** Tasks accepted and not yet finished (queued here or on a thread). */
  get busy(): number {
    return this.inFlight;
  }

  /** Tasks waiting here for a thread. */
  get queued(): number {
    return this.queue.length - this.queueHead;
  }

  /** Run a task; never rejects: failures come back as {status: "error"}. */
  run(task: TaskRequest): Promise<TaskOutcome> {
    return new Promise<TaskOutcome>((resolve) => {
      if (this.closed) {
        resolve(errorOutcome(task.key, "PoolClosed", "the task thread pool is closed"));
        return;
      }
      if (this.startupError) {
        resolve(errorOutcome(task.key, "ThreadStartupError", this.startupError.message));
        return;
      }
      this.inFlight++;
      this.queue.push({ id: this.nextId++, key: task.key, op: task.op, args: prepareArgs(task.args), resolve, crashes: 0 });
      this.scheduleDispatch();
    });
  }

  /**
   * A module uploaded by a client: every thread (and every replacement thread) aliases its client
   * URL and, with `load`, imports it. Resolves once every thread has; rejects with the import errors.
   */
  loadModule(module: UploadedModule): Promise<void> {
    this.uploaded.push(module);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      const slots = this.slots.filter((s) => s !== undefined);
      const entry = {
        left: new Set(slots.map((s) => s.index)),
        errors: [] as string[],
        done: (errors: string[]) => (errors.length === 0 ? resolve() : reject(new ModuleLoadError(`importing ${module.url} failed on a task thread: ${errors[0]}`))),
      };
      if (slots.length === 0) return resolve();
      this.loading.set(id, entry);
      for (const s of slots) s.worker.postMessage({ type: "load", id, module } satisfies LoadModule);
    });
  }

  private onLoaded(id: number, slot: number, error: string | undefined): void {
    const e = this.loading.get(id);
    if (e === undefined || !e.left.delete(slot)) return;
    if (error !== undefined) e.errors.push(error);
    if (e.left.size > 0) return;
    this.loading.delete(id);
    e.done(e.errors);
  }

  /** Stop all threads. Tasks not finished resolve as errors. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pending: PendingTask[] = [];
    for (const s of this.slots) pending.push(...s.outstanding.slice(s.done));
    pending.push(...this.queue.slice(this.queueHead));
    this.queue = [];
    this.queueHead = 0;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    for (const t of pending) this.finish(t, errorOutcome(t.key, "PoolClosed", "the task thread pool closed before the task finished"));
  }

  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    queueMicrotask(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    if (this.closed) return;
    const depth = threadDepth(this.avgDurationS, this.opts.depthPolicy);
    let available = this.queue.length - this.queueHead;
    if (available === 0) return;
    // Least-loaded threads first.
    const slots = this.slots.filter((s) => s.ready).sort((a, b) => a.outstanding.length - a.done - (b.outstanding.length - b.done));
    for (const s of slots) {
      if (available === 0) break;
      const room = depth - (s.outstanding.length - s.done);
      if (room <= 0) continue;
      // Share the queue fairly between threads with room.
      const n = Math.min(room, available, Math.max(1, Math.ceil(available / slots.length)));
      const tasks: RunBatch["tasks"] = new Array(n);
      for (let i = 0; i < n; i++) {
        const t = this.queue[this.queueHead]!;
        this.queue[this.queueHead++] = undefined as never;
        s.outstanding.push(t);
        tasks[i] = [t.id, t.key, t.op, t.args];
      }
      available -= n;
      s.worker.postMessage({ type: "run", tasks } satisfies RunBatch);
    }
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (this.queueHead > 4096 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  private spawn(index: number): Promise<void> {
    const current = new Int32Array(new SharedArrayBuffer(4));
    current[0] = -1;
    const init: ThreadInit & { resultTransport: ResultTransport } = {
      opModules: this.opts.opModules,
      uploaded: [...this.uploaded],
      shareThresholdBytes: this.opts.shareThresholdBytes,
      current,
      resultTransport: this.opts.resultTransport,
    };
    const worker = new Worker(THREAD_URL, { workerData: init });
    const existing = this.slots[index];
    const slot: Slot = existing ?? { index, worker, current, ready: false, outstanding: [], done: 0 };
    slot.worker = worker;
    slot.current = current;
    slot.ready = false;
    this.slots[index] = slot;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on("message", (msg: ThreadToMain) => {
        if (msg.type === "results") this.onResults(slot, msg.results);
        else if (msg.type === "loaded") this.onLoaded(msg.id, slot.index, msg.error);
        else if (msg.type === "ready") {
          started = true;
          slot.ready = true;
          resolve();
          this.scheduleDispatch();
        } else if (msg.type === "startup-failed") {
          const err = new ThreadStartError(`task thread failed to start: ${msg.error.message}\n${msg.error.stack}`);
          this.startupError = err;
          started = true;
          reject(err);
          void worker.terminate();
        }
      });
      let lastError: Error | undefined;
      worker.on("error", (e) => {
        lastError = e;
      });
      worker.on("exit", (code) => {
        if (this.closed || slot.worker !== worker) return;
        if (!started) {
          started = true;
          reject(lastError ?? new ThreadStartError(`task thread exited with code ${code} during start-up`));
          return;
        }
        if (this.startupError) return;
        this.onCrash(slot, lastError ? `${lastError.name}: ${lastError.message}` : `thread exited with code ${code}`, lastError);
      });
    });
  }

  private onResults(slot: Slot, results: ResultEntry[]): void {
    for (const r of results) {
      const t = slot.outstanding[slot.done];
      if (t === undefined || t.id !== r[0]) {
        // Results arrive in the order tasks were sent; anything else is a bug worth knowing about.
        throw new InternalError(`task thread ${slot.index} reported task ${r[0]} out of order`);
      }
      slot.outstanding[slot.done++] = undefined as never;
      this.avgDurationS = updateAverage(this.avgDurationS, r[5] - r[4], this.opts.depthPolicy);
      if (r[1] === 0) this.finish(t, { status: "ok", value: r[2], nbytes: r[3], startTime: r[4], stopTime: r[5] });
      else {
        const error = r[2] as Extract<TaskOutcome, { status: "error" }>["error"];
        error.key = t.key;
        this.finish(t, { status: "error", error, startTime: r[4], stopTime: r[5] });
      }
    }
    if (slot.done === slot.outstanding.length) {
      slot.outstanding = [];
      slot.done = 0;
    }
    this.scheduleDispatch();
  }

  private finish(t: PendingTask, outcome: TaskOutcome): void {
    this.inFlight--;
    t.resolve(outcome);
  }

  private onCrash(slot: Slot, reason: string, err: Error | undefined): void {
    const runningId = Atomics.load(slot.current, 0);
    const unreported = slot.outstanding.slice(slot.done);
    slot.outstanding = [];
    slot.done = 0;
    slot.ready = false;
    const requeue: PendingTask[] = [];
    let culprit: PendingTask | undefined;
    for (const t of unreported) {
      if (t.id === runningId) culprit = t;
      else requeue.push(t);
    }
    this.opts.onThreadCrash?.({ threadIndex: slot.index, error: reason, key: culprit?.key });
    const stamp = nowSeconds();
    if (culprit) {
      this.finish(culprit, {
        status: "error",
        error: { name: "ThreadCrashed", message: `the task thread running this task died: ${reason}`, stack: err?.stack ?? reason, key: culprit.key },
        startTime: stamp,
        stopTime: stamp,
      });
    }
    // Tasks whose thread died under them without knowing which one was running are retried, a bounded number of times.
    const retry: PendingTask[] = [];
    for (const t of requeue) {
      if (!culprit && ++t.crashes >= this.opts.maxCrashesPerTask) {
        this.finish(t, {
          status: "error",
          error: { name: "ThreadCrashed", message: `task threads died ${t.crashes} times while this task was queued on them: ${reason}`, stack: reason, key: t.key },
          startTime: stamp,
          stopTime: stamp,
        });
      } else retry.push(t);
    }
    this.queue = [...retry, ...this.queue.slice(this.queueHead)];
    this.queueHead = 0;
    // Loads this thread had not answered: its replacement imports every uploaded module at start.
    for (const id of [...this.loading.keys()]) this.onLoaded(id, slot.index, undefined);
    this.spawn(slot.index).catch((e: Error) => this.failWaiting(e));
  }

  /** A thread could not start: fail everything waiting rather than hang. */
  private failWaiting(e: Error): void {
    this.startupError ??= e;
    const waiting = this.queue.slice(this.queueHead);
    this.queue = [];
    this.queueHead = 0;
    for (const t of waiting) this.finish(t, errorOutcome(t.key, "ThreadStartupError", e.message));
  }
}

/** A task thread could not start (its op modules failed to import, or it exited during start-up). */
export class ThreadStartError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_THREAD_START", message);
  }
}

/** An uploaded module could not be imported by the task threads. */
export class ModuleLoadError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_MODULE_LOAD", message);
  }
}

function errorOutcome(key: string, name: string, message: string): TaskOutcome {
  const t = nowSeconds();
  return { status: "error", error: { name, message, stack: `${name}: ${message}`, key }, startTime: t, stopTime: t };
}
