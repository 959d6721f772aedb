/**
 * The Client: submits work to a scheduler and gets results back from the workers holding them.
 *
 *   const client = await Client.connect();              // starts a LocalCluster
 *   const client = await Client.connect("tcp://host:8786", { security });
 *   const f = client.submit((x: number) => x + 1, 10);  // a Future
 *   await f;                                            // 11
 *   await client.gather(client.map((x: number) => x * 2, [1, 2, 3]));
 *
 * Hot paths are batched: all tasks submitted in one tick go in one update-graph message, results
 * are reported in batches, and gathering asks each worker once for all its keys.
 */
import { inspect } from "node:util";
import { connect, Security, type Comm } from "../protocol/index.js";
import { ConnectionPool } from "../protocol/rpc.js";
import { sendMessage } from "../protocol/messages.js";
import type {
  ClusterSummary,
  DataMsg,
  RebalanceResult,
  Message,
  SchedulerInfo,
  SchedulerToClient,
  TaskStreamEntry,
  WireError,
  WireTask,
} from "../protocol/messages.js";
import type { Arg, Graph, Key } from "../graph/spec.js";
import { isTask } from "../graph/spec.js";
import { dependencies, topologicalOrder } from "../graph/execute.js";
import { defaultProgress, setDefaultExecutor, getDefaultExecutor, hasDefaultClient, type GraphExecutor } from "../graph/default-executor.js";
import { tokenize } from "../graph/keys.js";
import { formatBytesDecimal } from "../util/sizes.js";
import { createLogger, type Logger } from "../util/log.js";
import { isClusterLike, startLocalCluster, type ClusterLike } from "./cluster-like.js";
import { describeFunction, type FunctionDescriptor } from "./functions.js";
import { Future, KeyState, type FutureOwner } from "./future.js";
import { TesseraError, TimeoutError, UsageError } from "../util/errors.js";
import { isCollection, type Collection } from "../graph/collection.js";
import { AsCompleted, firstCompleted } from "./as-completed.js";
import { CollectionFuture } from "./collection-future.js";
import { renderPerformanceReport } from "./performance-report.js";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, join, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { terminalProgress, type ProgressReporter } from "./progress.js";
import { CancelledError, ClientClosedError, MessageEncodeError, SchedulerGoneError, SchedulerRequestError, errorFor } from "./errors.js";

export interface ClientOptions {
  /** The cluster's secret (default: the cluster's, else TESSERA_SECRET / TESSERA_SECRET_FILE). */
  security?: Security;
  name?: string;
  connectTimeoutMs?: number;
  /** Register as the default executor for array compute() (default true). */
  setAsDefault?: boolean;
  log?: Logger;
  /** Options for the LocalCluster started when no address is given. */
  localCluster?: Record<string, unknown>;
}

export interface SubmitOptions {
  /** The key to use (default: `<function name>-<hash of function and arguments>`); for map, a key prefix. */
  key?: string;
  /** Run again this many times if it fails. */
  retries?: number;
  /** Higher runs earlier. */
  priority?: number;
  /** Same function and arguments → same key (default true). */
  pure?: boolean;
  /** Run only on these workers (addresses, names or hosts). */
  workers?: string | readonly string[];
  /** Run only on workers declaring these resources (`tessera worker --resources "GPU=1"`). */
  resources?: Readonly<Record<string, number>>;
}

const SUBMIT_OPTION_KEYS: ReadonlySet<string> = new Set(["key", "retries", "priority", "pure", "workers", "resources"]);

/** Restrictions of `opts` onto a wire task. */
function restrict(task: WireTask, opts: SubmitOptions): void {
  if (opts.workers !== undefined) task.workers = typeof opts.workers === "string" ? [opts.workers] : [...opts.workers];
  if (opts.resources !== undefined) {
    for (const [k, v] of Object.entries(opts.resources)) {
      if (typeof v !== "number" || !(v >= 0)) throw new UsageError(`resources: '${k}' must be a number ≥ 0, got ${inspect(v)}`);
    }
    task.resources = { ...opts.resources };
  }
}

export type ReturnWhen = "ALL_COMPLETED" | "FIRST_COMPLETED";

export interface WaitOptions {
  /** ALL_COMPLETED (default) or FIRST_COMPLETED, as Dask's wait(return_when=…). */
  returnWhen?: ReturnWhen;
  /** Reject with TimeoutError after this long. */
  timeoutMs?: number;
}

export interface ComputeCollectionOptions {
  /** Fuse chunk programs before running (default true). */
  optimize?: boolean;
  /** A display to tell how many of the graph's tasks are done (e.g. terminalProgress()). */
  progress?: ProgressReporter;
}

function checkSubmitOptions(where: string, opts: unknown): SubmitOptions {
  if (typeof opts !== "object" || opts === null) throw new UsageError(`${where}: options must be an object such as {key, retries, priority, pure}, got ${inspect(opts)}`);
  for (const k of Object.keys(opts)) {
    if (!SUBMIT_OPTION_KEYS.has(k)) {
      throw new UsageError(`${where}: unknown option '${k}'; the options are ${[...SUBMIT_OPTION_KEYS].join(", ")}`);
    }
  }
  return opts as SubmitOptions;
}

/**
 * An argument as submit/map accept it: the value, a Future of it, or an array or plain object whose
 * elements may be futures. Futures are replaced by their values on the worker.
 */
export type FutureOr<T> =
  | T
  | Future<T>
  | (T extends ArrayBufferView | ((...args: never[]) => unknown)
      ? never
      : T extends readonly (infer E)[]
        ? readonly FutureOr<E>[]
        : T extends object
          ? { [K in keyof T]: FutureOr<T[K]> }
          : never);

/** Each parameter of a task function, as submit accepts it. */
export type TaskArgs<A extends readonly unknown[]> = { [K in keyof A]: FutureOr<A[K]> };

/** Each parameter of a task function, as map accepts it: an iterable of them. */
export type MapArgs<A extends readonly unknown[]> = { [K in keyof A]: Iterable<FutureOr<A[K]>> };

// eslint-disable-next-line @typescript-eslint/ban-types
type AnyFunction = Function;

interface Callable {
  op: string;
  /** The function descriptor for op "call" (sent once per message). */
  fn: FunctionDescriptor | undefined;
  name: string;
  token: string;
}

interface Batch {
  tasks: WireTask[];
  wanted: Key[];
  functions: unknown[];
  fnIndex: Map<unknown, number>;
}

type Status = "connecting" | "running" | "closing" | "closed";

export class Client implements GraphExecutor, FutureOwner {
  readonly log: Logger;
  #opts: ClientOptions;
  #status: Status = "connecting";
  #ready: Promise<void>;
  #comm: Comm | undefined;
  #outbox: Message[] = [];
  #address = "";
  #clientId = "";
  #dashboardLink: string | undefined;
  #cluster: ClusterLike | undefined;
  #ownsCluster = false;
  #summary: ClusterSummary = { workers: 0, threads: 0, memoryLimit: 0 };
  #summaryWaiters: (() => void)[] = [];
  #keys = new Map<Key, KeyState>();
  #requests = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #nextRequest = 1;
  #workers: ConnectionPool | undefined;
  #callables = new WeakMap<AnyFunction, Callable>();
  #pendingTasks = new Map<number, Batch>();
  /** Keys whose last future was dropped, released at the next flush (unless wanted again meanwhile). */
  #pendingReleases = new Set<Key>();
  #flushQueued = false;
  #persisted = new Map<Key, Future>();
  #keyCounter = 0;
  #lostReason = "";

  constructor(target?: string | ClusterLike, opts: ClientOptions = {}) {
    this.#opts = opts;
    this.log = opts.log ?? createLogger("tessera.client");
    this.#ready = this.#start(target);
    // Reported by the methods that await it; futures submitted meanwhile fail with the same error.
    this.#ready.catch((err: Error) => this.#failStart(err));
  }

  /** Connect (starting a LocalCluster when no address or cluster is given) and wait until ready. */
  static async connect(target?: string | ClusterLike, opts: ClientOptions = {}): Promise<Client> {
    const c = new Client(target, opts);
    await c.ready();
    return c;
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  get status(): Status {
    return this.#status;
  }

  get schedulerAddress(): string {
    return this.#address;
  }

  get dashboardLink(): string | undefined {
    return this.#dashboardLink;
  }

  get cluster(): ClusterLike | undefined {
    return this.#cluster;
  }

  async #start(target: string | ClusterLike | undefined): Promise<void> {
    if (target === undefined) {
      this.#cluster = await startLocalCluster(this.#opts.localCluster ?? {});
      this.#ownsCluster = true;
      target = this.#cluster;
    }
    let security: Security | undefined = this.#opts.security;
    if (isClusterLike(target)) {
      await target.ready?.();
      this.#cluster ??= target;
      this.#address = target.schedulerAddress;
      security ??= target.security;
      this.#dashboardLink = target.dashboardLink;
    } else if (typeof target === "string") {
      // "host:port" as Dask accepts it: TCP.
      this.#address = target.includes("://") ? target : `tcp://${target}`;
      security ??= Security.fromEnv();
      if (!security) {
        throw new ClientClosedError(
          `no secret to connect to ${this.#address}: pass {security} (e.g. the cluster's), or set TESSERA_SECRET_FILE to the cluster's 0600 secret file`,
        );
      }
    } else {
      throw new UsageError(`Client: expected a scheduler address (tcp://HOST:PORT) or a cluster, got ${inspect(target)}`);
    }
    const comm = await connect(this.#address, { security, timeoutMs: this.#opts.connectTimeoutMs ?? 10_000, log: this.log });
    this.#workers = new ConnectionPool({ security, log: this.log });
    const registered = new Promise<void>((resolve, reject) => {
      comm.onClose((reason) => {
        reject(new SchedulerGoneError(`the scheduler at ${this.#address} closed the connection during registration: ${reason}`));
        this.#onLost(reason);
      });
      comm.onMessage((msg: SchedulerToClient) => {
        if (msg.op === "client-registered") {
          this.#clientId = msg.clientId;
          this.#summary = msg.cluster;
          if (msg.dashboardLink) this.#dashboardLink = msg.dashboardLink;
          comm.onMessage((m: SchedulerToClient) => this.#onMessage(m));
          resolve();
        }
      });
    });
    sendMessage(comm, { op: "register-client", name: this.#opts.name ?? `client-${process.pid}` });
    await registered;
    this.#comm = comm;
    this.#status = "running";
    for (const m of this.#outbox) this.#sendNow(comm, m);
    this.#outbox = [];
    if (this.#opts.setAsDefault !== false) setDefaultExecutor(this);
  }

  // ------------------------------------------------------------------ messages

  #send(msg: Message): void {
    if (this.#status === "closed") return;
    if (this.#comm) this.#sendNow(this.#comm, msg);
    else this.#outbox.push(msg);
  }

  /** A message that cannot be encoded (a value nested too deep, a cycle…) fails what waits on it, not the process. */
  #sendNow(comm: Comm, msg: Message): void {
    try {
      sendMessage(comm, msg);
    } catch (err) {
      this.#sendFailed(comm, msg, err as Error);
    }
  }

  #sendFailed(comm: Comm, msg: Message, err: Error): void {
    const m = msg as unknown as { op: string; id?: number; tasks?: WireTask[]; wanted?: Key[] };
    if (m.op === "update-graph" && m.tasks !== undefined && m.tasks.length > 1) {
      // one task alone at a time, so only the one that cannot be encoded fails
      const wanted = new Set(m.wanted ?? []);
      for (const t of m.tasks) this.#sendNow(comm, { ...msg, tasks: [t], wanted: wanted.has(t.key) ? [t.key] : [] } as unknown as Message);
      return;
    }
    if (m.op === "update-graph" && m.tasks !== undefined) {
      for (const t of m.tasks) {
        const st = this.#keys.get(t.key);
        if (st === undefined || st.status !== "pending") continue;
        st.status = "error";
        st.error = new MessageEncodeError(`task '${t.key}' was not sent: its arguments cannot be encoded (${err.message}); pass plain data nested less deeply`, { cause: err });
        st.settle();
      }
      return;
    }
    const request = m.id !== undefined ? this.#requests.get(m.id) : undefined;
    if (request !== undefined) {
      this.#requests.delete(m.id!);
      request.reject(new MessageEncodeError(`the '${m.op}' request cannot be encoded: ${err.message}`, { cause: err }));
      return;
    }
    this.log.error({ op: m.op, err }, "could not encode a message for the scheduler; dropped");
  }

  #onMessage(msg: SchedulerToClient): void {
    switch (msg.op) {
      case "keys-in-memory":
        for (const loc of msg.keys) {
          const st = this.#keys.get(loc.key);
          if (st === undefined || st.status === "cancelled") continue;
          st.status = "finished";
          st.workers = loc.workers;
          st.nbytes = loc.nbytes;
          st.type = loc.type;
          st.error = undefined;
          st.settle();
        }
        return;
      case "keys-erred":
        for (const { key, error } of msg.errors) {
          const st = this.#keys.get(key);
          if (st === undefined || st.status === "cancelled") continue;
          st.status = "error";
          st.error = error;
          st.settle();
        }
        return;
      case "keys-lost":
        for (const key of msg.keys) {
          const st = this.#keys.get(key);
          if (st !== undefined && st.status === "finished") {
            st.status = "pending";
            st.workers = [];
          }
        }
        return;
      case "keys-cancelled":
        for (const key of msg.keys) this.#markCancelled(key, msg.reason);
        return;
      case "cluster-changed":
        this.#summary = msg.cluster;
        for (const w of this.#summaryWaiters.splice(0)) w();
        return;
      case "reply": {
        const r = this.#requests.get(msg.id);
        if (!r) return;
        this.#requests.delete(msg.id);
        if (msg.error) r.reject(new SchedulerRequestError(msg.error));
        else r.resolve(msg.result);
        return;
      }
      case "client-registered":
        return;
      default: {
        const never: never = msg;
        this.log.warn({ op: (never as { op: string }).op }, "unknown message from scheduler; ignored");
      }
    }
  }

  #failStart(err: Error): void {
    if (this.#status === "closed") return;
    this.#status = "closed";
    this.#lostReason = `could not connect: ${err.message}`;
    this.#outbox = [];
    for (const st of this.#keys.values()) {
      if (st.status !== "pending") continue;
      st.status = "error";
      st.error = err;
      st.settle();
    }
    if (this.#ownsCluster) void this.#cluster?.close();
  }

  #onLost(reason: string): void {
    if (this.#status === "closed") return;
    const closing = this.#status === "closing";
    this.#status = "closed";
    this.#lostReason = closing ? "the client was closed" : `lost the connection to the scheduler at ${this.#address} (${reason})`;
    const err = closing ? new ClientClosedError(`the client was closed before the result arrived`) : new SchedulerGoneError(`${this.#lostReason}; pending results are lost`);
    for (const st of this.#keys.values()) {
      if (st.status !== "pending") continue;
      st.status = "error";
      st.error = err;
      st.settle();
    }
    for (const r of this.#requests.values()) r.reject(err);
    this.#requests.clear();
    for (const w of this.#summaryWaiters.splice(0)) w();
    this.#workers?.close();
    if (getDefaultExecutorIs(this)) setDefaultExecutor(null);
  }

  #request<T>(msg: { op: string; [k: string]: unknown }): Promise<T> {
    if (this.#status === "closed") return Promise.reject(new ClientClosedError(`the client is closed (${this.#lostReason})`));
    const id = this.#nextRequest++;
    return new Promise<T>((resolve, reject) => {
      this.#requests.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#send({ ...msg, id } as unknown as Message);
    });
  }

  // ------------------------------------------------------------------ submitting

  #callable(fn: AnyFunction | string): Callable {
    if (typeof fn === "string") return { op: fn, fn: undefined, name: opPrefix(fn), token: fn };
    if (typeof fn !== "function") throw new UsageError(`submit/map: expected a function or an op name, got ${inspect(fn)}`);
    let c = this.#callables.get(fn);
    if (c === undefined) {
      const desc: FunctionDescriptor = describeFunction(fn);
      const name = opPrefix(fn.name || "lambda");
      c = { op: "call", fn: desc, name, token: tokenize(desc) };
      this.#callables.set(fn, c);
    }
    return c;
  }

  /** Futures in arguments become references (and dependencies). */
  #toArg(x: unknown, deps: Key[]): Arg {
    if (x instanceof Future) {
      if (!deps.includes(x.key)) deps.push(x.key);
      return { $ref: x.key };
    }
    if (x === null || typeof x !== "object" || ArrayBuffer.isView(x)) return x as Arg;
    if (Array.isArray(x)) {
      let out: Arg[] | undefined;
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        const a = this.#toArg(v, deps);
        if (a !== v && out === undefined) out = x.slice(0, i) as Arg[];
        if (out !== undefined) out.push(a);
      }
      return (out ?? x) as Arg;
    }
    if (Object.getPrototypeOf(x) === Object.prototype) {
      const out: Record<string, Arg> = {};
      for (const k of Object.keys(x)) out[k] = this.#toArg((x as Record<string, unknown>)[k], deps);
      return out;
    }
    return x as Arg;
  }

  #keyState(key: Key): KeyState {
    this.#pendingReleases.delete(key);
    let st = this.#keys.get(key);
    if (st === undefined || st.status === "cancelled" || (st.status === "error" && st.refs === 0)) {
      st = new KeyState(key);
      this.#keys.set(key, st);
    }
    return st;
  }

  #queueTask(task: WireTask, priority: number, fn: FunctionDescriptor | undefined): void {
    let batch = this.#pendingTasks.get(priority);
    if (!batch) this.#pendingTasks.set(priority, (batch = { tasks: [], wanted: [], functions: [], fnIndex: new Map() }));
    if (fn !== undefined) {
      let i = batch.fnIndex.get(fn);
      if (i === undefined) {
        i = batch.functions.length;
        batch.functions.push(fn);
        batch.fnIndex.set(fn, i);
      }
      task.fn = i;
    }
    batch.tasks.push(task);
    batch.wanted.push(task.key);
    this.#queueFlush();
  }

  #queueFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#flushQueued = false;
    // Releases first: a key released and then submitted again in the same tick is not in this list.
    if (this.#pendingReleases.size > 0) {
      this.#send({ op: "client-releases-keys", keys: [...this.#pendingReleases] });
      this.#pendingReleases.clear();
    }
    for (const [priority, b] of this.#pendingTasks) {
      const msg: Message = { op: "update-graph", tasks: b.tasks, wanted: b.wanted };
      if (b.functions.length > 0) msg.functions = b.functions;
      if (priority !== 0) msg.priority = priority;
      this.#send(msg);
    }
    this.#pendingTasks.clear();
  }

  #checkOpen(): void {
    if (this.#status === "closed" || this.#status === "closing") {
      throw new ClientClosedError(`cannot submit: the client is closed${this.#lostReason ? ` (${this.#lostReason})` : ""}`);
    }
  }

  /**
   * Run `fn(...args)` on a worker. `fn` is a self-contained function (shipped as source), a module
   * function tagged with `remote()`, or the name of a registered op. Futures among the arguments are
   * replaced by their values on the worker. Every argument is passed to `fn`: options go through
   * `submitWith`.
   */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: TaskArgs<A>): Future<Awaited<R>>;
  submit<R = unknown>(op: string, ...args: unknown[]): Future<R>;
  submit(fn: AnyFunction | string, ...args: unknown[]): Future<unknown> {
    return this.#submit({}, fn, args);
  }

  /** submit with options: `client.submitWith({ key: "x", retries: 2 }, fn, ...args)`. */
  submitWith<A extends unknown[], R>(opts: SubmitOptions, fn: (...args: A) => R, ...args: TaskArgs<A>): Future<Awaited<R>>;
  submitWith<R = unknown>(opts: SubmitOptions, op: string, ...args: unknown[]): Future<R>;
  submitWith(opts: SubmitOptions, fn: AnyFunction | string, ...args: unknown[]): Future<unknown> {
    return this.#submit(checkSubmitOptions("submitWith", opts), fn, args);
  }

  #submit(opts: SubmitOptions, fn: AnyFunction | string, args: unknown[]): Future<unknown> {
    this.#checkOpen();
    const c = this.#callable(fn);
    const deps: Key[] = [];
    const wireArgs = args.map((a) => this.#toArg(a, deps));
    const key = opts.key ?? (opts.pure === false ? `${c.name}-${this.#uniqueToken()}` : `${c.name}-${tokenize(c.token, wireArgs)}`);
    const st = this.#keyState(key);
    const task: WireTask = { key, op: c.op, args: wireArgs };
    if (deps.length > 0) task.deps = deps;
    if (opts.retries) task.retries = opts.retries;
    restrict(task, opts);
    this.#queueTask(task, opts.priority ?? 0, c.fn);
    return new Future(this, st);
  }

  /**
   * `fn` over the elements of one or more iterables (zipped, stopping at the shortest): one task per
   * element, all in one message. Options go through `mapWith`.
   */
  map<A extends unknown[], R>(fn: (...args: A) => R, ...iterables: MapArgs<A>): Future<Awaited<R>>[];
  map<R = unknown>(op: string, ...iterables: Iterable<unknown>[]): Future<R>[];
  map(fn: AnyFunction | string, ...iterables: Iterable<unknown>[]): Future<unknown>[] {
    return this.#map({}, fn, iterables);
  }

  /** map with options (`key` is a key prefix): `client.mapWith({ retries: 1 }, fn, xs)`. */
  mapWith<A extends unknown[], R>(opts: SubmitOptions, fn: (...args: A) => R, ...iterables: MapArgs<A>): Future<Awaited<R>>[];
  mapWith<R = unknown>(opts: SubmitOptions, op: string, ...iterables: Iterable<unknown>[]): Future<R>[];
  mapWith(opts: SubmitOptions, fn: AnyFunction | string, ...iterables: Iterable<unknown>[]): Future<unknown>[] {
    return this.#map(checkSubmitOptions("mapWith", opts), fn, iterables);
  }

  #map(opts: SubmitOptions, fn: AnyFunction | string, iterables: unknown[]): Future<unknown>[] {
    this.#checkOpen();
    if (iterables.length === 0) throw new UsageError("map: give at least one array of arguments");
    const lists = iterables.map((it, i) => {
      if (it === null || typeof it !== "object" || !(Symbol.iterator in it)) {
        throw new UsageError(`map: argument ${i + 1} is not iterable (${inspect(it)}); pass arrays of arguments`);
      }
      return Array.isArray(it) ? it : [...(it as Iterable<unknown>)];
    });
    const n = Math.min(...lists.map((l) => l.length));
    const c = this.#callable(fn);
    const prefix = opts.key ?? c.name;
    const hasFutures = lists.some((l) => l.some((v) => v instanceof Future || (typeof v === "object" && v !== null && !ArrayBuffer.isView(v))));
    const token = opts.pure === false ? this.#uniqueToken() : hasFutures ? "" : tokenize(c.token, lists);
    const futures: Future<unknown>[] = new Array(n);
    const priority = opts.priority ?? 0;
    for (let i = 0; i < n; i++) {
      const deps: Key[] = [];
      const wireArgs: Arg[] = new Array(lists.length);
      for (let j = 0; j < lists.length; j++) wireArgs[j] = this.#toArg(lists[j]![i], deps);
      const key = token === "" ? `${prefix}-${tokenize(c.token, wireArgs)}` : `${prefix}-${token}:${i}`; // ":i": keyPrefix() gives the function name
      const task: WireTask = { key, op: c.op, args: wireArgs };
      if (deps.length > 0) task.deps = deps;
      if (opts.retries) task.retries = opts.retries;
      restrict(task, opts);
      this.#queueTask(task, priority, c.fn);
      futures[i] = new Future(this, this.#keyState(key));
    }
    return futures;
  }

  #uniqueToken(): string {
    // A hash-like token, so that keyPrefix() (progress, dashboard, task stream) groups by function name.
    return tokenize(this.#clientId || String(process.pid), this.#keyCounter++);
  }

  // ------------------------------------------------------------------ results

  /** Resolves when none of `states` is pending. */
  #waitAll(states: readonly KeyState[], onEach?: () => void): Promise<void> {
    let pending = 0;
    for (const st of states) {
      if (st.status === "pending") pending++;
      else onEach?.(); // already done: counts for progress at once
    }
    if (pending === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        onEach?.();
        if (--pending === 0) resolve();
      };
      for (const st of states) if (st.status === "pending") (st.waiters ??= []).push(done);
    });
  }

  /** Values of `states`, fetched from the workers holding them (one request per worker). */
  async #gatherStates(states: readonly KeyState[], onEach?: () => void): Promise<unknown[]> {
    await this.#ready;
    const values = new Map<Key, unknown>();
    for (let attempt = 0; ; attempt++) {
      await this.#waitAll(states, attempt === 0 ? onEach : undefined);
      for (const st of states) {
        if (st.status === "error") throw st.error instanceof Error ? st.error : errorFor(st.key, st.error as WireError);
        if (st.status === "cancelled") throw new CancelledError(st.key);
      }
      const byWorker = new Map<string, Key[]>();
      const asked = new Set<Key>();
      for (const st of states) {
        if (values.has(st.key) || asked.has(st.key)) continue;
        const w = st.workers[attempt % Math.max(1, st.workers.length)];
        if (w === undefined) continue;
        asked.add(st.key);
        let list = byWorker.get(w);
        if (!list) byWorker.set(w, (list = []));
        list.push(st.key);
      }
      const failed: Key[] = [];
      await Promise.all(
        [...byWorker].map(async ([worker, keys]) => {
          try {
            const reply = await this.#workers!.request<DataMsg & Record<string, unknown>>(worker, { op: "get-data", keys });
            for (const k of keys) {
              if (Object.prototype.hasOwnProperty.call(reply.data, k)) values.set(k, reply.data[k]);
              else failed.push(k);
            }
          } catch {
            this.#workers!.forget(worker);
            failed.push(...keys);
          }
        }),
      );
      if (states.every((st) => values.has(st.key))) return states.map((st) => values.get(st.key));
      if (this.#status === "closed") throw new SchedulerGoneError(`${this.#lostReason}; cannot fetch results`);
      if (attempt >= 20) throw new TesseraError("TESSERA_ERR_RESULT_LOST", `could not fetch ${failed.slice(0, 5).join(", ")} from the workers holding them after ${attempt + 1} attempts`);
      // Ask the scheduler where the missing values are now; wait for recomputation if nowhere.
      const where = await this.#request<Record<Key, string[]>>({ op: "who-has", keys: failed });
      for (const k of failed) {
        const st = this.#keys.get(k);
        if (st === undefined) continue;
        const ws = where[k] ?? [];
        if (ws.length > 0) st.workers = ws;
        else if (st.status === "finished") {
          st.status = "pending";
          st.workers = [];
        }
      }
      await new Promise((r) => setTimeout(r, Math.min(200, 5 * (attempt + 1))));
    }
  }

  resultOf(state: KeyState): Promise<unknown> {
    return this.#gatherStates([state]).then((v) => v[0]);
  }

  /** The values of futures (a Future, an array of them, or an array mixing futures and plain values). */
  gather<T>(future: Future<T>): Promise<T>;
  gather<T>(futures: readonly Future<T>[]): Promise<T[]>;
  gather(futures: readonly unknown[]): Promise<unknown[]>;
  async gather(x: unknown): Promise<unknown> {
    if (x instanceof Future) return this.resultOf(x.state);
    if (!Array.isArray(x)) throw new UsageError(`gather: expected a Future or an array of futures, got ${inspect(x)}`);
    const states: KeyState[] = [];
    for (const v of x) if (v instanceof Future) states.push(v.state);
    // A notebook shows a live progress bar here when it set one (setDefaultProgress).
    const progress = states.length > 1 ? defaultProgress(undefined, states.map((s) => s.key)) : undefined;
    let done = 0;
    const values = await this.#gatherStates(states, progress ? () => progress(++done, states.length) : undefined);
    const byKey = new Map<Key, unknown>();
    states.forEach((st, i) => byKey.set(st.key, values[i]));
    return x.map((v) => (v instanceof Future ? byKey.get(v.key) : v));
  }

  /**
   * Resolves when all futures (or, with returnWhen: "FIRST_COMPLETED", the first) are done: finished,
   * failed or cancelled. Never rejects for task errors. Returns which are done and which not.
   */
  async wait<T>(futures: readonly Future<T>[], opts: WaitOptions = {}): Promise<{ done: Future<T>[]; notDone: Future<T>[] }> {
    const when = opts.returnWhen ?? "ALL_COMPLETED";
    if (when !== "ALL_COMPLETED" && when !== "FIRST_COMPLETED") throw new UsageError(`wait: returnWhen '${String(when)}' is not ALL_COMPLETED or FIRST_COMPLETED`);
    const waiting = when === "ALL_COMPLETED" ? this.#waitAll(futures.map((f) => f.state)) : futures.length === 0 ? Promise.resolve() : firstCompleted(futures);
    if (opts.timeoutMs !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(`wait: not done after ${opts.timeoutMs} ms`)), opts.timeoutMs);
      });
      try {
        await Promise.race([waiting, timeout]);
      } finally {
        clearTimeout(timer);
      }
    } else await waiting;
    return { done: futures.filter((f) => f.done), notDone: futures.filter((f) => !f.done) };
  }

  /** Futures in the order they complete: `for await (const f of client.asCompleted(fs))`; `.add(f)` adds more. */
  asCompleted<T>(futures: Iterable<Future<T>> = []): AsCompleted<T> {
    return new AsCompleted(futures);
  }

  /** Show progress of futures until they are all done (terminal bar by default); never rejects for task errors. */
  async progress(futures: readonly Future[], reporter: ProgressReporter = terminalProgress()): Promise<void> {
    const total = futures.length;
    let done = 0;
    reporter.start(total);
    await this.#waitAll(
      futures.map((f) => f.state),
      () => reporter.update(++done, total),
    );
    reporter.end(futures.every((f) => f.status === "finished"));
  }

  /**
   * Put data on the workers: one Future per value of an array (or one for a single value), resolved
   * once the data is stored. Tasks given these futures then ship no bytes from the client again.
   */
  scatter<T>(values: readonly T[], opts?: { workers?: string | readonly string[] }): Promise<Future<T>[]>;
  scatter<T>(value: T, opts?: { workers?: string | readonly string[] }): Promise<Future<T>>;
  async scatter(x: unknown, opts: { workers?: string | readonly string[] } = {}): Promise<Future | Future[]> {
    this.#checkOpen();
    const many = Array.isArray(x);
    const values: unknown[] = many ? x : [x];
    const futures = values.map((v) => {
      const name = ArrayBuffer.isView(v) ? v.constructor.name : v === null ? "null" : Array.isArray(v) ? "list" : typeof v === "object" ? "object" : typeof v;
      const key = `${opPrefix(name)}-${tokenize(v as Arg)}`;
      const st = this.#keyState(key);
      const task: WireTask = { key, data: v as Arg };
      if (opts.workers !== undefined) restrict(task, { workers: opts.workers });
      this.#queueTask(task, 0, undefined);
      return new Future(this, st);
    });
    await this.#ready;
    await this.#waitAll(futures.map((f) => f.state));
    return many ? futures : futures[0]!;
  }

  /** The workers holding each future's value (all the client's futures when none are given). */
  async whoHas(futures?: readonly Future[]): Promise<Record<Key, string[]>> {
    await this.#ready;
    const keys = futures ? futures.map((f) => f.key) : [...this.#keys.keys()];
    return this.#request<Record<Key, string[]>>({ op: "who-has", keys });
  }

  /**
   * Run `fn(...args)` once on every worker (as a task pinned to it); resolves with the results by
   * worker address. Like Dask's client.run, for set-up and inspection (e.g. `() => process.pid`).
   */
  async run<A extends unknown[], R>(fn: (...args: A) => R, ...args: TaskArgs<A>): Promise<Record<string, Awaited<R>>> {
    const info = await this.schedulerInfo();
    const addresses = info.workers.map((w) => w.address);
    const futures = addresses.map((address) => this.#submit({ workers: [address], pure: false }, fn, args));
    const values = await this.gather(futures);
    const out: Record<string, Awaited<R>> = {};
    addresses.forEach((a, i) => (out[a] = values[i] as Awaited<R>));
    return out;
  }

  releaseRef(state: KeyState): void {
    state.refs--;
    if (state.refs > 0) return;
    // An older state (e.g. cancelled, then the key submitted again) must not release the newer one.
    if (this.#keys.get(state.key) !== state) return;
    this.#keys.delete(state.key);
    if (this.#status === "closed") return;
    this.#pendingReleases.add(state.key);
    this.#queueFlush();
  }

  /** Keys this client is still waiting for (a notebook's interrupt cancels them). */
  pendingKeys(): Key[] {
    return [...this.#keys.values()].filter((s) => s.status === "pending").map((s) => s.key);
  }

  /** Stop computing these futures (and forget their results); awaiting them rejects with CancelledError. */
  async cancel(futures: Future | readonly Future[]): Promise<void> {
    const list = futures instanceof Future ? [futures] : futures;
    await this.cancelKeys(list.map((f) => f.key));
  }

  async cancelKeys(keys: readonly Key[]): Promise<void> {
    for (const k of keys) this.#markCancelled(k, "it was cancelled");
    this.#flush();
    this.#send({ op: "cancel-keys", keys: [...keys] });
  }

  #markCancelled(key: Key, why: string): void {
    const st = this.#keys.get(key);
    if (st === undefined) return;
    st.status = "cancelled";
    st.error = new CancelledError(key, why);
    st.settle();
  }

  // ------------------------------------------------------------------ graphs (the default executor)

  #submitGraph(graph: Graph, keys: readonly Key[]): Future[] {
    this.#checkOpen();
    const order = topologicalOrder(graph, keys);
    const tasks: WireTask[] = new Array(order.length);
    for (let i = 0; i < order.length; i++) {
      const key = order[i]!;
      const node = graph[key]!;
      if (isTask(node)) {
        const t: WireTask = { key, op: node.op, args: node.args as Arg[] };
        const deps = dependencies(node.args);
        if (deps.size > 0) t.deps = [...deps];
        tasks[i] = t;
      } else tasks[i] = { key, data: node.data };
    }
    const unique = [...new Set(keys)];
    const futures = unique.map((k) => new Future(this, this.#keyState(k)));
    this.#send({ op: "update-graph", tasks, wanted: unique });
    return futures;
  }

  /**
   * Every task of `graph` submitted for `futures` counts: the scheduler is asked how many are done a
   * few times a second (the client hears only of the output keys itself).
   */
  #watchGraph(graph: Graph, futures: readonly Future[], progress: (done: number, total: number) => void): () => void {
    const all = Object.keys(graph);
    const total = all.length;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const poll = async (): Promise<void> => {
      if (stopped) return;
      try {
        const r = await this.#request<{ done: number }>({ op: "count-done", keys: all });
        if (!stopped) progress(Math.min(total, r.done), total);
      } catch {
        return; // the client closed: the computation reports the error
      }
      if (!stopped) timer = setTimeout(() => void poll(), 200);
    };
    progress(0, total);
    void this.#ready.then(() => poll(), () => undefined);
    return () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      if (futures.every((f) => f.status === "finished")) progress(total, total);
    };
  }

  /** Compute `keys` of `graph` on the cluster; resolves with their values in order. */
  async computeGraph(graph: Graph, keys: readonly Key[], opts: { progress?: (done: number, total: number) => void } = {}): Promise<unknown[]> {
    const futures = this.#submitGraph(graph, keys);
    // A notebook shows a live progress display when it set one (setDefaultProgress).
    const progress = opts.progress ?? defaultProgress(graph, futures.map((f) => f.key));
    const stop = progress ? this.#watchGraph(graph, futures, progress) : undefined;
    try {
      const values = await this.#gatherStates(futures.map((f) => f.state));
      stop?.();
      const byKey = new Map<Key, unknown>();
      futures.forEach((f, i) => byKey.set(f.key, values[i]));
      return keys.map((k) => byKey.get(k));
    } finally {
      stop?.();
      for (const f of futures) f.release();
    }
  }

  /** Compute `keys` and keep them on the workers (held by this client until it closes); returns their lineage graph. */
  async persistGraph(graph: Graph, keys: readonly Key[]): Promise<Graph> {
    const futures = this.#submitGraph(graph, keys);
    for (const f of futures) {
      const old = this.#persisted.get(f.key);
      this.#persisted.set(f.key, f);
      old?.release();
    }
    await this.#waitAll(futures.map((f) => f.state));
    const lineage: Graph = {};
    for (const k of topologicalOrder(graph, keys)) lineage[k] = graph[k]!;
    return lineage;
  }

  /**
   * Start computing collections (Tessera arrays) on the cluster: one CollectionFuture per collection,
   * whose value is what `x.compute()` gives. Or, given a graph and keys, resolve with their values.
   */
  compute<C extends Collection>(x: C, opts?: ComputeCollectionOptions): CollectionFuture<ReturnType<C["finalize"]>>;
  compute<const Cs extends readonly Collection[]>(xs: Cs, opts?: ComputeCollectionOptions): { -readonly [I in keyof Cs]: CollectionFuture<ReturnType<Cs[I]["finalize"]>> };
  compute(graph: Graph, keys: Key | readonly Key[]): Promise<unknown[]>;
  compute(x: unknown, arg?: unknown): unknown {
    if (isCollection(x)) return this.#computeCollection(x, (arg ?? {}) as ComputeCollectionOptions);
    if (Array.isArray(x) && x.length > 0 && x.every(isCollection)) return x.map((c) => this.#computeCollection(c, (arg ?? {}) as ComputeCollectionOptions));
    if (typeof x !== "object" || x === null || Array.isArray(x) || (typeof arg !== "string" && !Array.isArray(arg))) {
      throw new UsageError(`compute: expected an array (or a list of arrays), or a graph and its keys; got ${inspect(x, { depth: 0 })}`);
    }
    const keys = arg as Key | readonly Key[];
    return this.computeGraph(x as Graph, typeof keys === "string" ? [keys] : keys);
  }

  #computeCollection<T>(x: Collection<T>, opts: ComputeCollectionOptions): CollectionFuture<T> {
    const graph = x.buildGraph(opts.optimize !== false);
    const keys = x.keys();
    const futures = this.#submitGraph(graph, keys);
    const byKey = new Map(futures.map((f) => [f.key, f]));
    const ordered = keys.map((k) => byKey.get(k)!);
    if (opts.progress) {
      const reporter = opts.progress;
      reporter.start(Object.keys(graph).length);
      const stop = this.#watchGraph(graph, futures, (d, t) => reporter.update(d, t));
      void this.#waitAll(futures.map((f) => f.state)).then(() => {
        stop();
        reporter.end(futures.every((f) => f.status === "finished"));
      });
    }
    return new CollectionFuture(ordered, (values) => x.finalize(values), (fs) => this.gather(fs));
  }

  /**
   * Start computing collections and keep their blocks on the workers: resolves with the same kind of
   * collection, backed by the results (like Dask's client.persist). Given a graph and keys, returns
   * futures for them.
   */
  persist<C extends { persist(opts: { executor: GraphExecutor }): Promise<C> }>(x: C): Promise<C>;
  persist(graph: Graph, keys: Key | readonly Key[]): Future[];
  persist(x: unknown, keys?: Key | readonly Key[]): unknown {
    if (typeof x === "object" && x !== null && typeof (x as { persist?: unknown }).persist === "function" && keys === undefined) {
      return (x as { persist(o: { executor: GraphExecutor }): Promise<unknown> }).persist({ executor: this });
    }
    if (keys === undefined) throw new UsageError("persist: expected an array, or a graph and its keys");
    return this.#submitGraph(x as Graph, typeof keys === "string" ? [keys] : keys);
  }

  // ------------------------------------------------------------------ cluster

  /** Resolves once at least `n` workers are connected (rejects after `timeoutMs`). */
  async waitForWorkers(n: number, opts: { timeoutMs?: number } = {}): Promise<void> {
    await this.#ready;
    const deadline = opts.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : Infinity;
    while (this.#summary.workers < n) {
      if (this.#status === "closed") throw new ClientClosedError(`the client closed while waiting for ${n} workers`);
      const left = deadline - Date.now();
      if (left <= 0) throw new TimeoutError(`timed out waiting for ${n} workers (have ${this.#summary.workers})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 60_000));
        this.#summaryWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async schedulerInfo(opts: { gc?: boolean; targetDurationS?: number } = {}): Promise<SchedulerInfo> {
    await this.#ready;
    return this.#request<SchedulerInfo>({
      op: "scheduler-info",
      ...(opts.gc ? { gc: true } : {}),
      ...(opts.targetDurationS !== undefined ? { targetDurationS: opts.targetDurationS } : {}),
    });
  }

  /** Retire workers gracefully (their results move to other workers first). */
  async retireWorkers(opts: { names?: string[]; addresses?: string[]; closeWorkers?: boolean }): Promise<string[]> {
    await this.#ready;
    return this.#request<string[]>({ op: "retire-workers", ...opts });
  }

  /**
   * The tasks that finished (or failed) on the cluster while `fn` ran, with their worker and run
   * times (Dask's get_task_stream): `const { result, tasks } = await client.getTaskStream(async () => …)`.
   */
  async getTaskStream<T>(fn: () => T | Promise<T>): Promise<{ result: T; tasks: TaskStreamEntry[]; start: number; stop: number }> {
    await this.#ready;
    const position = await this.#request<number>({ op: "task-stream", action: "start" });
    const start = Date.now();
    let result: T;
    try {
      result = await fn();
    } finally {
      // Results reach the client a moment after the scheduler records them; nothing to wait for.
    }
    const stop = Date.now();
    const tasks = await this.#request<TaskStreamEntry[]>({ op: "task-stream", action: "stop", position });
    return { result, tasks, start, stop };
  }

  /**
   * Run `fn` and write a self-contained HTML report of what ran on the cluster meanwhile (task
   * stream, time per task kind and per worker) to `file`, like Dask's performance_report. Resolves
   * with fn's result.
   */
  async performanceReport<T>(file: string, fn: () => T | Promise<T>): Promise<T> {
    const { result, tasks, start, stop } = await this.getTaskStream(fn);
    await writeFile(file, renderPerformanceReport(tasks, { start, stop }));
    return result;
  }

  /**
   * Restart every worker (Dask's client.restart): this client's futures are cancelled (awaiting them
   * rejects with CancelledError) and the workers' memory is cleared. Needs the cluster object
   * (e.g. a LocalCluster given to connect, or the one a Client starts itself).
   */
  async restart(opts: { timeoutMs?: number } = {}): Promise<void> {
    await this.#ready;
    const cluster = this.#cluster;
    if (cluster?.restart === undefined) {
      throw new UsageError(
        "restart: this client was connected by address, so it cannot restart the worker processes; connect with the cluster object (Client.connect(cluster)) or restart the workers' processes (their nannies restart them)",
      );
    }
    for (const f of this.#persisted.values()) f.release();
    this.#persisted.clear();
    await this.cancelKeys([...this.#keys.keys()]);
    await cluster.restart(opts);
  }

  /**
   * Move results between workers so that the bytes they hold are balanced (Dask's client.rebalance):
   * only the given futures' results when given, only between `workers` (addresses or names) when
   * given. With memory limits, Dask's thresholds apply: workers below 30 % of their limit send
   * nothing, above 60 % receive nothing, and within 5 % of the mean take no part. Resolves with the
   * keys moved ({key: [from, to]}) once they have moved; the futures then fetch from the new holders.
   */
  async rebalance(futures?: readonly Future[], opts: { workers?: readonly string[] } = {}): Promise<RebalanceResult> {
    await this.#ready;
    const keys = futures?.map((f) => f.key);
    const result = await this.#request<RebalanceResult>({ op: "rebalance", ...(keys ? { keys } : {}), ...(opts.workers ? { workers: [...opts.workers] } : {}) });
    for (const [key, [, to]] of Object.entries(result.moved)) {
      const st = this.#keys.get(key);
      if (st !== undefined && st.status === "finished") st.workers = [to];
    }
    return result;
  }

  /**
   * Send a file to every worker, now and joining later (Dask's client.upload_file), for code that is
   * not on a shared filesystem. Workers write it to their upload directory; a directory arrives as a
   * directory (its files, recursively, hidden ones left out), so its modules import each other by
   * relative paths, and resolves with where it is on each worker. A JavaScript module
   * (.js/.mjs/.cjs) is then imported by every task thread (`load: false` skips that), so ops it
   * registers (registerOp) are there for tasks; and functions tagged with `remote(import.meta.url, …)`
   * in that very file load the uploaded copy. Resolves with the path written on each worker.
   */
  async uploadFile(path: string, opts: { load?: boolean } = {}): Promise<Record<string, string>> {
    await this.#ready;
    const abs = resolvePath(path);
    let isDir: boolean;
    try {
      isDir = (await stat(abs)).isDirectory();
    } catch (err) {
      throw new UsageError(`uploadFile: cannot read '${path}': ${(err as Error).message}`);
    }
    const load = opts.load !== false;
    if (!isDir) return this.#uploadOne(abs, basename(abs), load);
    // A directory (its files, recursively, hidden ones left out) arrives as a directory: all files
    // first, then its modules are loaded, so that they can import each other.
    const files = await filesUnder(abs);
    if (files.length === 0) throw new UsageError(`uploadFile: directory '${path}' holds no files to send`);
    const top = basename(abs);
    let where: Record<string, string> = {};
    for (const rel of files) {
      const written = await this.#uploadOne(join(abs, rel), `${top}/${rel}`, false);
      where = Object.fromEntries(Object.entries(written).map(([w, p]) => [w, p.slice(0, p.length - rel.length - 1)]));
    }
    if (load) for (const rel of files) if (MODULE_FILE.test(rel)) await this.#uploadOne(join(abs, rel), `${top}/${rel}`, true);
    return where;
  }

  async #uploadOne(file: string, name: string, load: boolean): Promise<Record<string, string>> {
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch (err) {
      throw new UsageError(`uploadFile: cannot read '${file}': ${(err as Error).message}`);
    }
    if (!UPLOAD_NAME.test(name)) {
      throw new UsageError(`uploadFile: '${name}' is not a plain file name (letters, digits, '_', '.', '-' in each part); rename it`);
    }
    return this.#request<Record<string, string>>({
      op: "upload-file",
      name,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      load,
      sourceUrl: pathToFileURL(file).href,
    });
  }

  /** Workers, threads and memory as last reported by the scheduler. */
  get clusterSummary(): ClusterSummary {
    return { ...this.#summary };
  }

  async close(): Promise<void> {
    if (this.#status === "closed") {
      if (this.#ownsCluster) await this.#cluster?.close();
      return;
    }
    this.#status = "closing";
    try {
      await this.#ready;
    } catch {
      /* never connected */
    }
    this.#flush();
    for (const f of this.#persisted.values()) f.release();
    this.#persisted.clear();
    if (this.#comm) {
      const comm = this.#comm;
      await new Promise<void>((resolve) => {
        comm.onClose(() => resolve());
        comm.close("client closing");
        setTimeout(resolve, 1000).unref();
      });
    }
    this.#onLost("client closed");
    if (this.#ownsCluster) await this.#cluster?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  toString(): string {
    return this[inspect.custom]();
  }

  [inspect.custom](): string {
    const s = this.#summary;
    const lines = [`Client (${this.#status})`, `  Scheduler: ${this.#address || "(connecting)"}`];
    if (this.#dashboardLink) lines.push(`  Dashboard: ${this.#dashboardLink}`);
    lines.push(`  Workers: ${s.workers} · Cores: ${s.threads} · Memory: ${formatBytesDecimal(s.memoryLimit)}`);
    return lines.join("\n");
  }
}

function getDefaultExecutorIs(c: Client): boolean {
  return hasDefaultClient() && getDefaultExecutor() === c;
}

/** An uploaded file's name: plain parts (no '..', nothing hidden) joined by '/'. */
const UPLOAD_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}(\/[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}){0,15}$/;
const MODULE_FILE = /\.(m?js|cjs)$/;

/** Files under `dir`, relative, '/'-separated, sorted; hidden entries and node_modules left out. */
async function filesUnder(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of (await readdir(join(dir, prefix), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name.startsWith(".") || e.name === "node_modules") continue;
    const rel = prefix === "" ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory()) out.push(...(await filesUnder(dir, rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

/** A key prefix from a function or op name: letters, digits, '_' and '.' only. */
function opPrefix(name: string): string {
  const p = name.replace(/[^A-Za-z0-9_.]/g, "_");
  return /^[A-Za-z_]/.test(p) ? p : `f_${p}`;
}
