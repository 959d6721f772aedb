/**
 * The worker's IO shell: registers with the scheduler, runs tasks on the TaskThreadPool (the main
 * thread stays free for heartbeats and transfers), keeps results in its data store, fetches inputs
 * directly from peer workers and serves get-data to peers and clients. Decisions live in the IO-free
 * WorkerStateMachine (./state.ts).
 */
import { hostname } from "node:os";
import { connect, listen, parseAddress, type Comm, type Listener, type Security } from "../protocol/index.js";
import { ConnectionPool } from "../protocol/rpc.js";
import { sendMessage } from "../protocol/messages.js";
import type {
  DataMsg,
  ErredTask,
  FinishedTask,
  GetDataMsg,
  KeyLocation,
  Message,
  SchedulerToWorker,
  UploadFileMsg,
} from "../protocol/messages.js";
import type { Key } from "../graph/spec.js";
import { createLogger, type Logger } from "../util/log.js";
import { TaskThreadPool, type TaskOutcome } from "./executor/index.js";
import { DEFAULT_SHARE_THRESHOLD_BYTES } from "./executor/transport.js";
import { allocateSharedAbove } from "../util/shared-memory.js";
import { DataStore, type WorkerDataStore } from "./store.js";
import { WorkerStateMachine, type TransferLimits, type WorkerInstruction, type WorkerTask } from "./state.js";
import { resolveArgs, typeName } from "./args.js";
import { anySpilled, loadArgs } from "./load-args.js";
import { cutToRange, isRangeKey, parseRangeKey } from "../graph/range-ref.js";
import { COLLECT_GARBAGE_OP, garbageCollector } from "./gc-op.js";
import { ReleaseTracker } from "./executor/gc.js";
import { invalidPeerMessage, invalidSchedulerMessage, RefusalLog } from "../protocol/validate-message.js";
import { ActivityLog, CpuMeter } from "./activity.js";
import { Uploads } from "./uploads.js";
import { ClosedError, ConnectError, InternalError, RegistrationRefusedError } from "../util/errors.js";

export interface WorkerOptions {
  /** tcp://HOST:PORT or tls://HOST:PORT of the scheduler (a promise: start the threads while it is not known yet). */
  schedulerAddress: string | Promise<string>;
  security: Security;
  name?: string;
  nthreads?: number;
  /** Bytes; 0 = no limit. */
  memoryLimit?: number;
  /** Host to listen on for peers and clients (default: the address used to reach the scheduler). */
  host?: string;
  /** Exit when the scheduler cannot be reached for this long (ms). Default: keep trying forever. */
  deathTimeoutMs?: number;
  localDirectory?: string;
  log?: Logger;
  /** A store that can spill (memory management); default: in-memory DataStore. */
  store?: WorkerDataStore;
  metadata?: Record<string, string>;
  /** Extra modules registering ops, imported by every task thread. */
  opModules?: string[];
  /** Nanny restarts so far (reported to the scheduler). */
  restarts?: number;
  /** A thread pool already starting (the process entry starts it before loading the rest). */
  pool?: Promise<TaskThreadPool>;
  /** Limits on fetching inputs from peers (bytes and requests in flight); see DEFAULT_TRANSFER_LIMITS. */
  transferLimits?: Partial<TransferLimits>;
  /**
   * Abstract resources (e.g. {GPU: 2}): tasks asking for them run here only, and at most as many at
   * once as the amounts allow (./resources.ts). Default: metadata.resources (JSON), else none.
   */
  resources?: Readonly<Record<string, number>>;
}

type CloseReason = string;

/** Epoch milliseconds with a fraction: a 32 MiB transfer takes ~15 ms, too short for whole milliseconds. */
const preciseNow = (): number => performance.timeOrigin + performance.now();

/** Minimum spacing of result reports to the scheduler while busy (ms). */
const REPORT_INTERVAL_MS = 1;

export class Worker {
  readonly name: string;
  readonly nthreads: number;
  readonly memoryLimit: number;
  readonly log: Logger;
  readonly store: WorkerDataStore;
  readonly state: WorkerStateMachine;
  /** Resolves with the reason once the worker has closed. */
  readonly closed: Promise<CloseReason>;
  #opts: WorkerOptions;
  #pool: TaskThreadPool | undefined;
  #poolReady: Promise<TaskThreadPool> | undefined;
  #listener: Listener | undefined;
  #starting: Promise<void>[] = [];
  #pendingComm: Comm | undefined;
  #scheduler: Comm | undefined;
  #peers: ConnectionPool;
  #address = "";
  #schedulerAddress = "";
  #finished: FinishedTask[] = [];
  #erred: ErredTask[] = [];
  #flushScheduled = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #isClosed = false;
  #closing = false;
  #resolveClosed!: (r: CloseReason) => void;
  #retireResolve: (() => void) | undefined;
  #refusals: RefusalLog;
  #collecting = 0;
  /** Tasks whose inputs must be read back from disk, waiting for a read slot. */
  #loadQueue: WorkerTask[] = [];
  #loading = 0;
  /** Transfers and spills since the last heartbeat (sent with it). */
  readonly #activity = new ActivityLog();
  /** Dropped values' shared memory returns once this thread has collected its handles (./executor/gc.ts). */
  readonly #releases = new ReleaseTracker();
  readonly #cpu = new CpuMeter();
  readonly #uploads: Uploads;

  private constructor(opts: WorkerOptions) {
    this.#opts = opts;
    this.name = opts.name ?? `worker-${process.pid}`;
    this.nthreads = opts.nthreads ?? 1;
    this.memoryLimit = opts.memoryLimit ?? 0;
    this.log = opts.log ?? createLogger("tessera.worker", { bindings: { worker: this.name } });
    this.store = opts.store ?? new DataStore();
    this.state = new WorkerStateMachine({
      nthreads: this.nthreads,
      resources: opts.resources ?? resourcesFromMetadata(opts.metadata),
      ...(opts.transferLimits ? { transferLimits: opts.transferLimits } : {}),
    });
    this.#peers = new ConnectionPool({ security: opts.security, log: this.log });
    this.closed = new Promise((r) => (this.#resolveClosed = r));
    this.#refusals = new RefusalLog((fields, text) => this.log.warn(fields, text));
    this.#uploads = new Uploads(opts.localDirectory);
  }

  static async start(opts: WorkerOptions): Promise<Worker> {
    const w = new Worker(opts);
    try {
      await w.#start();
    } catch (err) {
      await w.close(`start failed: ${(err as Error).message}`);
      throw err;
    }
    return w;
  }

  get address(): string {
    return this.#address;
  }

  async #start(): Promise<void> {
    // Array data received from peers and clients lands in shared memory (the frame reader allocates
    // through util/shared-memory.ts): task threads then use it without a copy.
    allocateSharedAbove(DEFAULT_SHARE_THRESHOLD_BYTES);
    const poolP =
      this.#opts.pool ?? TaskThreadPool.start({ nthreads: this.nthreads, ...(this.#opts.opModules ? { opModules: this.#opts.opModules } : {}) });
    // Kept so close() can stop whatever started, even if start-up fails half-way.
    this.#starting.push(poolP.then((p) => void (this.#pool = p), () => undefined));
    this.#poolReady = poolP;
    this.#schedulerAddress = await this.#opts.schedulerAddress;
    const sched = parseAddress(this.#schedulerAddress);
    const commP = this.#connectScheduler(Date.now());
    this.#starting.push(commP.then((c) => void (this.#pendingComm = c), () => undefined));
    let host = this.#opts.host;
    if (host === undefined) {
      if (isLoopback(sched.host)) host = "127.0.0.1";
      else host = parseAddress((await commP).localAddress).host;
    }
    const hostPart = host.includes(":") ? `[${host}]` : host;
    const listenerP = listen({
      address: `${sched.scheme}://${hostPart}:0`,
      security: this.#opts.security,
      onComm: (comm) => this.#onPeer(comm),
      log: this.log,
    });
    this.#starting.push(listenerP.then((l) => void (this.#listener = l), () => undefined));
    // Register without waiting for the task threads: tasks that arrive first wait for them
    // (thread start-up is then off the critical path of a cluster's start).
    const [comm, listener] = await Promise.all([commP, listenerP]);
    this.#listener = listener;
    this.#address = listener.address;
    poolP.catch((err: Error) => {
      this.log.error({ err: err.message }, "task threads failed to start");
      void this.close(`task threads failed to start: ${err.message}`);
    });
    await this.#register(comm);
  }

  /** Connect, retrying until the death timeout (measured from `since`). */
  async #connectScheduler(since: number): Promise<Comm> {
    const deadline = this.#opts.deathTimeoutMs !== undefined ? since + this.#opts.deathTimeoutMs : Infinity;
    let delay = 50;
    for (;;) {
      if (this.#isClosed) throw new ClosedError("worker closed");
      try {
        return await connect(this.#schedulerAddress, {
          security: this.#opts.security,
          timeoutMs: Math.max(100, Math.min(10_000, deadline - Date.now())),
          log: this.log,
        });
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === "TESSERA_ERR_AUTHENTICATION" || code === "TESSERA_ERR_VERSION_MISMATCH" || code === "TESSERA_ERR_SECURITY_CONFIG") throw err;
        if (Date.now() + delay >= deadline) {
          throw new ConnectError(`cannot reach the scheduler at ${this.#schedulerAddress} within the death timeout: ${(err as Error).message}`);
        }
        this.log.debug({ err: (err as Error).message }, "scheduler not reachable yet; retrying");
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(1000, delay * 2);
      }
    }
  }

  async #register(comm: Comm): Promise<void> {
    const keys: KeyLocation[] = [];
    for (const k of this.state.inMemory) if (!isRangeKey(k)) keys.push({ key: k, workers: [this.#address], nbytes: this.store.nbytes(k) ?? 0 });
    const metadata: Record<string, string> = { ...(this.#opts.metadata ?? {}) };
    const jobId = process.env["SLURM_JOB_ID"];
    if (jobId && metadata["slurmJobId"] === undefined) metadata["slurmJobId"] = jobId;
    if (this.#opts.localDirectory) metadata["localDirectory"] = this.#opts.localDirectory;
    // The scheduler places tasks asking for resources only on workers declaring them.
    if (Object.keys(this.state.resources.total).length > 0) metadata["resources"] = JSON.stringify(this.state.resources.total);
    // Nanny restarts so far: the scheduler's worker view shows them from registration on.
    if (this.#opts.restarts !== undefined) metadata["restarts"] = String(this.#opts.restarts);
    const answer = new Promise<SchedulerToWorker>((resolve, reject) => {
      comm.onMessage((msg: SchedulerToWorker) => {
        if (msg.op === "worker-registered" || msg.op === "register-refused") {
          comm.onMessage((m: SchedulerToWorker) => this.#onSchedulerMessage(m));
          resolve(msg);
        }
      });
      comm.onClose((reason) => reject(new ConnectError(`scheduler closed the connection during registration: ${reason}`)));
    });
    sendMessage(comm, {
      op: "register-worker",
      address: this.#address,
      name: this.name,
      nthreads: this.nthreads,
      memoryLimit: this.memoryLimit,
      pid: process.pid,
      host: hostname(),
      metadata,
      keys,
    });
    const reply = await answer;
    if (reply.op === "register-refused") {
      comm.close("refused");
      throw new RegistrationRefusedError(`the scheduler refused this worker: ${reply.reason}`);
    }
    if (reply.op !== "worker-registered") throw new InternalError("unexpected registration reply");
    this.#scheduler = comm;
    comm.onClose((reason) => this.#onSchedulerLost(reason));
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => this.#sendHeartbeat(), reply.heartbeatIntervalMs);
    this.#heartbeat.unref();
    this.log.info({ address: this.#address, scheduler: this.#schedulerAddress }, "worker registered");
  }

  #onSchedulerLost(reason: string): void {
    this.#scheduler = undefined;
    if (this.#closing || this.#isClosed) return;
    this.log.warn({ reason }, "lost the scheduler; reconnecting");
    const since = Date.now();
    void (async () => {
      try {
        const comm = await this.#connectScheduler(since);
        await this.#register(comm);
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, "giving up on the scheduler");
        await this.close(`scheduler unreachable: ${(err as Error).message}`);
      }
    })();
  }

  #sendHeartbeat(): void {
    if (!this.#scheduler) return;
    const restarts = this.#opts.restarts;
    const cpu = this.#cpu.sample();
    const { spans, dropped } = this.#activity.drain();
    sendMessage(this.#scheduler, {
      op: "heartbeat-worker",
      ...(spans.length > 0 ? { spans } : {}),
      ...(dropped > 0 ? { droppedSpans: dropped } : {}),
      metrics: {
        managedBytes: this.store.memoryBytes,
        spilledBytes: this.store.spilledBytes,
        rss: process.memoryUsage.rss(),
        executing: this.state.executing,
        ready: this.state.readyCount,
        inMemory: this.state.inMemory.size,
        paused: this.state.paused,
        ...(restarts !== undefined ? { restarts } : {}),
        ...(cpu !== undefined ? { cpuPercent: Math.round(cpu * 10) / 10 } : {}),
      },
    });
  }

  #send(msg: Message): void {
    if (this.#scheduler && !this.#scheduler.closed) sendMessage(this.#scheduler, msg);
  }

  // ------------------------------------------------------------------ scheduler messages

  #onSchedulerMessage(msg: SchedulerToWorker): void {
    const bad = invalidSchedulerMessage(msg);
    if (bad !== null) {
      this.#refusals.refused({}, `refused a message: ${bad}`);
      return;
    }
    switch (msg.op) {
      case "compute-tasks":
        this.state.computeTasks(msg);
        break;
      case "free-keys":
        this.state.freeKeys(msg.keys);
        break;
      case "steal-request": {
        const r = this.state.stealRequest(msg.keys);
        this.#send({ op: "steal-response", released: r.released, kept: r.kept });
        break;
      }
      case "acquire-replicas":
        this.state.acquireReplicas(msg.whoHas);
        break;
      case "upload-file":
        this.#receiveUpload(msg);
        return;
      case "close-worker":
        this.log.info({ reason: msg.reason }, "scheduler asked this worker to close");
        if (this.#retireResolve) this.#retireResolve();
        else void this.close(msg.reason);
        return;
      case "worker-registered":
      case "register-refused":
        return;
      default: {
        const never: never = msg;
        this.log.warn({ op: (never as { op: string }).op }, "unknown message from scheduler; ignored");
        return;
      }
    }
    this.#process(this.state.take());
  }

  #process(instructions: WorkerInstruction[]): void {
    for (const ins of instructions) {
      switch (ins.type) {
        case "execute":
          this.#execute(ins.task);
          break;
        case "store-data":
          this.#storeData(ins.task);
          break;
        case "fetch":
          this.#fetch(ins.peer, ins.keys);
          break;
        case "drop": {
          let bytes = 0;
          for (const k of ins.keys) {
            bytes += this.store.nbytes(k) ?? 0;
            this.store.delete(k);
          }
          this.#releases.released(bytes);
          break;
        }
        case "missing-data":
          this.#send({ op: "missing-data", keys: ins.keys, worker: ins.from });
          break;
        case "add-keys":
          this.#send({
            op: "add-keys",
            keys: ins.keys.map((key) => ({ key, workers: [this.#address], nbytes: this.store.nbytes(key) ?? 0 })),
          });
          break;
      }
    }
  }

  #storeData(t: WorkerTask): void {
    if (!this.store.has(t.key)) this.store.set(t.key, t.data);
    const nbytes = this.store.nbytes(t.key) ?? 0;
    this.#finished.push({ key: t.key, nbytes, type: typeName(t.data), duration: 0, start: Date.now() });
    this.#scheduleFlush();
  }

  /**
   * Pause (memory pressure): no new tasks start; the scheduler hears it at once and stops sending
   * more. Resume: ready tasks start again.
   */
  setPaused(paused: boolean, reason?: string): void {
    if (this.state.paused === paused || this.#isClosed) return;
    this.state.paused = paused;
    this.log.info({ reason }, paused ? "worker paused" : "worker resumed");
    this.#sendHeartbeat();
    if (!paused) {
      this.#pumpLoads();
      this.#process(this.state.take());
    }
  }

  /** Memory throttling (./memory-wiring.ts): at most one task at a time while on. */
  setThrottled(throttled: boolean): void {
    this.state.maxExecuting = throttled ? 1 : undefined;
    if (!throttled && !this.#isClosed) this.#process(this.state.take());
  }

  /**
   * Full garbage collection in the main thread and in every task thread (./gc-op.ts), so that the
   * memory of spilled results is returned while the worker is paused (./memory-wiring.ts): an idle
   * V8 heap may otherwise keep it for many seconds. One round at a time.
   */
  collectGarbage(): void {
    garbageCollector()?.();
    const pool = this.#pool;
    if (!pool || this.#isClosed || this.#collecting > 0) return;
    for (let i = 0; i < pool.nthreads; i++) {
      this.#collecting++;
      void pool.run({ key: `${COLLECT_GARBAGE_OP}-${i}`, op: COLLECT_GARBAGE_OP, args: [] }).finally(() => this.#collecting--);
    }
  }

  #execute(t: WorkerTask): void {
    if (t.deps !== null && this.store.spilledCount > 0 && anySpilled(t.deps, this.store)) {
      // Inputs on disk: read them without blocking the event loop, then run.
      this.#loadQueue.push(t);
      this.#pumpLoads();
      return;
    }
    let args: readonly unknown[];
    try {
      args = t.deps === null ? (t.args ?? []) : (resolveArgs(t.args ?? [], this.store) as unknown[]);
      if (t.fn !== undefined) args = [t.fn, ...args];
    } catch (err) {
      this.#fail(t, err as Error);
      return;
    }
    this.#run(t, args);
  }

  /**
   * Reads of spilled inputs, at most one per thread at a time and none while paused: each brings
   * results back into memory, so a burst of them (short tasks are handed out many at once) would
   * push a worker that is short of memory over its limit.
   */
  #pumpLoads(): void {
    while (this.#loading < this.nthreads && this.#loadQueue.length > 0 && !this.state.paused && !this.#isClosed) {
      const t = this.#loadQueue.shift()!;
      this.#loading++;
      loadArgs(t.args ?? [], this.store).then(
        (args) => {
          this.#loading--;
          this.#run(t, t.fn !== undefined ? [t.fn, ...args] : args);
          this.#pumpLoads();
        },
        (err: Error) => {
          this.#loading--;
          this.#fail(t, err);
          this.#pumpLoads();
        },
      );
    }
  }

  #run(t: WorkerTask, args: readonly unknown[]): void {
    if (this.#isClosed) return;
    if (this.#pool === undefined || this.#uploads.busy) {
      // Tasks wait for the threads, and for modules uploaded before them (they may use them).
      const before = this.#pool === undefined ? this.#poolReady : this.#uploads.settled();
      before?.then(() => this.#run(t, args), () => undefined);
      return;
    }
    this.#pool.run({ key: t.key, op: t.op!, args }).then((o) => this.#onOutcome(t, o));
  }

  /** A client's file (client.uploadFile): write it, load it in the task threads, answer the scheduler. */
  #receiveUpload(msg: UploadFileMsg): void {
    const poolP = this.#pool !== undefined ? Promise.resolve(this.#pool) : this.#poolReady;
    this.#uploads.receive(msg, (module) => poolP!.then((pool) => pool.loadModule(module))).then(
      (path) => this.#send({ op: "file-uploaded", name: msg.name, path }),
      (err: Error) => {
        this.log.warn({ file: msg.name, err: err.message }, "an uploaded file could not be used");
        this.#send({ op: "file-uploaded", name: msg.name, error: err.message });
      },
    );
  }

  #fail(t: WorkerTask, err: Error): void {
    const now = Date.now() / 1000;
    this.#onOutcome(t, { status: "error", error: { name: err.name, message: err.message, stack: err.stack ?? "", key: t.key }, startTime: now, stopTime: now });
  }

  #onOutcome(t: WorkerTask, o: TaskOutcome): void {
    if (this.#isClosed) return;
    const duration = Math.max(0, o.stopTime - o.startTime);
    const decision = this.state.taskDone(t.key, o.status === "ok", duration);
    if (decision === "report") {
      if (o.status === "ok") {
        this.store.set(t.key, o.value, o.nbytes);
        this.#finished.push({ key: t.key, nbytes: o.nbytes, type: typeName(o.value), duration, start: o.startTime * 1000 });
      } else {
        const e = o.error;
        this.#erred.push({ key: t.key, error: { name: e.name, message: e.message, stack: e.stack, key: e.key || t.key }, duration, start: o.startTime * 1000 });
      }
      this.#scheduleFlush();
    }
    this.#process(this.state.take());
  }

  /**
   * Results go out at once when no others are about to follow, else at most once per
   * REPORT_INTERVAL_MS: a stream of short tasks then costs one message per millisecond instead of
   * one per result, while a lone task's result is not delayed.
   */
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // Nothing else running or ready here: no more results are coming soon, so send now.
    const more = this.state.executing > 0 || this.state.readyCount > 0;
    const wait = more ? REPORT_INTERVAL_MS - (performance.now() - this.#lastReport) : 0;
    if (wait <= 0) setImmediate(this.#flushReports);
    else setTimeout(this.#flushReports, wait);
  }

  #lastReport = 0;
  readonly #flushReports = (): void => {
    {
      this.#flushScheduled = false;
      this.#lastReport = performance.now();
      if (this.#finished.length > 0) {
        this.#send({ op: "task-finished", tasks: this.#finished });
        this.#finished = [];
      }
      if (this.#erred.length > 0) {
        this.#send({ op: "task-erred", tasks: this.#erred });
        this.#erred = [];
      }
    }
  };

  /**
   * A batch of spilled results written to disk (the memory wiring reports each spill round), for
   * the task stream. Times are ms since the epoch.
   */
  recordSpill(start: number, stop: number, bytes: number, keys = 0): void {
    if (this.#isClosed || bytes <= 0) return;
    this.#activity.record({ action: "spill", start, stop, bytes, keys });
  }

  /** Records a transfer span; returns the bytes received. */
  #recordTransfer(peer: string, start: number, found: readonly Key[]): number {
    if (found.length === 0) return 0;
    let bytes = 0;
    for (const k of found) bytes += this.store.nbytes(k) ?? 0;
    this.#activity.record({ action: "transfer", start, stop: preciseNow(), bytes, keys: found.length, peer });
    return bytes;
  }

  /** One get-data request (the state machine sizes them and bounds how many bytes are in flight). */
  #fetch(peer: string, keys: Key[]): void {
    const start = preciseNow();
    this.#peers.request<DataMsg & Record<string, unknown>>(peer, { op: "get-data", keys }).then(
      (reply) => {
        if (this.#isClosed) return;
        const found = this.#storeFetched(keys, reply.data);
        const bytes = this.#recordTransfer(peer, start, found);
        this.state.fetchDone(peer, found, keys.filter((k) => !found.includes(k)), bytes);
        this.#process(this.state.take());
      },
      (err: Error) => this.#fetchFailed(peer, keys, err),
    );
  }

  #storeFetched(keys: readonly Key[], data: Record<Key, unknown>): Key[] {
    const found: Key[] = [];
    for (const k of keys) {
      if (Object.prototype.hasOwnProperty.call(data, k)) {
        this.store.set(k, data[k]);
        found.push(k);
      }
    }
    return found;
  }

  #fetchFailed(peer: string, failed: Key[], err: Error): void {
    if (this.#isClosed) return;
    this.log.warn({ peer, err: err.message }, "fetching inputs from a peer failed");
    this.#peers.forget(peer);
    this.state.fetchFailed(peer, failed);
    this.#process(this.state.take());
  }

  // ------------------------------------------------------------------ peers and clients

  #onPeer(comm: Comm): void {
    comm.onMessage((msg: GetDataMsg) => {
      const bad = invalidPeerMessage(msg);
      if (bad !== null) {
        this.#refusals.refused({ peer: comm.peerAddress }, `refused a message on the worker port: ${bad}; closing`);
        comm.close("unexpected message");
        return;
      }
      void this.#serveData(comm, msg);
    });
  }

  async #serveData(comm: Comm, msg: GetDataMsg): Promise<void> {
    const data: Record<Key, unknown> = {};
    const missing: Key[] = [];
    for (const k of msg.keys) {
      // A range key (../graph/range-ref.ts) is answered with the range of the value it names.
      const range = this.store.has(k) ? null : parseRangeKey(k);
      const held = range?.key ?? k;
      if (!this.store.has(held)) {
        missing.push(k);
        continue;
      }
      try {
        // get() is synchronous for values in memory; peek() reads spilled ones from disk without
        // bringing them back into this worker's memory (it may be paused for lack of it).
        // A range: its elements alone (peekRange: a view in memory; only those bytes from disk).
        let out: unknown;
        if (range !== null) out = this.store.peekRange ? await this.store.peekRange(held, range.start, range.length) : cutToRange(this.store.get(held), range.start, range.length);
        else out = this.store.spilledCount > 0 ? await (this.store.peek ? this.store.peek(held) : this.store.load(held)) : this.store.get(held);
        if (out === undefined) missing.push(k);
        else data[k] = out;
      } catch {
        missing.push(k);
      }
    }
    if (!comm.closed) sendMessage(comm, { op: "data", id: msg.id, data, missing });
  }

  // ------------------------------------------------------------------ leaving

  /**
   * Leave gracefully (SIGTERM): ask the scheduler to move this worker's results to peers, wait for
   * its close-worker (at most `timeoutMs`), then close.
   */
  async retire(timeoutMs = 30_000): Promise<void> {
    if (this.#isClosed || this.#closing) return;
    if (this.#scheduler && !this.#scheduler.closed) {
      const done = new Promise<void>((resolve) => {
        this.#retireResolve = resolve;
        this.#scheduler!.onClose(() => resolve());
        setTimeout(resolve, timeoutMs).unref();
      });
      this.#send({ op: "retire-me", reason: "worker received SIGTERM" });
      await done;
    }
    await this.close("retired");
  }

  async close(reason = "closed"): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#closing = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    await Promise.allSettled(this.#starting);
    this.#scheduler?.close(reason);
    if (this.#pendingComm && !this.#pendingComm.closed) this.#pendingComm.close(reason);
    this.#peers.close();
    await Promise.allSettled([this.#listener?.close(), this.#pool?.close(), this.store.close(), this.#uploads.close()]);
    this.log.info({ reason }, "worker closed");
    this.#resolveClosed(reason);
  }
}

/** Resources as metadata.resources carries them (JSON of name → amount), for workers configured that way. */
function resourcesFromMetadata(metadata: Record<string, string> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  const raw = metadata?.["resources"];
  if (raw === undefined) return out;
  try {
    const o = JSON.parse(raw) as unknown;
    if (o !== null && typeof o === "object") for (const [k, v] of Object.entries(o)) if (typeof v === "number" && v >= 0) out[k] = v;
  } catch {
    /* not JSON: none */
  }
  return out;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host.startsWith("127.") || host === "::1";
}


