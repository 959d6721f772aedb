/**
 * The scheduler's IO shell: listens for workers and clients, feeds their messages to the IO-free
 * SchedulerState, and sends out what it decides, batched once per event-loop turn. Owns the timers
 * (worker TTL, work stealing) and the plugins.
 */
import { countDone } from "./progress.js";
import { TaskStreamRecorder } from "./task-stream.js";
import { randomUUID } from "node:crypto";
import { networkInterfaces } from "node:os";
import { listen, type Comm, type Listener, type Security } from "../protocol/index.js";
import type { Key } from "../graph/spec.js";
import { sendMessage } from "../protocol/messages.js";
import { invalidClientMessage, invalidWorkerMessage, RefusalLog } from "../protocol/validate-message.js";
import { resolvePeerLimits, type PeerLimits } from "../protocol/limits.js";
import type {
  ClientToScheduler,
  FinishedTask,
  ErredTask,
  RegisterWorkerMsg,
  ReplyMsg,
  RebalanceResult,
  SchedulerInfo,
  UploadFileMsg,
  WorkerToScheduler,
  WireError,
  WorkerActivitySpan,
} from "../protocol/messages.js";
import { createLogger, type Logger } from "../util/log.js";
import { SchedulerState, type SchedulerStateOptions } from "./state.js";
import type { SchedulerPlugin, SpanInfo, TransitionInfo, WorkerInfo } from "./plugin.js";
import { balance } from "./stealing.js";
import { schedulerView, workerViews, type SchedulerView, type WorkerView } from "./view.js";
import type { TaskState, TaskStateName } from "./entities.js";
import { UploadError, UploadRegistry } from "./uploads.js";
import { UsageError } from "../util/errors.js";
import { finishMove, moveStatus, planRebalance, startMoves, type RebalanceThresholds } from "./rebalance.js";

export interface SchedulerOptions extends SchedulerStateOptions {
  /** Host to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0 = any free port). */
  port?: number;
  /** "tcp" (default) or "tls" (needs security.tls). */
  protocol?: "tcp" | "tls";
  security: Security;
  log?: Logger;
  /** Dashboard link shown to clients (the dashboard helper starts the server and sets this). */
  dashboard?: { address: string } | false;
  /** How often workers send heartbeats (ms). */
  heartbeatIntervalMs?: number;
  /** A worker silent for this long is removed (ms; Dask's worker-ttl, default 5 minutes). */
  workerTtlMs?: number;
  /** Work-stealing pass interval (ms). */
  stealIntervalMs?: number;
  /** How long retireWorkers waits for results to move before closing anyway (ms). */
  retireTimeoutMs?: number;
  /** Fractions of a worker's memory limit that rebalance() respects (Dask's distributed.worker.memory.rebalance.*). */
  rebalance?: Partial<RebalanceThresholds>;
  /** Limits on what a peer may send (protocol/limits.ts); each one left out keeps its default. */
  limits?: Partial<PeerLimits>;
}

interface WorkerConn {
  address: string;
  comm: Comm;
}

export class Scheduler {
  readonly id = randomUUID();
  readonly state: SchedulerState;
  readonly log: Logger;
  #listener: Listener | undefined;
  #address = "";
  #opts: SchedulerOptions;
  #workerComms = new Map<string, Comm>();
  #clientComms = new Map<string, Comm>();
  readonly #taskStream = new TaskStreamRecorder();
  readonly #uploads = new UploadRegistry();
  #plugins: SchedulerPlugin[] = [];
  #flushScheduled = false;
  #timers: NodeJS.Timeout[] = [];
  #closed = false;
  #gracefulRemovals = new Set<string>();
  #timing = new Map<Key, { start: number; duration: number; worker: string }>();
  #dashboardLink: string | undefined;
  #refusals: RefusalLog;
  readonly limits: PeerLimits;

  private constructor(opts: SchedulerOptions) {
    this.#opts = opts;
    this.log = opts.log ?? createLogger("tessera.scheduler");
    this.limits = resolvePeerLimits(opts.limits);
    this.state = new SchedulerState({ ...opts, maxGraphTasks: this.limits.maxGraphTasks });
    if (opts.dashboard) this.#dashboardLink = opts.dashboard.address;
    this.#refusals = new RefusalLog((fields, text) => this.log.warn(fields, text));
  }

  static async start(opts: SchedulerOptions): Promise<Scheduler> {
    const s = new Scheduler(opts);
    await s.#start();
    return s;
  }

  get address(): string {
    return this.#address;
  }

  get dashboardLink(): string | undefined {
    return this.#dashboardLink;
  }

  /** The dashboard helper sets this once its HTTP server listens. */
  setDashboardLink(link: string | undefined): void {
    this.#dashboardLink = link;
  }

  async #start(): Promise<void> {
    const host = this.#opts.host ?? "127.0.0.1";
    const scheme = this.#opts.protocol ?? (this.#opts.security.tls ? "tls" : "tcp");
    const hostPart = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
    this.#listener = await listen({
      address: `${scheme}://${hostPart}:${this.#opts.port ?? 0}`,
      security: this.#opts.security,
      onComm: (comm) => this.#onComm(comm),
      log: this.log,
    });
    this.#address = advertisedAddress(this.#listener.address);
    const ttl = this.#opts.workerTtlMs ?? 300_000;
    const ttlTimer = setInterval(() => this.#checkTtl(ttl), Math.min(ttl / 4, 10_000));
    ttlTimer.unref();
    const stealTimer = setInterval(() => {
      if (balance(this.state) > 0) this.#scheduleFlush();
    }, this.#opts.stealIntervalMs ?? 100);
    stealTimer.unref();
    this.#timers.push(ttlTimer, stealTimer);
    this.log.info({ address: this.#address }, "scheduler listening");
  }

  // ------------------------------------------------------------------ plugins and views

  addPlugin(p: SchedulerPlugin): void {
    this.#plugins.push(p);
    this.#updateTransitionHook();
    for (const ws of this.state.workers.values()) this.#safe(p, () => p.addWorker?.(workerInfo(ws)));
  }

  removePlugin(p: SchedulerPlugin): void {
    this.#plugins = this.#plugins.filter((x) => x !== p);
    this.#updateTransitionHook();
  }

  #updateTransitionHook(): void {
    const listeners = this.#plugins.filter((p) => p.transition !== undefined);
    if (listeners.length === 0) {
      this.state.onTransition = null;
      return;
    }
    this.state.onTransition = (key: Key, from: TaskStateName, to: TaskStateName, ts: TaskState) => {
      const timing = to === "memory" || to === "erred" ? this.#timing.get(key) : undefined;
      const info: TransitionInfo = {
        prefix: ts.prefix.name,
        worker: ts.processingOn?.address ?? timing?.worker ?? ts.whoHas?.[0]?.address,
        nbytes: ts.nbytes,
        type: ts.type,
      };
      if (timing) {
        info.start = timing.start;
        info.duration = timing.duration;
      }
      if (to === "erred" && ts.error) info.error = ts.error;
      for (const p of listeners) this.#safe(p, () => p.transition!(key, from, to, info));
    };
  }

  /** Hand a heartbeat's transfer/spill spans to the plugins that listen for them. */
  #reportSpans(worker: string, spans: readonly WorkerActivitySpan[]): void {
    for (const p of this.#plugins) {
      if (p.span === undefined) continue;
      for (const s of spans) {
        const info: SpanInfo = { worker, action: s.action, start: s.start, stop: s.stop, bytes: s.bytes, keys: s.keys };
        if (s.peer !== undefined) info.peer = s.peer;
        this.#safe(p, () => p.span!(info));
      }
    }
  }

  #safe(p: SchedulerPlugin, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.warn({ plugin: p.name, err }, "scheduler plugin hook threw; ignored");
    }
  }

  /** A copy of the scheduler's state for dashboards (workers, task counts by prefix and state). */
  view(): SchedulerView {
    return schedulerView(this.state);
  }

  workers(): WorkerView[] {
    return workerViews(this.state);
  }

  info(opts: { gc?: boolean; targetDurationS?: number } = {}): SchedulerInfo {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (opts.gc && gc) gc();
    const mem = process.memoryUsage();
    const info: SchedulerInfo = {
      tasks: this.state.tasks.size,
      memory: { heapUsed: mem.heapUsed, rss: mem.rss },
      address: this.#address,
      id: this.id,
      workers: [...this.state.workers.values()].map((w) => ({
        address: w.address,
        name: w.name,
        nthreads: w.nthreads,
        memoryLimit: w.memoryLimit,
        pid: w.pid,
        host: w.host,
        metadata: { ...w.metadata },
        processing: w.processing.size,
        stored: w.hasWhat.size,
      })),
      cluster: this.state.clusterSummary(),
    };
    if (opts.targetDurationS !== undefined) info.adaptiveTarget = this.adaptiveTarget(opts.targetDurationS);
    if (this.#dashboardLink) info.dashboardLink = this.#dashboardLink;
    return info;
  }

  adaptiveTarget(targetDurationS = 5): number {
    return this.state.adaptiveTarget(targetDurationS);
  }

  /**
   * Retire workers gracefully: they get no new tasks, results only they hold are copied to other
   * workers, then they are removed (and told to exit when `closeWorkers`). Resolves with the
   * addresses retired. `awaitRecipient`: for workers leaving anyway, hold results that no running
   * worker can take until one joins (see SchedulerState.beginRetire), within the retire timeout.
   */
  /**
   * Move results from workers holding more than the mean to those holding less (./rebalance.ts),
   * optionally only `keys` and only between `workers` (addresses). Resolves once the moves are done
   * or failed (at most `timeoutMs`, default 30 s).
   */
  async rebalance(opts: { keys?: readonly Key[]; workers?: readonly string[]; timeoutMs?: number } = {}): Promise<RebalanceResult> {
    const workers = opts.workers?.map((a) => {
      const ws = this.state.workers.get(a) ?? this.state.workersByName.get(a);
      if (ws === undefined) throw new UsageError(`rebalance: no worker '${a}'; workers: ${[...this.state.workers.keys()].join(", ")}`);
      return ws;
    });
    const moves = planRebalance(this.state, {
      ...(opts.keys ? { keys: new Set(opts.keys) } : {}),
      ...(workers ? { workers } : {}),
      ...(this.#opts.rebalance ? { thresholds: { senderMin: 0.3, recipientMax: 0.6, senderRecipientGap: 0.1, ...this.#opts.rebalance } } : {}),
    });
    const result: RebalanceResult = { moved: {}, failed: [] };
    if (moves.length === 0) return result;
    startMoves(this.state, moves);
    this.flush();
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    let open = moves;
    while (open.length > 0 && !this.#closed) {
      const still = [];
      for (const m of open) {
        const s = moveStatus(this.state, m);
        if (s === "done") {
          finishMove(this.state, m);
          result.moved[m.ts.key] = [m.from.address, m.to.address];
        } else if (s === "failed") result.failed.push(m.ts.key);
        else still.push(m);
      }
      open = still;
      if (open.length === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const m of open) result.failed.push(m.ts.key);
    this.flush();
    this.log.info({ moved: Object.keys(result.moved).length, failed: result.failed.length }, "rebalanced");
    return result;
  }

  /**
   * Send a file to every worker now and every worker joining later (client.uploadFile); resolves with
   * where each current worker wrote it, or rejects naming the workers that could not write or load it.
   */
  async uploadFile(msg: UploadFileMsg, timeoutMs = 60_000): Promise<Record<string, string>> {
    this.#uploads.add(msg);
    const answers = await Promise.all(
      [...this.#workerComms].map(async ([address, comm]) => {
        const answer = this.#uploads.answerFrom(address, msg.name, timeoutMs);
        sendMessage(comm, msg);
        return [address, await answer] as const;
      }),
    );
    const out: Record<string, string> = {};
    const failed: string[] = [];
    for (const [address, a] of answers) {
      if ("path" in a) out[address] = a.path;
      else failed.push(`${address}: ${a.error}`);
    }
    if (failed.length > 0) {
      // Not kept for workers joining later: the client hears of it, and may upload a fixed file.
      if (this.#uploads.files.get(msg.name) === msg) this.#uploads.files.delete(msg.name);
      throw new UploadError(`uploading '${msg.name}' failed on ${failed.length} worker(s): ${failed.join("; ")}`);
    }
    return out;
  }

  async retireWorkers(
    opts: { names?: readonly string[]; addresses?: readonly string[]; closeWorkers?: boolean; awaitRecipient?: boolean } = {},
  ): Promise<string[]> {
    const addresses = new Set<string>(opts.addresses ?? []);
    for (const n of opts.names ?? []) {
      const ws = this.state.workersByName.get(n);
      if (ws) addresses.add(ws.address);
    }
    const targets = [...addresses].filter((a) => this.state.workers.has(a));
    if (targets.length === 0) return [];
    this.state.beginRetire(targets, { awaitRecipient: opts.awaitRecipient === true });
    this.#scheduleFlush();
    const deadline = Date.now() + (this.#opts.retireTimeoutMs ?? 30_000);
    while (!this.#closed && Date.now() < deadline && !targets.every((a) => this.state.retireDone(a))) {
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const a of targets) {
      if (!this.state.workers.has(a)) continue;
      this.#gracefulRemovals.add(a);
      if (opts.closeWorkers !== false) this.#workerComms.get(a)?.send({ op: "close-worker", reason: "retired" });
      this.#removeWorker(a, "retired", true);
    }
    return targets;
  }

  // ------------------------------------------------------------------ connections

  #onComm(comm: Comm): void {
    let role: "unknown" | "worker" | "client" = "unknown";
    let id = "";
    comm.onMessage((msg: { op: string }) => {
      if (this.#closed) return;
      // Authenticated peers may still send malformed messages (bugs, other versions): refuse them.
      const bad =
        role === "worker" || (role === "unknown" && msg.op === "register-worker")
          ? invalidWorkerMessage(msg, this.limits)
          : role === "client" || msg.op === "register-client"
            ? invalidClientMessage(msg, this.limits)
            : null;
      if (bad !== null) {
        this.#refusals.refused({ peer: comm.peerAddress }, `refused a message: ${bad}`);
        if (role === "unknown") comm.close("malformed registration");
        else if (role === "client" && msg.op === "update-graph") {
          // the client awaits these keys: tell it why they will never come
          const wanted = (msg as { wanted?: unknown }).wanted;
          if (Array.isArray(wanted)) this.state.refuseGraph(id, wanted.filter((k): k is string => typeof k === "string" && k.length <= this.limits.maxKeyLength), bad);
          this.#scheduleFlush();
        }
        return;
      }
      try {
        if (role === "worker") this.#onWorkerMessage(id, msg as WorkerToScheduler);
        else if (role === "client") this.#onClientMessage(id, comm, msg as ClientToScheduler);
        else if (msg.op === "register-worker") {
          const m = msg as RegisterWorkerMsg;
          const reason = this.#addWorker(m, comm);
          if (reason !== null) {
            comm.send({ op: "register-refused", reason });
            comm.close("registration refused");
            return;
          }
          role = "worker";
          id = m.address;
        } else if (msg.op === "register-client") {
          role = "client";
          id = randomUUID();
          this.#clientComms.set(id, comm);
          this.state.addClient(id);
          for (const p of this.#plugins) this.#safe(p, () => p.addClient?.(id));
          const reply: { op: "client-registered"; clientId: string; cluster: ReturnType<SchedulerState["clusterSummary"]>; dashboardLink?: string } = {
            op: "client-registered",
            clientId: id,
            cluster: this.state.clusterSummary(),
          };
          if (this.#dashboardLink) reply.dashboardLink = this.#dashboardLink;
          comm.send(reply);
        } else {
          this.log.warn({ peer: comm.peerAddress, op: msg.op }, "first message must register a worker or client; closing");
          comm.close("unexpected first message");
        }
      } catch (err) {
        this.log.error({ err, op: msg.op, peer: comm.peerAddress }, "error handling message");
      }
      this.#scheduleFlush();
    });
    comm.onClose(() => {
      if (this.#closed) return;
      if (role === "worker") {
        if (this.#workerComms.get(id) === comm) this.#removeWorker(id, "connection closed", this.#gracefulRemovals.has(id));
      } else if (role === "client") {
        this.#clientComms.delete(id);
        this.state.removeClient(id);
        for (const p of this.#plugins) this.#safe(p, () => p.removeClient?.(id));
      }
      this.#scheduleFlush();
    });
  }

  #addWorker(m: RegisterWorkerMsg, comm: Comm): string | null {
    if (typeof m.address !== "string" || typeof m.name !== "string" || !(m.nthreads >= 1)) {
      return "register-worker needs address, name and nthreads ≥ 1";
    }
    const reason = this.state.addWorker({ ...m, metadata: m.metadata ?? {}, keys: m.keys ?? [] });
    if (reason !== null) return reason;
    this.#workerComms.set(m.address, comm);
    comm.send({ op: "worker-registered", heartbeatIntervalMs: this.#opts.heartbeatIntervalMs ?? 1000 });
    // Files clients uploaded so far, before any task: the worker runs none until they are loaded.
    for (const f of this.#uploads.files.values()) sendMessage(comm, f);
    this.log.info({ worker: m.address, workerName: m.name, nthreads: m.nthreads }, "worker registered");
    const ws = this.state.workers.get(m.address)!;
    for (const p of this.#plugins) this.#safe(p, () => p.addWorker?.(workerInfo(ws)));
    return null;
  }

  #removeWorker(address: string, reason: string, graceful: boolean): void {
    if (!this.state.workers.has(address)) return;
    this.state.removeWorker(address, { graceful });
    const comm = this.#workerComms.get(address);
    this.#workerComms.delete(address);
    this.#gracefulRemovals.delete(address);
    this.#uploads.workerLeft(address);
    if (comm && !comm.closed) comm.close(reason);
    (graceful ? this.log.info : this.log.warn).call(this.log, { worker: address, reason }, "worker removed");
    for (const p of this.#plugins) this.#safe(p, () => p.removeWorker?.(address, reason));
    this.#scheduleFlush();
  }

  #checkTtl(ttlMs: number): void {
    const now = Date.now();
    for (const ws of [...this.state.workers.values()]) {
      if (now - ws.lastSeen > ttlMs) this.#removeWorker(ws.address, `no heartbeat for ${Math.round((now - ws.lastSeen) / 1000)} s (worker TTL)`, false);
    }
  }

  #onWorkerMessage(address: string, msg: WorkerToScheduler): void {
    const ws = this.state.workers.get(address);
    if (ws) ws.lastSeen = Date.now();
    switch (msg.op) {
      case "heartbeat-worker":
        this.state.heartbeat(address, msg.metrics);
        if (msg.spans !== undefined && msg.spans.length > 0) this.#reportSpans(address, msg.spans);
        return;
      case "task-finished":
        this.#recordTiming(address, msg.tasks);
        this.state.taskFinished(address, msg.tasks);
        this.#timing.clear();
        return;
      case "task-erred":
        this.#recordTiming(address, msg.tasks);
        this.state.taskErred(address, msg.tasks);
        this.#timing.clear();
        return;
      case "steal-response":
        this.state.stealResponse(address, msg.released, msg.kept);
        return;
      case "missing-data":
        this.state.missingData(address, msg.keys, msg.worker);
        return;
      case "add-keys":
        this.state.addKeys(address, msg.keys);
        return;
      case "release-worker-data":
        this.state.releaseWorkerData(address, msg.keys);
        return;
      case "retire-me":
        this.log.info({ worker: address, reason: msg.reason }, "worker asked to retire");
        // It leaves anyway (--lifetime, SIGTERM): rather than dropping its results when no worker
        // can take them yet, it holds them until a replacement joins.
        void this.retireWorkers({ addresses: [address], closeWorkers: true, awaitRecipient: true });
        return;
      case "file-uploaded":
        this.#uploads.answered(address, msg);
        return;
      case "register-worker":
        return;
      default: {
        const never: never = msg;
        this.log.warn({ op: (never as { op: string }).op, worker: address }, "unknown message from worker; ignored");
      }
    }
  }

  #recordTiming(worker: string, tasks: readonly (FinishedTask | ErredTask)[]): void {
    if (this.state.onTransition === null) return;
    for (const t of tasks) this.#timing.set(t.key, { start: t.start, duration: t.duration, worker });
  }

  #onClientMessage(clientId: string, comm: Comm, msg: ClientToScheduler): void {
    switch (msg.op) {
      case "update-graph":
        this.state.updateGraph(clientId, msg);
        return;
      case "client-desires-keys":
        this.state.clientDesiresKeys(clientId, msg.keys);
        return;
      case "client-releases-keys":
        this.state.clientReleasesKeys(clientId, msg.keys);
        return;
      case "cancel-keys":
        this.state.cancelKeys(clientId, msg.keys);
        return;
      case "who-has":
        comm.send({ op: "reply", id: msg.id, result: this.state.whoHas(msg.keys) } satisfies ReplyMsg);
        return;
      case "task-stream": {
        if (msg.action === "start") {
          if (!this.#taskStream.recording) this.addPlugin(this.#taskStream);
          comm.send({ op: "reply", id: msg.id, result: this.#taskStream.start() } satisfies ReplyMsg);
        } else {
          const tasks = this.#taskStream.stop(msg.position ?? 0);
          if (!this.#taskStream.recording) this.removePlugin(this.#taskStream);
          comm.send({ op: "reply", id: msg.id, result: tasks } satisfies ReplyMsg);
        }
        return;
      }
      case "count-done":
        comm.send({ op: "reply", id: msg.id, result: countDone(this.state, msg.keys) } satisfies ReplyMsg);
        return;
      case "scheduler-info":
        comm.send({
          op: "reply",
          id: msg.id,
          result: this.info({ gc: msg.gc === true, ...(msg.targetDurationS !== undefined ? { targetDurationS: msg.targetDurationS } : {}) }),
        } satisfies ReplyMsg);
        return;
      case "retire-workers": {
        const req = msg;
        const opts: { names?: string[]; addresses?: string[]; closeWorkers?: boolean } = {};
        if (req.names) opts.names = req.names;
        if (req.addresses) opts.addresses = req.addresses;
        if (req.closeWorkers !== undefined) opts.closeWorkers = req.closeWorkers;
        this.retireWorkers(opts).then(
          (result) => comm.send({ op: "reply", id: req.id, result } satisfies ReplyMsg),
          (err: Error) => comm.send({ op: "reply", id: req.id, error: toWireError(err) } satisfies ReplyMsg),
        );
        return;
      }
      case "rebalance": {
        const req = msg;
        this.rebalance({ ...(req.keys ? { keys: req.keys } : {}), ...(req.workers ? { workers: req.workers } : {}) }).then(
          (result) => comm.send({ op: "reply", id: req.id, result } satisfies ReplyMsg),
          (err: Error) => comm.send({ op: "reply", id: req.id, error: toWireError(err) } satisfies ReplyMsg),
        );
        return;
      }
      case "upload-file": {
        const { id, ...file } = msg;
        this.uploadFile({ ...file, op: "upload-file" }).then(
          (result) => comm.send({ op: "reply", id, result } satisfies ReplyMsg),
          (err: Error) => comm.send({ op: "reply", id, error: toWireError(err) } satisfies ReplyMsg),
        );
        return;
      }
      case "register-client":
        return;
      default: {
        const never: never = msg;
        this.log.warn({ op: (never as { op: string }).op }, "unknown message from client; ignored");
      }
    }
  }

  // ------------------------------------------------------------------ output

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#closed) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.flush();
    });
  }

  /** Send everything the state machine decided (normally called once per event-loop turn). */
  flush(): void {
    if (this.#closed) return;
    for (const ins of this.state.flush()) {
      const comm = ins.to === "worker" ? this.#workerComms.get(ins.address) : this.#clientComms.get(ins.clientId);
      if (!comm || comm.closed) continue;
      try {
        sendMessage(comm, ins.msg);
      } catch (err) {
        // Last line of defence (incoming limits should make this unreachable): one message that cannot
        // be encoded must not take the scheduler down. Its receiver is dropped; its tasks go elsewhere.
        this.log.error({ err, op: ins.msg.op, peer: comm.peerAddress }, "could not encode a message; closing that connection");
        comm.close(`could not encode a '${ins.msg.op}' message: ${(err as Error).message}`);
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    for (const c of this.#workerComms.values()) c.send({ op: "close-worker", reason: "scheduler closing" });
    this.#closed = true;
    for (const t of this.#timers) clearInterval(t);
    for (const p of this.#plugins) {
      try {
        await p.close?.();
      } catch (err) {
        this.log.warn({ plugin: p.name, err }, "plugin close failed");
      }
    }
    for (const c of [...this.#workerComms.values(), ...this.#clientComms.values()]) c.close("scheduler closing");
    this.#workerComms.clear();
    this.#clientComms.clear();
    await this.#listener?.close();
    this.log.info({ address: this.#address }, "scheduler closed");
  }
}

/**
 * Listening on all interfaces (0.0.0.0 / ::) is not an address others can dial: advertise this
 * machine's first external IPv4 address instead (what workers on other nodes must use).
 */
function advertisedAddress(address: string): string {
  const m = /^(tcp|tls):\/\/(0\.0\.0\.0|\[::\]):(\d+)$/.exec(address);
  if (!m) return address;
  for (const list of Object.values(networkInterfaces())) {
    for (const ni of list ?? []) if (ni.family === "IPv4" && !ni.internal) return `${m[1]}://${ni.address}:${m[3]}`;
  }
  return `${m[1]}://127.0.0.1:${m[3]}`;
}

function workerInfo(ws: { address: string; name: string; nthreads: number; memoryLimit: number; pid: number; host: string; metadata: Record<string, string> }): WorkerInfo {
  return { address: ws.address, name: ws.name, nthreads: ws.nthreads, memoryLimit: ws.memoryLimit, pid: ws.pid, host: ws.host, metadata: { ...ws.metadata } };
}

export function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const w: WireError = { name: err.name, message: err.message };
    if (err.stack) w.stack = err.stack;
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string") w.code = code;
    return w;
  }
  return { name: "Error", message: String(err) };
}

