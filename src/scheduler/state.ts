/**
 * The scheduler's IO-free state machine: events in (graphs from clients, results and errors from
 * workers, workers joining and dying), instructions out (`flush()`: batched messages per worker and
 * per client). No sockets, no timers, no clock except the injected `now`.
 *
 * Task states: released → waiting → queued | processing → memory | erred, and forgotten. Transitions
 * are a table keyed by "from>to"; a transition may recommend further transitions, which a work list
 * drains (no recursion, so long chains cannot overflow the stack). A pair without an entry goes
 * through `released` (e.g. memory → waiting = memory → released → waiting), as in Dask.
 *
 * This class holds the state and is the public API; the logic lives in modules beside it, as
 * functions taking the state: client-events, worker-events, retirement, cluster-summary, outbox,
 * refcounts, transitions, queueing, replicas. Fields marked @internal are shared with those modules only.
 */
import type { Key } from "../graph/spec.js";
import type {
  ClusterSummary,
  ErredTask,
  FinishedTask,
  KeyLocation,
  RegisterWorkerMsg,
  SchedulerToClient,
  SchedulerToWorker,
  UpdateGraphMsg,
  WireError,
  WorkerMetrics,
} from "../protocol/messages.js";
import { ClientState, TaskPrefix, TaskState, WorkerState, type TaskStateName } from "./entities.js";
import { PriorityHeap } from "./heap.js";
import { DEFAULT_PEER_LIMITS } from "../protocol/limits.js";
import { clientDesiresKeys, clientReleasesKeys, refuseGraph, removeClient, updateGraph } from "./client-events.js";
import { adaptiveTarget, clusterSummary } from "./cluster-summary.js";
import { flush } from "./outbox.js";
import { requestSteal } from "./queueing.js";
import { beginRetire, retireDone, type Retirement } from "./retirement.js";
import type { Recommendation } from "./transitions.js";
import {
  addKeys,
  addWorker,
  heartbeat,
  missingData,
  releaseWorkerData,
  removeWorker,
  stealResponse,
  taskErred,
  taskFinished,
} from "./worker-events.js";

export type { Retirement } from "./retirement.js";

export interface SchedulerStateOptions {
  /** A task that was processing on this many workers that died fails with KilledWorker. */
  allowedFailures?: number;
  /** Seconds assumed for a task whose prefix has not finished a task yet. */
  defaultTaskDuration?: number;
  /** Milliseconds clock (injected so tests control time). */
  now?: () => number;
  /** Most tasks held at once; a graph that would pass it is refused (limits.maxGraphTasks). */
  maxGraphTasks?: number;
}

export type Instruction =
  | { to: "worker"; address: string; msg: SchedulerToWorker }
  | { to: "client"; clientId: string; msg: SchedulerToClient };

export type TransitionHook = (key: Key, from: TaskStateName, to: TaskStateName, ts: TaskState) => void;

export class SchedulerState {
  readonly tasks = new Map<Key, TaskState>();
  readonly workers = new Map<string, WorkerState>();
  readonly workersByName = new Map<string, WorkerState>();
  readonly clients = new Map<string, ClientState>();
  readonly prefixes = new Map<string, TaskPrefix>();
  /** Workers with room for more tasks (see placement.isSaturated). */
  readonly unsaturated = new Set<WorkerState>();
  readonly queued = new PriorityHeap<TaskState>();
  /** Restricted tasks that no current worker may run (see ./restrictions.ts). */
  readonly unrunnable = new Set<TaskState>();
  readonly allowedFailures: number;
  readonly defaultTaskDuration: number;
  readonly now: () => number;
  readonly maxGraphTasks: number;
  /** Called on every transition (plugins, dashboard); null when nobody listens. */
  onTransition: TransitionHook | null = null;
  /** Counters for the dashboard and tests. */
  readonly counters = { tasksFinished: 0, tasksErred: 0, workersLost: 0, stealsRequested: 0, stealsDone: 0 };

  /** @internal Graph order, for priorities (see client-events). */
  _seq = 0;
  /** @internal The recommendation work list (see transitions.drain). */
  _recs: [TaskState, Recommendation][] = [];
  /** @internal */
  _draining = false;
  // Outbox, flushed as batches (see outbox.ts). @internal, like the fields above.
  /** @internal */ readonly _compute = new Map<WorkerState, TaskState[]>();
  /** @internal */ readonly _free = new Map<WorkerState, Key[]>();
  /** @internal */ readonly _steal = new Map<WorkerState, Key[]>();
  /** @internal */ readonly _acquire = new Map<WorkerState, Record<Key, string[]>>();
  /** @internal */ readonly _close = new Map<string, string>();
  /** @internal */ readonly _clientMemory = new Map<ClientState, KeyLocation[]>();
  /** @internal */ readonly _clientErred = new Map<ClientState, { key: Key; error: WireError }[]>();
  /** @internal */ readonly _clientLost = new Map<ClientState, Key[]>();
  /** @internal */ _clusterChanged = false;
  /** Workers retiring gracefully, in the order they began (see beginRetire). */
  readonly retiring = new Map<WorkerState, Retirement>();

  constructor(opts: SchedulerStateOptions = {}) {
    this.allowedFailures = opts.allowedFailures ?? 3;
    this.defaultTaskDuration = opts.defaultTaskDuration ?? 0.5;
    this.now = opts.now ?? Date.now;
    this.maxGraphTasks = opts.maxGraphTasks ?? DEFAULT_PEER_LIMITS.maxGraphTasks;
  }

  // ------------------------------------------------------------------ clients (see client-events.ts)

  addClient(id: string): ClientState {
    let cs = this.clients.get(id);
    if (!cs) {
      cs = new ClientState(id);
      this.clients.set(id, cs);
    }
    return cs;
  }

  /** A client left: everything it wanted is released (and forgotten if no one else needs it). */
  removeClient(id: string): void {
    removeClient(this, id);
  }

  updateGraph(clientId: string, msg: UpdateGraphMsg): void {
    updateGraph(this, clientId, msg);
  }

  /** The client's futures for `wanted` fail with `reason`; nothing of the graph is kept. */
  refuseGraph(clientId: string, wanted: readonly Key[], reason: string): void {
    refuseGraph(this, clientId, wanted, reason);
  }

  clientDesiresKeys(clientId: string, keys: readonly Key[]): void {
    clientDesiresKeys(this, clientId, keys);
  }

  clientReleasesKeys(clientId: string, keys: readonly Key[]): void {
    clientReleasesKeys(this, clientId, keys);
  }

  /** Cancel = this client stops wanting the keys; tasks nobody needs any more stop running. */
  cancelKeys(clientId: string, keys: readonly Key[]): void {
    this.clientReleasesKeys(clientId, keys);
  }

  // ------------------------------------------------------------------ workers (see worker-events.ts)

  /** Returns a reason when the worker is refused (duplicate name or address). */
  addWorker(msg: RegisterWorkerMsg): string | null {
    return addWorker(this, msg);
  }

  /**
   * A worker left. Its processing tasks go back to waiting (suspicious unless `graceful`), results
   * that lived only there are recomputed if still needed, and tasks that needed them wait again.
   */
  removeWorker(address: string, opts: { graceful?: boolean } = {}): void {
    removeWorker(this, address, opts);
  }

  heartbeat(address: string, metrics: WorkerMetrics): boolean {
    return heartbeat(this, address, metrics);
  }

  taskFinished(address: string, done: readonly FinishedTask[]): void {
    taskFinished(this, address, done);
  }

  taskErred(address: string, erred: readonly ErredTask[]): void {
    taskErred(this, address, erred);
  }

  /** Steal answers: released keys move to the thief chosen when the steal was requested. */
  stealResponse(address: string, released: readonly Key[], kept: readonly Key[]): void {
    stealResponse(this, address, released, kept);
  }

  /**
   * `address` asked `from` for `keys` and `from` did not have them; `address` dropped its tasks that
   * needed them, so those go back to waiting (and the keys are recomputed if no copy is left).
   */
  missingData(address: string, keys: readonly Key[], from: string): void {
    missingData(this, address, keys, from);
  }

  /** A worker now holds replicas (after acquire-replicas). */
  addKeys(address: string, keys: readonly KeyLocation[]): void {
    addKeys(this, address, keys);
  }

  /** A worker dropped keys on its own (e.g. memory pressure): they are lost there. */
  releaseWorkerData(address: string, keys: readonly Key[]): void {
    releaseWorkerData(this, address, keys);
  }

  // ------------------------------------------------------------------ retirement (see retirement.ts)

  /**
   * Start retiring workers gracefully: no new tasks; their unique results are copied to peers.
   * `awaitRecipient`: the worker leaves anyway (its --lifetime or SIGTERM), so when no running worker
   * can take its results it hands them to a worker that began retiring after it, or, if it is the
   * last, holds them until a worker joins (a replacement is usually on its way) rather than losing
   * them, and meanwhile takes tasks again. Without it (an explicit retire), results with nowhere to
   * go are dropped and recomputed.
   */
  beginRetire(addresses: readonly string[], opts: { awaitRecipient?: boolean } = {}): void {
    beginRetire(this, addresses, opts);
  }

  /** True when a retiring worker runs nothing and every result it holds that is needed lives elsewhere too. */
  retireDone(address: string): boolean {
    return retireDone(this, address);
  }

  closeWorker(address: string, reason: string): void {
    this._close.set(address, reason);
  }

  // ------------------------------------------------------------------ balancing

  /** Work stealing: idle workers take queued-up tasks from saturated ones (see ./stealing.ts). */
  requestSteal(ts: TaskState, thief: WorkerState): void {
    requestSteal(this, ts, thief);
  }

  // ------------------------------------------------------------------ queries

  whoHas(keys: readonly Key[]): Record<Key, string[]> {
    const out: Record<Key, string[]> = {};
    for (const k of keys) {
      const ts = this.tasks.get(k);
      out[k] = ts?.whoHas ? ts.whoHas.map((w) => w.address) : [];
    }
    return out;
  }

  clusterSummary(): ClusterSummary {
    return clusterSummary(this);
  }

  /**
   * Workers wanted so that queued and running work finishes in about `targetDurationS` seconds, and
   * stored results use at most ~60% of memory (Dask's adaptive_target).
   */
  adaptiveTarget(targetDurationS = 5): number {
    return adaptiveTarget(this, targetDurationS);
  }

  // ------------------------------------------------------------------ output (see outbox.ts)

  /** Everything to send, batched: one message per kind per destination. */
  flush(): Instruction[] {
    return flush(this);
  }
}
