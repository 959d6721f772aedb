/**
 * The worker's IO-free state machine: which tasks wait for inputs, which are ready, which run, which
 * inputs to fetch from which peer. Events in (compute-tasks, free-keys, steal-request, task done,
 * fetch done/failed), instructions out (execute, fetch, drop, report missing data). The shell
 * (./server.ts) owns the thread pool, the data store and the sockets.
 *
 * Task states here: fetching (inputs not all local) → ready → executing → memory | erred; a task
 * freed while executing is "cancelled" and its result is dropped when it comes back.
 */
import type { Arg, Key } from "../graph/spec.js";
import type { ComputeTask, ComputeTasksMsg } from "../protocol/messages.js";
import { ResourcePool } from "./resources.js";
import { isRangeKey, parseRangeKey, rangeInputs } from "../graph/range-ref.js";

export type WorkerTaskState = "fetching" | "ready" | "executing" | "cancelled" | "memory" | "erred";

export interface WorkerTask {
  readonly key: Key;
  state: WorkerTaskState;
  readonly op: string | undefined;
  readonly args: Arg[] | undefined;
  /** Function descriptor for op "call" (prepended to args when run). */
  readonly fn: unknown;
  readonly data: Arg | undefined;
  readonly hasData: boolean;
  readonly deps: Key[] | null;
  priority: number;
  /** Inputs not yet local. */
  missing: number;
  /** Abstract resources it holds while it runs (e.g. {GPU: 1}); null when none. */
  readonly resources: Readonly<Record<string, number>> | null;
}

export type WorkerInstruction =
  | { type: "execute"; task: WorkerTask }
  | { type: "store-data"; task: WorkerTask }
  /** One get-data request; answer with fetchDone / fetchFailed (once per instruction). */
  | { type: "fetch"; peer: string; keys: Key[]; nbytes: number }
  | { type: "drop"; keys: Key[] }
  | { type: "missing-data"; keys: Key[]; from: string }
  | { type: "add-keys"; keys: Key[] };

/** One input being fetched: who may have it, who was tried, who waits for it. */
interface Fetch {
  peers: string[];
  tried: Set<string>;
  inFlightFrom: string | null;
  dependents: Set<WorkerTask>;
  /** Acquired for graceful retirement of a peer (kept, reported with add-keys). */
  replica: boolean;
  /** Expected size (the scheduler's figure; a guess when it sent none). */
  nbytes: number;
}

/** Limits on fetching inputs from peers (Dask's distributed.worker.transfer.* settings). */
export interface TransferLimits {
  /** Bytes of inputs being fetched at once, all peers together (one request always may go). Default 512 MiB. */
  bytes: number;
  /** get-data requests in flight at once, all peers together. Default 8. */
  requests: number;
  /** Keys asked of a peer in one request. Default 8. */
  keysPerRequest: number;
  /** A request stops taking more keys once it holds this many bytes. Default 64 MiB. */
  bytesPerRequest: number;
}

export const DEFAULT_TRANSFER_LIMITS: TransferLimits = { bytes: 512 * 1024 ** 2, requests: 8, keysPerRequest: 8, bytesPerRequest: 64 * 1024 ** 2 };

/** Assumed size of an input whose size the scheduler did not say, until fetches show the typical size. */
const UNKNOWN_NBYTES = 1024 ** 2;

/** Seconds of expected work handed to the thread pool at once, per thread (hides the hand-off). */
const POOL_PIPELINE_SECONDS = 0.005;
const MAX_POOL_TASKS_PER_THREAD = 128;

export class WorkerStateMachine {
  readonly nthreads: number;
  readonly tasks = new Map<Key, WorkerTask>();
  /** Keys whose values are in the store: computed here, fetched as inputs, or acquired replicas. */
  readonly inMemory = new Set<Key>();
  /** Inputs fetched for local tasks: key → number of local tasks still needing it. */
  readonly inputRefs = new Map<Key, number>();
  readonly fetches = new Map<Key, Fetch>();
  /** Ready tasks, lowest priority first (kept sorted lazily). */
  #ready: WorkerTask[] = [];
  #readySorted = true;
  executing = 0;
  /** At most this many tasks execute at once (memory throttling: 1); undefined = no extra cap. */
  maxExecuting: number | undefined;
  /** Exponential average of task run time (seconds). */
  avgDuration = 0.05;
  #out: WorkerInstruction[] = [];
  #paused = false;
  readonly transferLimits: TransferLimits;
  /** Inputs waiting to be fetched, in the order they were asked for (entries may be stale). */
  #fetchQueue: Key[] = [];
  #fetchHead = 0;
  /** Bytes and get-data requests in flight now. */
  fetchingBytes = 0;
  fetchingRequests = 0;
  /** Highest `fetchingBytes` seen (for tests and benchmarks). */
  peakFetchingBytes = 0;
  /** Size assumed for inputs of unknown size (replicas): the mean size of inputs fetched so far. */
  #unknownNbytes = UNKNOWN_NBYTES;

  /** What this worker declared (`--resources GPU=2`) and what running tasks do not hold now. */
  readonly resources: ResourcePool;

  constructor(opts: { nthreads: number; transferLimits?: Partial<TransferLimits>; resources?: Readonly<Record<string, number>> }) {
    this.nthreads = opts.nthreads;
    this.transferLimits = { ...DEFAULT_TRANSFER_LIMITS, ...opts.transferLimits };
    this.resources = new ResourcePool(opts.resources ?? {});
  }

  /** Paused (memory pressure): nothing starts and nothing more is fetched until resumed. */
  get paused(): boolean {
    return this.#paused;
  }

  set paused(p: boolean) {
    if (p === this.#paused) return;
    this.#paused = p;
    if (!p) this.#planFetches();
  }

  get readyCount(): number {
    return this.#ready.length;
  }

  /** Take the instructions produced so far. */
  take(): WorkerInstruction[] {
    this.#schedule();
    const out = this.#out;
    this.#out = [];
    return out;
  }

  computeTasks(msg: ComputeTasksMsg): void {
    for (const ct of msg.tasks) this.#addTask(ct, msg.whoHas, msg.functions, msg.nbytes);
    this.#planFetches();
  }

  #addTask(ct: ComputeTask, whoHas: Record<Key, string[]>, functions: unknown[] | undefined, sizes: Record<Key, number> | undefined): void {
    const existing = this.tasks.get(ct.key);
    if (existing !== undefined) {
      if (existing.state === "cancelled") existing.state = "executing"; // wanted again: keep its run
      else if (existing.state === "memory") {
        this.#out.push({ type: "store-data", task: existing }); // already here: report again
      }
      return;
    }
    // Inputs read only through range references (../graph/range-ref.ts) and not here: fetch just the range.
    const ranged = ct.args !== undefined && ct.deps !== undefined && ct.deps.length > 0 ? rangeInputs(ct.args, ct.deps, (k) => !this.inMemory.has(k)) : null;
    const deps = ranged?.deps ?? ct.deps;
    const t: WorkerTask = {
      key: ct.key,
      state: "fetching",
      op: ct.op,
      args: ranged?.args ?? ct.args,
      fn: ct.fn !== undefined ? functions?.[ct.fn] : undefined,
      data: ct.data,
      hasData: ct.data !== undefined || ct.op === undefined,
      deps: deps && deps.length > 0 ? deps : null,
      priority: ct.priority,
      missing: 0,
      resources: ct.resources !== undefined && Object.keys(ct.resources).length > 0 ? ct.resources : null,
    };
    this.tasks.set(t.key, t);
    if (t.hasData) {
      t.state = "memory";
      this.inMemory.add(t.key);
      this.#out.push({ type: "store-data", task: t });
      return;
    }
    if (t.deps !== null) {
      for (const dk of t.deps) {
        this.inputRefs.set(dk, (this.inputRefs.get(dk) ?? 0) + 1);
        if (this.inMemory.has(dk)) continue;
        t.missing++;
        let f = this.fetches.get(dk);
        const range = ranged?.ranges.get(dk);
        const holders = whoHas[range?.key ?? dk] ?? [];
        if (f === undefined) {
          f = { peers: [...holders], tried: new Set(), inFlightFrom: null, dependents: new Set(), replica: false, nbytes: range?.nbytes ?? sizes?.[dk] ?? this.#unknownNbytes };
          this.#addFetch(dk, f);
        } else {
          for (const p of holders) if (!f.peers.includes(p)) f.peers.push(p);
        }
        f.dependents.add(t);
      }
    }
    if (t.missing === 0) this.#makeReady(t);
  }

  #makeReady(t: WorkerTask): void {
    t.state = "ready";
    this.#ready.push(t);
    this.#readySorted = false;
  }

  /** Hand ready tasks to the pool while it has room (by priority). */
  #schedule(): void {
    if (this.paused || this.#ready.length === 0) return;
    const limit =
      this.avgDuration > 0 && this.avgDuration < POOL_PIPELINE_SECONDS
        ? Math.min(MAX_POOL_TASKS_PER_THREAD, Math.ceil(POOL_PIPELINE_SECONDS / this.avgDuration)) * this.nthreads
        : this.nthreads;
    const cap = this.maxExecuting !== undefined ? Math.min(limit, this.maxExecuting) : limit;
    if (this.executing >= cap) return;
    if (!this.#readySorted) {
      // Sorted descending so pop() yields the lowest priority number (runs first).
      this.#ready.sort((a, b) => b.priority - a.priority);
      this.#readySorted = true;
    }
    // Tasks whose resources are all held by running tasks wait (Dask's "constrained" tasks); the
    // others pass them. They go back in priority order once resources are released.
    let constrained: WorkerTask[] | null = null;
    while (this.executing < cap && this.#ready.length > 0) {
      const t = this.#ready.pop()!;
      if (t.state !== "ready") continue;
      if (t.resources !== null && !this.resources.acquire(t.key, t.resources)) {
        (constrained ??= []).push(t);
        continue;
      }
      t.state = "executing";
      this.executing++;
      this.#out.push({ type: "execute", task: t });
    }
    if (constrained !== null) {
      for (let i = constrained.length - 1; i >= 0; i--) this.#ready.push(constrained[i]!);
      this.#readySorted = false;
    }
  }

  #addFetch(key: Key, f: Fetch): void {
    this.fetches.set(key, f);
    this.#fetchQueue.push(key);
  }

  /**
   * Start fetches, oldest first, while the limits allow: bytes and requests in flight (at least one
   * request may always go, however big), keys and bytes per request. Inputs from the same peer share
   * a request. None start while paused (Dask pauses fetching too).
   */
  #planFetches(): void {
    if (this.#paused) return;
    const lim = this.transferLimits;
    const open = new Map<string, { keys: Key[]; nbytes: number }>();
    const emit = (peer: string, r: { keys: Key[]; nbytes: number }): void => {
      open.delete(peer);
      this.fetchingRequests++;
      this.#out.push({ type: "fetch", peer, keys: r.keys, nbytes: r.nbytes });
    };
    const q = this.#fetchQueue;
    let bytes = this.fetchingBytes;
    for (; this.#fetchHead < q.length; this.#fetchHead++) {
      const key = q[this.#fetchHead]!;
      const f = this.fetches.get(key);
      if (f === undefined || f.inFlightFrom !== null) continue; // stale entry
      const peer = f.peers.find((p) => !f.tried.has(p));
      if (peer === undefined) {
        this.#giveUp(key, f);
        continue;
      }
      const r = open.get(peer);
      const requests = this.fetchingRequests + open.size;
      const anyInFlight = bytes > 0 || requests > 0;
      if (r === undefined && anyInFlight && (requests >= lim.requests || bytes + f.nbytes > lim.bytes)) break;
      if (r !== undefined && bytes + f.nbytes > lim.bytes) break;
      f.inFlightFrom = peer;
      bytes += f.nbytes;
      if (r === undefined) open.set(peer, { keys: [key], nbytes: f.nbytes });
      else {
        r.keys.push(key);
        r.nbytes += f.nbytes;
      }
      const cur = open.get(peer)!;
      if (cur.keys.length >= lim.keysPerRequest || cur.nbytes >= lim.bytesPerRequest) emit(peer, cur);
    }
    for (const [peer, r] of open) emit(peer, r);
    this.fetchingBytes = bytes;
    if (bytes > this.peakFetchingBytes) this.peakFetchingBytes = bytes;
    if (this.#fetchHead === q.length) {
      this.#fetchQueue = [];
      this.#fetchHead = 0;
    } else if (this.#fetchHead > 1024 && this.#fetchHead * 2 > q.length) {
      this.#fetchQueue = q.slice(this.#fetchHead);
      this.#fetchHead = 0;
    }
  }

  /** No peer had the input: drop the tasks that needed it and tell the scheduler. */
  #giveUp(key: Key, f: Fetch): void {
    this.fetches.delete(key);
    const from = f.peers[f.peers.length - 1] ?? "";
    for (const t of f.dependents) this.#forgetTask(t);
    // The scheduler knows the key a range was cut from, not the range key.
    this.#out.push({ type: "missing-data", keys: [parseRangeKey(key)?.key ?? key], from });
  }

  /**
   * The answer to one fetch instruction arrived (the shell stored the values found), or, with
   * everything missing, the request failed. Call exactly once per fetch instruction. `foundBytes`:
   * the size of the values found, when known (it sizes inputs the scheduler gave no size for).
   */
  fetchDone(peer: string, found: readonly Key[], missing: readonly Key[], foundBytes?: number): void {
    this.fetchingRequests = Math.max(0, this.fetchingRequests - 1);
    if (foundBytes !== undefined && found.length > 0) this.#unknownNbytes = 0.5 * this.#unknownNbytes + 0.5 * (foundBytes / found.length);
    for (const key of found) {
      const f = this.fetches.get(key);
      this.inMemory.add(key);
      if (f === undefined) continue;
      this.fetches.delete(key);
      if (f.inFlightFrom !== null) this.fetchingBytes -= f.nbytes;
      for (const t of f.dependents) {
        if (t.state !== "fetching") continue;
        t.missing--;
        if (t.missing === 0) this.#makeReady(t);
      }
      if (f.replica) {
        this.replicas.add(key);
        this.#out.push({ type: "add-keys", keys: [key] });
      } else if ((this.inputRefs.get(key) ?? 0) === 0 && !this.tasks.has(key)) {
        this.inMemory.delete(key);
        this.#out.push({ type: "drop", keys: [key] });
      }
    }
    for (const key of missing) {
      const f = this.fetches.get(key);
      if (f === undefined || f.inFlightFrom === null) continue;
      this.fetchingBytes -= f.nbytes;
      f.tried.add(peer);
      f.inFlightFrom = null;
      if (f.dependents.size === 0 && !f.replica) this.fetches.delete(key);
      else this.#fetchQueue.push(key);
    }
    if (this.fetchingRequests === 0) this.fetchingBytes = 0; // nothing in flight: no rounding drift survives
    this.#planFetches();
  }

  /** The peer could not be reached: try the next holder of each key. */
  fetchFailed(peer: string, keys: readonly Key[]): void {
    this.fetchDone(peer, [], keys);
  }

  /** Replicas to acquire from retiring peers (kept, then reported with add-keys). */
  acquireReplicas(whoHas: Record<Key, string[]>): void {
    for (const [key, peers] of Object.entries(whoHas)) {
      if (this.inMemory.has(key)) {
        // Already here (e.g. as an input): keep it and say so, or the retirement would wait for it.
        if (!this.tasks.has(key)) this.replicas.add(key);
        this.#out.push({ type: "add-keys", keys: [key] });
        continue;
      }
      let f = this.fetches.get(key);
      if (f === undefined) {
        f = { peers: [...peers], tried: new Set(), inFlightFrom: null, dependents: new Set(), replica: true, nbytes: this.#unknownNbytes };
        this.#addFetch(key, f);
      } else f.replica = true;
    }
    this.#planFetches();
  }

  taskDone(key: Key, ok: boolean, durationS: number): "report" | "drop" {
    const t = this.tasks.get(key);
    this.executing = Math.max(0, this.executing - 1);
    this.resources.release(key);
    if (durationS >= 0) this.avgDuration = 0.8 * this.avgDuration + 0.2 * durationS;
    if (t === undefined) return "drop";
    if (t.state === "cancelled") {
      this.tasks.delete(key);
      this.#releaseInputs(t);
      return "drop";
    }
    t.state = ok ? "memory" : "erred";
    if (ok) this.inMemory.add(key);
    this.#releaseInputs(t);
    if (!ok) this.tasks.delete(key);
    return "report";
  }

  #releaseInputs(t: WorkerTask): void {
    if (t.deps === null) return;
    const drop: Key[] = [];
    for (const dk of t.deps) {
      const n = (this.inputRefs.get(dk) ?? 1) - 1;
      if (n > 0) {
        this.inputRefs.set(dk, n);
        continue;
      }
      this.inputRefs.delete(dk);
      // Fetched only as an input (not computed here, not a replica): drop it.
      if (!this.tasks.has(dk) && this.inMemory.has(dk) && !this.#isKeptReplica(dk)) {
        this.inMemory.delete(dk);
        drop.push(dk);
      }
    }
    if (drop.length > 0) this.#out.push({ type: "drop", keys: drop });
  }

  readonly replicas = new Set<Key>();
  #isKeptReplica(key: Key): boolean {
    return this.replicas.has(key);
  }

  /** The scheduler no longer wants these here: forget tasks, drop values, cancel runs. */
  freeKeys(keys: readonly Key[]): void {
    const drop: Key[] = [];
    for (const key of keys) {
      const t = this.tasks.get(key);
      if (t !== undefined) {
        if (t.state === "executing") {
          t.state = "cancelled";
          continue;
        }
        if (t.state === "cancelled") continue;
        this.#forgetTask(t);
      }
      this.replicas.delete(key);
      if (this.inMemory.has(key) && (this.inputRefs.get(key) ?? 0) === 0) {
        this.inMemory.delete(key);
        drop.push(key);
      }
    }
    if (drop.length > 0) this.#out.push({ type: "drop", keys: drop });
  }

  #forgetTask(t: WorkerTask): void {
    this.tasks.delete(t.key);
    if (t.state === "fetching" && t.deps !== null) {
      for (const dk of t.deps) {
        const f = this.fetches.get(dk);
        if (f !== undefined) {
          f.dependents.delete(t);
          if (f.dependents.size === 0 && !f.replica && f.inFlightFrom === null) this.fetches.delete(dk);
        }
      }
    }
    if (t.state === "fetching" || t.state === "ready") this.#releaseInputs(t);
    t.state = "erred";
  }

  /** Steal: give up tasks not yet running. */
  stealRequest(keys: readonly Key[]): { released: Key[]; kept: Key[] } {
    const released: Key[] = [];
    const kept: Key[] = [];
    for (const key of keys) {
      const t = this.tasks.get(key);
      if (t !== undefined && (t.state === "ready" || t.state === "fetching")) {
        this.#forgetTask(t);
        released.push(key);
      } else if (t === undefined) released.push(key);
      else kept.push(key);
    }
    return { released, kept };
  }

  /** Keys held, for re-registration and heartbeats. */
  memoryKeys(): Key[] {
    return [...this.inMemory].filter((k) => !isRangeKey(k));
  }
}
