/**
 * The scheduler's IO-free state machine: events in (graphs from clients, results and errors from
 * workers, workers joining and dying), instructions out (`flush()`: batched messages per worker and
 * per client). No sockets, no timers, no clock except the injected `now`.
 *
 * Task states: released → waiting → queued | processing → memory | erred, and forgotten. Transitions
 * are a table keyed by "from>to"; a transition may recommend further transitions, which a work list
 * drains (no recursion, so long chains cannot overflow the stack). A pair without an entry goes
 * through `released` (e.g. memory → waiting = memory → released → waiting), as in Dask.
 */
import type { Key } from "../graph/spec.js";
import { keyPrefix } from "../graph/spec.js";
import type {
  ClusterSummary,
  ComputeTask,
  ComputeTasksMsg,
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
import { decideWorker, isSaturated, pickRootWorker } from "./placement.js";

/** A worker retiring gracefully. */
export interface Retirement {
  /** Results whose copy was asked for, and of whom (asked again if that worker leaves first). */
  readonly requested: Map<TaskState, WorkerState>;
  /** Hold results with nowhere to go until a worker joins, rather than dropping them (see beginRetire). */
  awaitRecipient: boolean;
  /** Holding them, it takes tasks again meanwhile (status "running") until a worker joins. */
  postponed: boolean;
}

export interface SchedulerStateOptions {
  /** A task that was processing on this many workers that died fails with KilledWorker. */
  allowedFailures?: number;
  /** Seconds assumed for a task whose prefix has not finished a task yet. */
  defaultTaskDuration?: number;
  /** Milliseconds clock (injected so tests control time). */
  now?: () => number;
}

export type Instruction =
  | { to: "worker"; address: string; msg: SchedulerToWorker }
  | { to: "client"; clientId: string; msg: SchedulerToClient };

export type TransitionHook = (key: Key, from: TaskStateName, to: TaskStateName, ts: TaskState) => void;

/** Priorities: graph order, shifted by the user's priority (higher user priority = runs first). */
const PRIORITY_SHIFT = 2 ** 40;
const MAX_USER_PRIORITY = 4000;

type TransitionFn = (this: SchedulerState, ts: TaskState) => void;

/**
 * A target state, or "free": release (or forget) the task only if, when the work list reaches it,
 * nothing needs it any more. Releases for lack of need use "free", so that a task needed again in
 * the meantime (a dependent rescheduled, a client asking again) is not dropped by a stale decision.
 */
type Recommendation = TaskStateName | "free";

export class SchedulerState {
  readonly tasks = new Map<Key, TaskState>();
  readonly workers = new Map<string, WorkerState>();
  readonly workersByName = new Map<string, WorkerState>();
  readonly clients = new Map<string, ClientState>();
  readonly prefixes = new Map<string, TaskPrefix>();
  /** Workers with room for more tasks (see placement.isSaturated). */
  readonly unsaturated = new Set<WorkerState>();
  readonly queued = new PriorityHeap<TaskState>();
  readonly allowedFailures: number;
  readonly defaultTaskDuration: number;
  readonly now: () => number;
  /** Called on every transition (plugins, dashboard); null when nobody listens. */
  onTransition: TransitionHook | null = null;
  /** Counters for the dashboard and tests. */
  readonly counters = { tasksFinished: 0, tasksErred: 0, workersLost: 0, stealsRequested: 0, stealsDone: 0 };

  #seq = 0;
  #recs: [TaskState, Recommendation][] = [];
  #draining = false;
  // Outbox, flushed as batches.
  #compute = new Map<WorkerState, TaskState[]>();
  #free = new Map<WorkerState, Key[]>();
  #steal = new Map<WorkerState, Key[]>();
  #acquire = new Map<WorkerState, Record<Key, string[]>>();
  #close = new Map<string, string>();
  #clientMemory = new Map<ClientState, KeyLocation[]>();
  #clientErred = new Map<ClientState, { key: Key; error: WireError }[]>();
  #clientLost = new Map<ClientState, Key[]>();
  #clusterChanged = false;
  /** Workers retiring gracefully, in the order they began (see beginRetire). */
  readonly retiring = new Map<WorkerState, Retirement>();

  constructor(opts: SchedulerStateOptions = {}) {
    this.allowedFailures = opts.allowedFailures ?? 3;
    this.defaultTaskDuration = opts.defaultTaskDuration ?? 0.5;
    this.now = opts.now ?? Date.now;
  }

  // ------------------------------------------------------------------ clients

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
    const cs = this.clients.get(id);
    if (!cs) return;
    this.clients.delete(id);
    // Rare (a client leaving), so a scan over the tasks instead of a per-client set of keys.
    for (const ts of this.tasks.values()) if (this.#dropWanter(ts, cs)) this.#unwant(ts);
    this.#clientMemory.delete(cs);
    this.#clientErred.delete(cs);
    this.#clientLost.delete(cs);
    this.#drain();
  }

  updateGraph(clientId: string, msg: UpdateGraphMsg): void {
    const cs = this.addClient(clientId);
    const userPriority = Math.max(-MAX_USER_PRIORITY, Math.min(MAX_USER_PRIORITY, Math.round(msg.priority ?? 0)));
    const shift = -userPriority * PRIORITY_SHIFT;
    const defaultRetries = msg.retries ?? 0;
    const fresh: TaskState[] = [];
    const freshDeps: (readonly Key[] | undefined)[] = [];
    // First pass: create tasks (deps may refer to tasks later in the list).
    for (const wt of msg.tasks) {
      let ts = this.tasks.get(wt.key);
      if (ts !== undefined) continue; // already known: keep its state (and result)
      ts = new TaskState(wt.key, this.#prefix(wt.key));
      if (wt.data !== undefined || wt.op === undefined) {
        ts.hasData = true;
        ts.data = wt.data;
      } else {
        ts.op = wt.op;
        ts.args = wt.args ?? [];
        if (wt.fn !== undefined) {
          ts.fn = msg.functions?.[wt.fn];
          if (ts.fn === undefined) ts.error = { name: "ProtocolError", message: `task '${wt.key}' refers to function #${wt.fn}, which the message does not carry`, key: wt.key };
        }
      }
      ts.retries = wt.retries ?? defaultRetries;
      ts.priority = shift + this.#seq++;
      ts.prefix.counts.released++;
      this.tasks.set(wt.key, ts);
      fresh.push(ts);
      freshDeps.push(wt.deps);
    }
    for (let f = 0; f < fresh.length; f++) {
      const ts = fresh[f]!;
      const depKeys = freshDeps[f];
      if (depKeys === undefined || depKeys.length === 0) continue;
      const deps: TaskState[] = new Array(depKeys.length);
      for (let i = 0; i < depKeys.length; i++) {
        const dk = depKeys[i]!;
        const dep = this.tasks.get(dk);
        if (dep === undefined) {
          // Unknown dependency: the task can never run. Fail it (and the client learns why).
          ts.deps = null;
          ts.error = {
            name: "MissingDependencyError",
            code: "MISSING_DEPENDENCY",
            message: `task '${ts.key}' depends on '${dk}', which the scheduler does not know (released or never submitted); keep a future for it or include it in the graph`,
            key: ts.key,
          };
          break;
        }
        deps[i] = dep;
        (dep.dependents ??= new Set()).add(ts);
      }
      if (ts.error === undefined) ts.deps = deps;
    }
    for (const key of msg.wanted) {
      const ts = this.tasks.get(key);
      if (ts !== undefined) this.#want(cs, ts);
    }
    for (const ts of fresh) {
      if (ts.error !== undefined) this.#recommend(ts, "erred");
      else if (ts.state === "released" && this.#needed(ts)) this.#recommend(ts, "waiting");
      // Neither wanted nor an input of anything: nothing will ever ask for it.
      else if (ts.dependents === null || ts.dependents.size === 0) this.#recommend(ts, "forgotten");
    }
    // Tasks a client wants that finished or failed before: tell it now.
    for (const key of msg.wanted) {
      const ts = this.tasks.get(key);
      if (ts === undefined) continue;
      if (ts.state === "memory") this.#pushClient(this.#clientMemory, cs, this.#location(ts));
      else if (ts.state === "erred" && ts.error) this.#pushClient(this.#clientErred, cs, { key: ts.key, error: ts.error });
      else if (ts.state === "released" && this.#needed(ts)) this.#recommend(ts, "waiting");
    }
    this.#drain();
  }

  clientDesiresKeys(clientId: string, keys: readonly Key[]): void {
    const cs = this.addClient(clientId);
    for (const key of keys) {
      const ts = this.tasks.get(key);
      if (ts === undefined) {
        this.#pushClient(this.#clientErred, cs, {
          key,
          error: { name: "CancelledError", code: "UNKNOWN_KEY", message: `key '${key}' is not known to the scheduler (it was released or never submitted)`, key },
        });
        continue;
      }
      this.#want(cs, ts);
      if (ts.state === "memory") this.#pushClient(this.#clientMemory, cs, this.#location(ts));
      else if (ts.state === "erred" && ts.error) this.#pushClient(this.#clientErred, cs, { key, error: ts.error });
      else if (ts.state === "released") this.#recommend(ts, "waiting");
    }
    this.#drain();
  }

  clientReleasesKeys(clientId: string, keys: readonly Key[]): void {
    const cs = this.clients.get(clientId);
    if (!cs) return;
    for (const key of keys) {
      const ts = this.tasks.get(key);
      if (ts !== undefined && this.#dropWanter(ts, cs)) this.#unwant(ts);
    }
    this.#drain();
  }

  /** Cancel = this client stops wanting the keys; tasks nobody needs any more stop running. */
  cancelKeys(clientId: string, keys: readonly Key[]): void {
    this.clientReleasesKeys(clientId, keys);
  }

  // ------------------------------------------------------------------ workers

  /** Returns a reason when the worker is refused (duplicate name or address). */
  addWorker(msg: RegisterWorkerMsg): string | null {
    if (this.workers.has(msg.address)) return `a worker at ${msg.address} is already registered`;
    if (this.workersByName.has(msg.name)) return `a worker named '${msg.name}' is already registered; give each worker a unique --name`;
    const ws = new WorkerState({
      address: msg.address,
      name: msg.name,
      nthreads: Math.max(1, msg.nthreads | 0),
      memoryLimit: msg.memoryLimit,
      pid: msg.pid,
      host: msg.host,
      metadata: msg.metadata,
      now: this.now(),
    });
    this.workers.set(ws.address, ws);
    this.workersByName.set(ws.name, ws);
    this.unsaturated.add(ws);
    const stale: Key[] = [];
    for (const kl of msg.keys) {
      const ts = this.tasks.get(kl.key);
      if (ts !== undefined && (ts.state === "memory" || (ts.state !== "forgotten" && this.#needed(ts) && ts.state !== "erred"))) {
        this.#addReplica(ts, ws, kl.nbytes, kl.type);
      } else stale.push(kl.key);
    }
    if (stale.length > 0) this.#freeOn(ws, stale);
    this.#clusterChanged = true;
    this.#drain();
    return null;
  }

  /**
   * A worker left. Its processing tasks go back to waiting (suspicious unless `graceful`), results
   * that lived only there are recomputed if still needed, and tasks that needed them wait again.
   */
  removeWorker(address: string, opts: { graceful?: boolean } = {}): void {
    const ws = this.workers.get(address);
    if (!ws) return;
    ws.status = "closed";
    this.workers.delete(address);
    if (this.workersByName.get(ws.name) === ws) this.workersByName.delete(ws.name);
    this.unsaturated.delete(ws);
    this.retiring.delete(ws);
    // Replicas it was asked to take from retiring workers never came: ask someone else.
    for (const r of this.retiring.values()) {
      for (const [ts, recipient] of r.requested) if (recipient === ws) r.requested.delete(ts);
    }
    this.#compute.delete(ws);
    this.#free.delete(ws);
    this.#steal.delete(ws);
    this.#acquire.delete(ws);
    if (!opts.graceful) this.counters.workersLost++;
    for (const ts of ws.processing) {
      ts.processingOn = null;
      ts.stealTo = null;
      if (!opts.graceful) (ts.suspicious ??= []).push(ws.address);
      this.#undoDeps(ts);
      this.#setState(ts, "released");
      if (ts.suspicious !== null && ts.suspicious.length >= this.allowedFailures) {
        ts.error = {
          name: "KilledWorker",
          code: "KILLED_WORKER",
          key: ts.key,
          message:
            `task '${ts.key}' was processing on ${ts.suspicious.length} workers that all died ` +
            `(${ts.suspicious.join(", ")}); it may be crashing or exhausting memory on its workers ` +
            `(allowed failures: ${this.allowedFailures})`,
        };
        this.#recommend(ts, "erred");
      } else this.#recommend(ts, "waiting");
    }
    ws.processing.clear();
    ws.occupancy = 0;
    // Thieves that died: their steals are void.
    for (const ts of this.tasks.values()) if (ts.stealTo === ws) ts.stealTo = null;
    for (const ts of ws.hasWhat) {
      const holders = ts.whoHas;
      if (holders === null) continue;
      const i = holders.indexOf(ws);
      if (i >= 0) holders.splice(i, 1);
      if (holders.length === 0) this.#lose(ts);
    }
    ws.hasWhat.clear();
    ws.nbytes = 0;
    this.#clusterChanged = true;
    this.#drain();
  }

  heartbeat(address: string, metrics: WorkerMetrics): boolean {
    const ws = this.workers.get(address);
    if (!ws) return false;
    ws.lastSeen = this.now();
    ws.metrics = metrics;
    if (metrics.paused && ws.status === "running") {
      ws.status = "paused";
      this.unsaturated.delete(ws);
    } else if (!metrics.paused && ws.status === "paused") {
      ws.status = "running";
      this.#checkSaturation(ws);
    }
    return true;
  }

  taskFinished(address: string, done: readonly FinishedTask[]): void {
    const ws = this.workers.get(address);
    if (!ws) return;
    for (const f of done) {
      const ts = this.tasks.get(f.key);
      if (ts === undefined || ts.state === "forgotten") {
        this.#freeOn(ws, [f.key]);
        continue;
      }
      this.#recordDuration(ts, f.duration);
      if (ts.state === "processing" && ts.processingOn === ws) {
        ts.nbytes = f.nbytes;
        ts.type = f.type;
        ws.executedCount++;
        this.#toMemory(ts, ws);
      } else if (ts.state === "memory") {
        // A second copy (e.g. a steal raced with the run): keep it as a replica.
        this.#addReplica(ts, ws, f.nbytes, f.type);
      } else {
        // Finished somewhere we no longer expect it (released, moved): the worker drops it.
        this.#freeOn(ws, [f.key]);
      }
    }
    this.#drain();
  }

  taskErred(address: string, erred: readonly ErredTask[]): void {
    const ws = this.workers.get(address);
    if (!ws) return;
    for (const e of erred) {
      const ts = this.tasks.get(e.key);
      if (ts === undefined || ts.state !== "processing" || ts.processingOn !== ws) continue;
      this.#recordDuration(ts, e.duration);
      if (ts.retries > 0) {
        ts.retries--;
        this.#recommend(ts, "released");
        this.#recommend(ts, "waiting");
      } else {
        ts.error = { ...e.error, key: e.error.key ?? ts.key };
        this.#recommend(ts, "erred");
      }
    }
    this.#drain();
  }

  /** Steal answers: released keys move to the thief chosen when the steal was requested. */
  stealResponse(address: string, released: readonly Key[], kept: readonly Key[]): void {
    const victim = this.workers.get(address);
    for (const key of kept) {
      const ts = this.tasks.get(key);
      if (ts) ts.stealTo = null;
    }
    for (const key of released) {
      const ts = this.tasks.get(key);
      if (ts === undefined) continue;
      const thief = ts.stealTo;
      ts.stealTo = null;
      if (ts.state !== "processing" || ts.processingOn !== victim || victim === undefined) continue;
      this.#removeFromProcessing(ts);
      if (thief !== null && thief.status === "running" && this.workers.get(thief.address) === thief) {
        this.#assign(ts, thief);
        this.counters.stealsDone++;
      } else {
        this.#undoDeps(ts);
        this.#setState(ts, "released");
        this.#recommend(ts, "waiting");
      }
    }
    this.#drain();
  }

  /**
   * `address` asked `from` for `keys` and `from` did not have them; `address` dropped its tasks that
   * needed them, so those go back to waiting (and the keys are recomputed if no copy is left).
   */
  missingData(address: string, keys: readonly Key[], from: string): void {
    const ws = this.workers.get(address);
    const holder = this.workers.get(from);
    for (const key of keys) {
      const ts = this.tasks.get(key);
      if (ts === undefined) continue;
      if (holder !== undefined && ts.whoHas !== null) {
        const i = ts.whoHas.indexOf(holder);
        if (i >= 0) {
          ts.whoHas.splice(i, 1);
          holder.hasWhat.delete(ts);
          holder.nbytes -= Math.max(0, ts.nbytes);
          if (ts.whoHas.length === 0 && ts.state === "memory") this.#lose(ts);
        }
      }
      if (ts.dependents !== null && ws !== undefined) {
        for (const dt of ts.dependents) {
          if (dt.state === "processing" && dt.processingOn === ws) {
            this.#recommend(dt, "released");
            this.#recommend(dt, "waiting");
          }
        }
      }
    }
    this.#drain();
  }

  /** A worker now holds replicas (after acquire-replicas). */
  addKeys(address: string, keys: readonly KeyLocation[]): void {
    const ws = this.workers.get(address);
    if (!ws) return;
    const stale: Key[] = [];
    for (const kl of keys) {
      const ts = this.tasks.get(kl.key);
      if (ts !== undefined && ts.state === "memory") this.#addReplica(ts, ws, kl.nbytes, kl.type);
      else stale.push(kl.key);
    }
    if (stale.length > 0) this.#freeOn(ws, stale);
    this.#drain();
  }

  /** A worker dropped keys on its own (e.g. memory pressure): they are lost there. */
  releaseWorkerData(address: string, keys: readonly Key[]): void {
    const ws = this.workers.get(address);
    if (!ws) return;
    for (const key of keys) {
      const ts = this.tasks.get(key);
      if (ts === undefined || ts.whoHas === null) continue;
      const i = ts.whoHas.indexOf(ws);
      if (i < 0) continue;
      ts.whoHas.splice(i, 1);
      ws.hasWhat.delete(ts);
      ws.nbytes -= Math.max(0, ts.nbytes);
      if (ts.whoHas.length === 0 && ts.state === "memory") this.#lose(ts);
    }
    this.#drain();
  }

  // ------------------------------------------------------------------ retirement

  /**
   * Start retiring workers gracefully: no new tasks; their unique results are copied to peers.
   * `awaitRecipient`: the worker leaves anyway (its --lifetime or SIGTERM), so when no running worker
   * can take its results it hands them to a worker that began retiring after it, or, if it is the
   * last, holds them until a worker joins (a replacement is usually on its way) rather than losing
   * them, and meanwhile takes tasks again. Without it (an explicit retire), results with nowhere to
   * go are dropped and recomputed.
   */
  beginRetire(addresses: readonly string[], opts: { awaitRecipient?: boolean } = {}): void {
    for (const a of addresses) {
      const ws = this.workers.get(a);
      if (!ws) continue;
      const known = this.retiring.get(ws);
      if (known !== undefined) {
        if (opts.awaitRecipient === true) known.awaitRecipient = true;
        continue;
      }
      ws.status = "closing-gracefully";
      this.unsaturated.delete(ws);
      this.retiring.set(ws, { requested: new Map(), awaitRecipient: opts.awaitRecipient === true, postponed: false });
    }
    this.#retireStep();
  }

  /** True when a retiring worker runs nothing and every result it holds that is needed lives elsewhere too. */
  retireDone(address: string): boolean {
    const ws = this.workers.get(address);
    if (!ws) return true;
    if (ws.processing.size > 0) return false;
    const r = this.retiring.get(ws);
    if (r?.postponed === true) return false;
    if (r?.awaitRecipient !== true && !this.#hasRecipients(ws)) return true;
    return !this.#holdsOnlyCopy(ws);
  }

  #hasRecipients(except: WorkerState): boolean {
    for (const w of this.workers.values()) if (w !== except && this.#takesResults(w)) return true;
    return false;
  }

  /** A running worker that is not retiring (a postponed retirement runs, but does not take results). */
  #takesResults(w: WorkerState): boolean {
    return w.status === "running" && !this.retiring.has(w);
  }

  #retireStep(): void {
    if (this.retiring.size === 0) return;
    let running: WorkerState[] | null = null;
    // Retiring workers that wait for a recipient, latest last: an earlier one may hand its results to
    // a later one (never the reverse, so results only move forward), and only the last one waits.
    const waiting: WorkerState[] = [];
    for (const [ws, r] of this.retiring) if (r.awaitRecipient) waiting.push(ws);
    for (const [ws, r] of this.retiring) {
      running ??= [...this.workers.values()].filter((w) => this.#takesResults(w));
      let recipients = running;
      if (recipients.length === 0 && r.awaitRecipient) {
        const later = waiting[waiting.length - 1]!;
        if (later === ws) {
          // The last to leave: if it has work or results to keep, it holds them until a worker
          // joins, and computes meanwhile; else it may go (see retireDone).
          const hold = ws.processing.size > 0 || this.#holdsOnlyCopy(ws);
          if (hold && !r.postponed && ws.status === "closing-gracefully") {
            r.postponed = true;
            ws.status = "running";
            this.#checkSaturation(ws);
          } else if (!hold && r.postponed) this.#endPostponement(ws, r);
          continue;
        }
        recipients = [later];
      }
      // Someone can take the results now: stop taking tasks and hand them over.
      if (r.postponed) this.#endPostponement(ws, r);
      if (ws.processing.size > 0) continue;
      if (recipients.length === 0) continue;
      for (const ts of ws.hasWhat) {
        if (r.requested.has(ts) || !this.#needed(ts) || ts.whoHas === null || ts.whoHas.length > 1) continue;
        let best = recipients[0]!;
        for (const w of recipients) if (w.nbytes < best.nbytes) best = w;
        let req = this.#acquire.get(best);
        if (!req) this.#acquire.set(best, (req = {}));
        req[ts.key] = [ws.address];
        r.requested.set(ts, best);
        best.nbytes += Math.max(0, ts.nbytes); // so the next key goes elsewhere; corrected by add-keys
      }
    }
  }

  #endPostponement(ws: WorkerState, r: Retirement): void {
    r.postponed = false;
    if (ws.status === "running" || ws.status === "paused") ws.status = "closing-gracefully";
    this.unsaturated.delete(ws);
  }

  /** Holds a needed result that no other worker has. */
  #holdsOnlyCopy(ws: WorkerState): boolean {
    for (const ts of ws.hasWhat) if (this.#needed(ts) && ts.whoHas !== null && ts.whoHas.length <= 1) return true;
    return false;
  }

  closeWorker(address: string, reason: string): void {
    this.#close.set(address, reason);
  }

  // ------------------------------------------------------------------ balancing

  /** Work stealing: idle workers take queued-up tasks from saturated ones (see ./stealing.ts). */
  requestSteal(ts: TaskState, thief: WorkerState): void {
    const victim = ts.processingOn;
    if (victim === null || ts.stealTo !== null) return;
    ts.stealTo = thief;
    let list = this.#steal.get(victim);
    if (!list) this.#steal.set(victim, (list = []));
    list.push(ts.key);
    this.counters.stealsRequested++;
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
    let threads = 0;
    let memoryLimit = 0;
    for (const ws of this.workers.values()) {
      threads += ws.nthreads;
      memoryLimit += ws.memoryLimit;
    }
    return { workers: this.workers.size, threads, memoryLimit };
  }

  /**
   * Workers wanted so that queued and running work finishes in about `targetDurationS` seconds, and
   * stored results use at most ~60% of memory (Dask's adaptive_target).
   */
  adaptiveTarget(targetDurationS = 5): number {
    let occupancy = 0;
    let nthreads = 0;
    let nbytes = 0;
    let memLimit = 0;
    for (const ws of this.workers.values()) {
      occupancy += ws.occupancy;
      nthreads += ws.nthreads;
      nbytes += ws.metrics?.managedBytes ?? ws.nbytes;
      memLimit += ws.memoryLimit;
    }
    const queued = this.queued.values();
    let queuedOcc = 0;
    const sample = Math.min(queued.length, 100);
    for (let i = 0; i < sample; i++) {
      const ts = queued[i]!;
      queuedOcc += ts.prefix.durationAverage >= 0 ? ts.prefix.durationAverage : this.defaultTaskDuration;
    }
    if (sample > 0) queuedOcc *= queued.length / sample;
    const threadsPerWorker = this.workers.size > 0 ? nthreads / this.workers.size : 1;
    let cpu = Math.ceil((occupancy + queuedOcc) / Math.max(1e-9, targetDurationS) / threadsPerWorker);
    if (queued.length > 0 && cpu === 0) cpu = 1;
    // Never ask for more workers than there are tasks to run on their threads.
    let runnable = queued.length;
    for (const ws of this.workers.values()) runnable += ws.processing.size;
    cpu = Math.min(cpu, Math.ceil(runnable / threadsPerWorker));
    let memory = 0;
    const memPerWorker = this.workers.size > 0 ? memLimit / this.workers.size : 0;
    if (memPerWorker > 0 && nbytes > 0.6 * memLimit) memory = Math.ceil((2 * nbytes) / memPerWorker);
    let target = Math.max(cpu, memory);
    // Workers holding results stay (closing them would lose data).
    let holding = 0;
    for (const ws of this.workers.values()) if (ws.hasWhat.size > 0 || ws.processing.size > 0) holding++;
    if (target < this.workers.size) target = Math.max(target, holding);
    return target;
  }

  // ------------------------------------------------------------------ output

  /** Everything to send, batched: one message per kind per destination. */
  flush(): Instruction[] {
    this.#retireStep(); // first: a retirement it postpones takes tasks in #fillQueue
    this.#fillQueue();
    const out: Instruction[] = [];
    for (const [ws, keys] of this.#free) out.push({ to: "worker", address: ws.address, msg: { op: "free-keys", keys } });
    this.#free.clear();
    for (const [ws, list] of this.#compute) {
      const tasks: ComputeTask[] = [];
      const whoHas: Record<Key, string[]> = {};
      let functions: unknown[] | undefined;
      let fnIndex: Map<unknown, number> | undefined;
      for (const ts of list) {
        if (ts.processingOn !== ws || ts.state !== "processing") continue;
        const ct: ComputeTask = { key: ts.key, priority: ts.priority };
        if (ts.hasData) ct.data = ts.data;
        else {
          ct.op = ts.op!;
          ct.args = ts.args!;
          if (ts.fn !== undefined) {
            functions ??= [];
            fnIndex ??= new Map();
            let i = fnIndex.get(ts.fn);
            if (i === undefined) {
              i = functions.length;
              functions.push(ts.fn);
              fnIndex.set(ts.fn, i);
            }
            ct.fn = i;
          }
        }
        if (ts.deps !== null) {
          const deps: Key[] = new Array(ts.deps.length);
          for (let i = 0; i < ts.deps.length; i++) {
            const dep = ts.deps[i]!;
            deps[i] = dep.key;
            if (dep.whoHas !== null && !dep.whoHas.includes(ws)) whoHas[dep.key] = dep.whoHas.map((w) => w.address);
          }
          ct.deps = deps;
        }
        tasks.push(ct);
      }
      if (tasks.length > 0) {
        const msg: ComputeTasksMsg = { op: "compute-tasks", tasks, whoHas };
        if (functions !== undefined) msg.functions = functions;
        out.push({ to: "worker", address: ws.address, msg });
      }
    }
    this.#compute.clear();
    for (const [ws, keys] of this.#steal) out.push({ to: "worker", address: ws.address, msg: { op: "steal-request", keys } });
    this.#steal.clear();
    for (const [ws, whoHas] of this.#acquire) out.push({ to: "worker", address: ws.address, msg: { op: "acquire-replicas", whoHas } });
    this.#acquire.clear();
    for (const [address, reason] of this.#close) out.push({ to: "worker", address, msg: { op: "close-worker", reason } });
    this.#close.clear();
    for (const [cs, keys] of this.#clientMemory) out.push({ to: "client", clientId: cs.id, msg: { op: "keys-in-memory", keys } });
    this.#clientMemory.clear();
    for (const [cs, errors] of this.#clientErred) out.push({ to: "client", clientId: cs.id, msg: { op: "keys-erred", errors } });
    this.#clientErred.clear();
    for (const [cs, keys] of this.#clientLost) out.push({ to: "client", clientId: cs.id, msg: { op: "keys-lost", keys } });
    this.#clientLost.clear();
    if (this.#clusterChanged) {
      this.#clusterChanged = false;
      const cluster = this.clusterSummary();
      for (const cs of this.clients.values()) out.push({ to: "client", clientId: cs.id, msg: { op: "cluster-changed", cluster } });
    }
    return out;
  }

  // ------------------------------------------------------------------ internals: refcounts

  #needed(ts: TaskState): boolean {
    return ts.nWanted > 0 || ts.nWaiters > 0;
  }

  #want(cs: ClientState, ts: TaskState): void {
    if (ts.wanter === cs || (ts.wanters !== null && ts.wanters.has(cs))) return;
    if (ts.nWanted === 0) ts.wanter = cs;
    else {
      if (ts.wanters === null) {
        ts.wanters = new Set();
        if (ts.wanter !== null) ts.wanters.add(ts.wanter);
        ts.wanter = null;
      }
      ts.wanters.add(cs);
    }
    ts.nWanted++;
  }

  /** Removes `cs` from the task's wanters; true if it was one. */
  #dropWanter(ts: TaskState, cs: ClientState): boolean {
    if (ts.wanter === cs) {
      ts.wanter = null;
      return true;
    }
    if (ts.wanters !== null && ts.wanters.delete(cs)) {
      if (ts.wanters.size === 0) ts.wanters = null;
      return true;
    }
    return false;
  }

  /** Queue `item` for every client that wants `ts`. */
  #notifyWanters<T>(box: Map<ClientState, T[]>, ts: TaskState, item: T): void {
    if (ts.wanter !== null) this.#pushClient(box, ts.wanter, item);
    if (ts.wanters !== null) for (const cs of ts.wanters) this.#pushClient(box, cs, item);
  }

  #unwant(ts: TaskState): void {
    ts.nWanted--;
    if (ts.nWanted > 0 || ts.nWaiters > 0) return;
    this.#recommend(ts, "free");
  }

  /** This task stops counting on its dependencies' values. */
  #undoDeps(ts: TaskState): void {
    if (!ts.holdsDeps || ts.deps === null) return;
    ts.holdsDeps = false;
    for (const dep of ts.deps) {
      dep.nWaiters--;
      if (dep.nWaiters === 0 && dep.nWanted === 0) {
        if (dep.state === "memory" || dep.state === "waiting" || dep.state === "queued" || dep.state === "processing") {
          this.#recommend(dep, "free");
        }
      }
    }
  }

  #recommend(ts: TaskState, to: Recommendation): void {
    this.#recs.push([ts, to]);
  }

  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      const recs = this.#recs;
      for (let i = 0; i < recs.length; i++) {
        const [ts, to] = recs[i]!;
        this.#transition(ts, to);
      }
      this.#recs = [];
    } finally {
      this.#draining = false;
    }
  }

  #transition(ts: TaskState, rec: Recommendation): void {
    const from = ts.state;
    if (from === "forgotten") return;
    let to: TaskStateName;
    if (rec === "free") {
      // Decided when the recommendation is carried out: the task may be needed again by then.
      if (this.#needed(ts)) return;
      to = ts.dependents === null || ts.dependents.size === 0 ? "forgotten" : "released";
    } else to = rec;
    if (from === to) return;
    // "Make it run" is moot for a task already queued, running or done (recommend "released" first to redo it).
    if (to === "waiting" && from !== "released") return;
    const fn = TRANSITIONS[`${from}>${to}`];
    if (fn !== undefined) {
      fn.call(this, ts);
      return;
    }
    const viaRelease = TRANSITIONS[`${from}>released`];
    const thenTo = TRANSITIONS[`released>${to}`];
    if (viaRelease !== undefined && thenTo !== undefined) {
      viaRelease.call(this, ts);
      if (ts.state === "released") thenTo.call(this, ts);
      return;
    }
    throw new Error(`scheduler: no transition from '${from}' to '${to}' for task '${ts.key}'`);
  }

  #setState(ts: TaskState, to: TaskStateName): void {
    const from = ts.state;
    ts.prefix.counts[from]--;
    ts.prefix.counts[to]++;
    ts.state = to;
    if (this.onTransition !== null) this.onTransition(ts.key, from, to, ts);
  }

  // ------------------------------------------------------------------ internals: transitions

  /** released → waiting: count missing dependencies (asking for them too); run when none are missing. */
  _releasedToWaiting(ts: TaskState): void {
    if (!this.#needed(ts)) return;
    this.#setState(ts, "waiting");
    ts.waitingOn = 0;
    if (ts.deps !== null) {
      ts.holdsDeps = true;
      for (const dep of ts.deps) {
        dep.nWaiters++;
        if (dep.state === "memory") continue;
        if (dep.state === "erred") {
          ts.error = dep.error;
          this.#recommend(ts, "erred");
          continue;
        }
        ts.waitingOn++;
        if (dep.state === "released") this.#recommend(dep, "waiting");
      }
    }
    if (ts.waitingOn === 0) this.#ready(ts);
  }

  /** All dependencies in memory: place it now (locality) or queue it until a worker has room. */
  #ready(ts: TaskState): void {
    if (this.workers.size === 0) {
      this.#enqueue(ts);
      return;
    }
    if (ts.deps !== null) {
      const ws = decideWorker(this, ts);
      if (ws !== null) {
        this.#assign(ts, ws);
        return;
      }
    } else if (this.queued.size === 0) {
      const ws = pickRootWorker(this);
      if (ws !== null) {
        this.#assign(ts, ws);
        return;
      }
    }
    this.#enqueue(ts);
  }

  #enqueue(ts: TaskState): void {
    this.#setState(ts, "queued");
    this.queued.push(ts);
  }

  /** Move queued tasks onto workers with room, in priority order. */
  #fillQueue(): void {
    while (this.queued.size > 0 && this.unsaturated.size > 0) {
      const ts = this.queued.pop()!;
      if (ts.state !== "queued") continue;
      const ws = ts.deps !== null ? decideWorker(this, ts) : pickRootWorker(this);
      if (ws === null) {
        this.queued.push(ts);
        break;
      }
      this.#assign(ts, ws);
    }
  }

  #assign(ts: TaskState, ws: WorkerState): void {
    if (ts.state !== "processing") this.#setState(ts, "processing");
    ts.processingOn = ws;
    ts.expected = ts.prefix.durationAverage >= 0 ? ts.prefix.durationAverage : this.defaultTaskDuration;
    ws.processing.add(ts);
    ws.occupancy += ts.expected;
    let list = this.#compute.get(ws);
    if (!list) this.#compute.set(ws, (list = []));
    list.push(ts);
    if (isSaturated(ws)) this.unsaturated.delete(ws);
  }

  #removeFromProcessing(ts: TaskState): void {
    const ws = ts.processingOn;
    if (ws === null) return;
    ws.processing.delete(ts);
    ws.occupancy -= ts.expected;
    if (ws.processing.size === 0 || ws.occupancy < 0) ws.occupancy = Math.max(0, ws.processing.size === 0 ? 0 : ws.occupancy);
    ts.processingOn = null;
    ts.stealTo = null;
    this.#checkSaturation(ws);
  }

  #checkSaturation(ws: WorkerState): void {
    if (ws.status !== "running") return;
    if (isSaturated(ws)) this.unsaturated.delete(ws);
    else this.unsaturated.add(ws);
  }

  #toMemory(ts: TaskState, ws: WorkerState): void {
    this.#removeFromProcessing(ts);
    this.#setState(ts, "memory");
    this.counters.tasksFinished++;
    ts.whoHas = [ws];
    ws.hasWhat.add(ts);
    ws.nbytes += Math.max(0, ts.nbytes);
    ts.suspicious = null;
    this.#undoDeps(ts);
    if (ts.dependents !== null) {
      for (const dt of ts.dependents) {
        if (dt.state !== "waiting") continue;
        dt.waitingOn--;
        if (dt.waitingOn === 0) this.#ready(dt);
      }
    }
    if (ts.nWanted > 0) {
      const loc = this.#location(ts);
      this.#notifyWanters(this.#clientMemory, ts, loc);
    }
    if (!this.#needed(ts)) this.#recommend(ts, "free");
  }

  #addReplica(ts: TaskState, ws: WorkerState, nbytes: number, type: string | undefined): void {
    if (ts.state !== "memory") {
      // A worker (re)announced a value we were about to compute: take it.
      if (ts.state === "processing") this.#removeFromProcessing(ts);
      else if (ts.state === "queued") {
        /* lazily skipped by the queue */
      }
      ts.nbytes = nbytes;
      ts.type = type;
      this.#undoDeps(ts);
      this.#setState(ts, "memory");
      ts.whoHas = [ws];
      ws.hasWhat.add(ts);
      ws.nbytes += Math.max(0, nbytes);
      if (ts.dependents !== null) {
        for (const dt of ts.dependents) {
          if (dt.state !== "waiting") continue;
          dt.waitingOn--;
          if (dt.waitingOn === 0) this.#ready(dt);
        }
      }
      return;
    }
    if (ts.whoHas === null) ts.whoHas = [];
    if (!ts.whoHas.includes(ws)) {
      ts.whoHas.push(ws);
      ws.hasWhat.add(ts);
      ws.nbytes += Math.max(0, nbytes);
    }
  }

  /** The last copy of a result is gone: forget where it was; recompute it if still needed. */
  #lose(ts: TaskState): void {
    ts.whoHas = null;
    this.#setState(ts, "released");
    if (ts.nWanted > 0) {
      this.#notifyWanters(this.#clientLost, ts, ts.key);
    }
    if (ts.dependents !== null) {
      for (const dt of ts.dependents) {
        if (dt.state === "waiting") dt.waitingOn++;
        else if (dt.state === "processing" || dt.state === "queued") {
          this.#recommend(dt, "released");
          this.#recommend(dt, "waiting");
        }
      }
    }
    if (this.#needed(ts)) this.#recommend(ts, "waiting");
    else if (ts.dependents === null || ts.dependents.size === 0) this.#recommend(ts, "forgotten");
  }

  _toReleasedFromActive(ts: TaskState): void {
    if (ts.state === "processing") {
      const ws = ts.processingOn;
      this.#removeFromProcessing(ts);
      if (ws !== null) this.#freeOn(ws, [ts.key]);
    }
    this.#undoDeps(ts);
    this.#setState(ts, "released");
    if (!this.#needed(ts) && (ts.dependents === null || ts.dependents.size === 0)) this.#recommend(ts, "forgotten");
  }

  _memoryToReleased(ts: TaskState): void {
    if (ts.whoHas !== null) {
      for (const ws of ts.whoHas) {
        ws.hasWhat.delete(ts);
        ws.nbytes -= Math.max(0, ts.nbytes);
        this.#freeOn(ws, [ts.key]);
      }
      ts.whoHas = null;
    }
    this.#setState(ts, "released");
    // Dependents still waiting for it must wait again (only when released while needed, e.g. recompute).
    if (ts.dependents !== null) {
      for (const dt of ts.dependents) if (dt.state === "waiting") dt.waitingOn++;
    }
    if (this.#needed(ts)) this.#recommend(ts, "waiting");
    else if (ts.dependents === null || ts.dependents.size === 0) this.#recommend(ts, "forgotten");
  }

  _toErred(ts: TaskState): void {
    if (ts.state === "processing") {
      this.#removeFromProcessing(ts);
    }
    this.#undoDeps(ts);
    this.#setState(ts, "erred");
    this.counters.tasksErred++;
    const error: WireError = ts.error ?? { name: "Error", message: `task '${ts.key}' failed`, key: ts.key };
    ts.error = error;
    if (ts.nWanted > 0) {
      this.#notifyWanters(this.#clientErred, ts, { key: ts.key, error });
    }
    if (ts.dependents !== null) {
      for (const dt of ts.dependents) {
        if (dt.state === "waiting" || dt.state === "queued" || dt.state === "processing" || dt.state === "released") {
          if (dt.state === "released" && !this.#needed(dt)) continue;
          dt.error = error;
          this.#recommend(dt, "erred");
        }
      }
    }
    if (!this.#needed(ts) && (ts.dependents === null || ts.dependents.size === 0)) this.#recommend(ts, "forgotten");
  }

  _erredToReleased(ts: TaskState): void {
    ts.error = undefined;
    this.#setState(ts, "released");
    if (!this.#needed(ts) && (ts.dependents === null || ts.dependents.size === 0)) this.#recommend(ts, "forgotten");
  }

  _releasedToForgotten(ts: TaskState): void {
    if (this.#needed(ts) || (ts.dependents !== null && ts.dependents.size > 0)) return;
    this.#setState(ts, "forgotten");
    ts.prefix.counts.forgotten--; // forgotten tasks are not counted (they are gone)
    this.tasks.delete(ts.key);
    if (ts.deps !== null) {
      for (const dep of ts.deps) {
        if (dep.dependents === null) continue;
        dep.dependents.delete(ts);
        if (dep.dependents.size === 0 && !this.#needed(dep) && (dep.state === "released" || dep.state === "erred")) {
          this.#recommend(dep, "forgotten");
        }
      }
    }
    ts.deps = null;
    ts.args = undefined;
    ts.fn = undefined;
    ts.data = undefined;
  }

  // ------------------------------------------------------------------ internals: helpers

  #freeOn(ws: WorkerState, keys: readonly Key[]): void {
    let list = this.#free.get(ws);
    if (!list) this.#free.set(ws, (list = []));
    for (const k of keys) list.push(k);
  }

  #pushClient<T>(box: Map<ClientState, T[]>, cs: ClientState, item: T): void {
    let list = box.get(cs);
    if (!list) box.set(cs, (list = []));
    list.push(item);
  }

  #location(ts: TaskState): KeyLocation {
    const loc: KeyLocation = { key: ts.key, workers: ts.whoHas ? ts.whoHas.map((w) => w.address) : [], nbytes: ts.nbytes };
    if (ts.type !== undefined) loc.type = ts.type;
    return loc;
  }

  #prefix(key: Key): TaskPrefix {
    const name = keyPrefix(key);
    let p = this.prefixes.get(name);
    if (!p) this.prefixes.set(name, (p = new TaskPrefix(name)));
    return p;
  }

  #recordDuration(ts: TaskState, duration: number): void {
    if (!(duration >= 0)) return;
    const p = ts.prefix;
    p.durationAverage = p.durationAverage < 0 ? duration : 0.5 * p.durationAverage + 0.5 * duration;
  }
}

/** The transition table, keyed "from>to". Pairs not listed go through "released". */
const TRANSITIONS: Partial<Record<`${TaskStateName}>${TaskStateName}`, TransitionFn>> = {
  "released>waiting": SchedulerState.prototype._releasedToWaiting,
  "released>erred": SchedulerState.prototype._toErred,
  "released>forgotten": SchedulerState.prototype._releasedToForgotten,
  "waiting>released": SchedulerState.prototype._toReleasedFromActive,
  "queued>released": SchedulerState.prototype._toReleasedFromActive,
  "processing>released": SchedulerState.prototype._toReleasedFromActive,
  "waiting>erred": SchedulerState.prototype._toErred,
  "queued>erred": SchedulerState.prototype._toErred,
  "processing>erred": SchedulerState.prototype._toErred,
  "memory>released": SchedulerState.prototype._memoryToReleased,
  "erred>released": SchedulerState.prototype._erredToReleased,
};
