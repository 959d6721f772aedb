/**
 * Every message that travels between client, scheduler and workers, as one discriminated union on
 * `op` (kebab-case, like Dask). Hot-path messages carry batches (`compute-tasks`, `task-finished`,
 * `keys-in-memory`) so that thousands of tasks cost a handful of frames. Typed arrays anywhere inside
 * a message travel as raw frames (see ./framing), so values can be placed in messages as they are.
 */
import type { Arg, Key } from "../graph/spec.js";

/** An error as it crosses the wire: enough to re-throw it at the caller with the remote stack. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  /** Task whose run raised it (the original one when a dependency failed). */
  key?: Key;
  /** Stable error code when it is a Tessera error (e.g. "TESSERA_ERR_KILLED_WORKER"). */
  code?: string;
}

/** A task as a client sends it to the scheduler, in graph order (earlier = run first). */
export interface WireTask {
  key: Key;
  /** Operation name (a registered op, or "call" with a function descriptor as first argument). */
  op?: string;
  args?: Arg[];
  /** A data node: the value itself, stored by the worker without running anything. */
  data?: Arg;
  /** Keys referenced by `args` ({$ref}), computed by the client so the scheduler never walks args. */
  deps?: Key[];
  /**
   * Index into the message's `functions`: the task runs op "call" with that function descriptor
   * prepended to `args` (sent once per message, not once per task).
   */
  fn?: number;
  /** How many more times to run it after it fails (default from the update-graph message). */
  retries?: number;
  /** Only these workers (addresses, names or hosts) may run it. */
  workers?: string[];
  /** Only workers declaring at least these resources (e.g. {GPU: 1}) may run it. */
  resources?: Record<string, number>;
}

/**
 * A task as the scheduler hands it to a worker (`fn` indexes ComputeTasksMsg.functions); `resources`
 * are held on the worker while it runs.
 */
export interface ComputeTask extends Omit<WireTask, "retries" | "workers"> {
  /** Lower runs first. */
  priority: number;
}

export interface FinishedTask {
  key: Key;
  nbytes: number;
  /** Value type name for the dashboard ("Float64Array", "number", ...). */
  type: string;
  /** Seconds spent running (thread time as measured by the worker). */
  duration: number;
  /** Wall clock (ms since epoch) when it started, for the task stream. */
  start: number;
}

export interface ErredTask {
  key: Key;
  error: WireError;
  duration: number;
  start: number;
}

export interface WorkerMetrics {
  /** Bytes held in this worker's store (memory, not spilled). */
  managedBytes: number;
  spilledBytes?: number;
  /** Process resident set size in bytes. */
  rss: number;
  executing: number;
  ready: number;
  inMemory: number;
  paused?: boolean;
  /** Nanny restarts of this worker, when run under a nanny. */
  restarts?: number;
  /**
   * CPU use of the worker process since its previous heartbeat, in percent of one core (task
   * threads included: 200 = two cores busy).
   */
  cpuPercent?: number;
}

/**
 * Something a worker spent time on besides running tasks, for the dashboard's task stream:
 * fetching inputs from a peer ("transfer") or writing results to disk ("spill").
 */
export interface WorkerActivitySpan {
  action: "transfer" | "spill";
  /** Wall clock, ms since the epoch. */
  start: number;
  stop: number;
  /** Bytes moved (received, or written to disk). */
  bytes: number;
  /** Keys moved. */
  keys: number;
  /** The peer worker's address (transfers). */
  peer?: string;
}

export interface KeyLocation {
  key: Key;
  workers: string[];
  nbytes: number;
  type?: string;
}

export interface ClusterSummary {
  workers: number;
  threads: number;
  memoryLimit: number;
}

// ---------------------------------------------------------------- worker → scheduler
/** Who a worker is: what it registers with, and what scheduler plugins see of it. */
export interface WorkerIdentity {
  /** Address the worker listens on for peers and clients. */
  address: string;
  name: string;
  nthreads: number;
  memoryLimit: number;
  pid: number;
  host: string;
  /** Free-form facts: SLURM job id, nanny pid, local directory... */
  metadata: Record<string, string>;
}

export interface RegisterWorkerMsg extends WorkerIdentity {
  op: "register-worker";
  /** Keys it already holds (a worker re-registering after a network blip). */
  keys: KeyLocation[];
}
export interface HeartbeatWorkerMsg {
  op: "heartbeat-worker";
  metrics: WorkerMetrics;
  /** Transfers and spills since the previous heartbeat, oldest first (bounded: the oldest are dropped). */
  spans?: WorkerActivitySpan[];
  /** Spans dropped since the previous heartbeat because there were too many. */
  droppedSpans?: number;
}
export interface TaskFinishedMsg {
  op: "task-finished";
  tasks: FinishedTask[];
}
export interface TaskErredMsg {
  op: "task-erred";
  tasks: ErredTask[];
}
export interface StealResponseMsg {
  op: "steal-response";
  /** Keys the worker gave up (were not yet running). */
  released: Key[];
  /** Keys it kept (already running or done). */
  kept: Key[];
}
export interface MissingDataMsg {
  op: "missing-data";
  /** Keys a peer did not have when this worker asked for them. */
  keys: Key[];
  worker: string;
}
export interface AddKeysMsg {
  op: "add-keys";
  /** Replicas this worker now holds (after acquire-replicas). */
  keys: KeyLocation[];
}
export interface ReleaseWorkerDataMsg {
  op: "release-worker-data";
  keys: Key[];
}
export interface WorkerRetireMeMsg {
  op: "retire-me";
  reason: string;
}
/** The answer to an upload-file: written (and imported by every task thread when asked), or why not. */
export interface FileUploadedMsg {
  op: "file-uploaded";
  name: string;
  /** Where the worker wrote it. */
  path?: string;
  error?: string;
}

// ---------------------------------------------------------------- scheduler → worker
export interface WorkerRegisteredMsg {
  op: "worker-registered";
  heartbeatIntervalMs: number;
}
export interface RegisterRefusedMsg {
  op: "register-refused";
  reason: string;
}
export interface ComputeTasksMsg {
  op: "compute-tasks";
  tasks: ComputeTask[];
  /** Function descriptors the tasks refer to by index. */
  functions?: unknown[];
  /** Where each non-local dependency lives: key → worker addresses. */
  whoHas: Record<Key, string[]>;
  /** Size in bytes of each non-local dependency, as known to the scheduler (bounds the bytes fetched at once). */
  nbytes?: Record<Key, number>;
}
export interface FreeKeysMsg {
  op: "free-keys";
  /** Drop these values and forget these tasks (cancel them if not yet running). */
  keys: Key[];
}
export interface StealRequestMsg {
  op: "steal-request";
  keys: Key[];
}
export interface AcquireReplicasMsg {
  op: "acquire-replicas";
  /** Fetch these keys from the listed workers and keep them (graceful retirement). */
  whoHas: Record<Key, string[]>;
}
/**
 * A file from a client (client.uploadFile), for every current and future worker: written to the
 * worker's upload directory, and with `load`, imported by every task thread (a module registering
 * ops). `sourceUrl`: the file's URL on the client, so functions tagged with remote() from that module
 * load the uploaded copy.
 */
export interface UploadFileMsg {
  op: "upload-file";
  name: string;
  data: Uint8Array;
  load: boolean;
  sourceUrl?: string;
}
export interface CloseWorkerMsg {
  op: "close-worker";
  reason: string;
}

// ---------------------------------------------------------------- client → scheduler
export interface RegisterClientMsg {
  op: "register-client";
  name: string;
}
export interface UpdateGraphMsg {
  op: "update-graph";
  /** In graph order: the scheduler runs earlier tasks first (among those ready). */
  tasks: WireTask[];
  /** Function descriptors the tasks refer to by index (WireTask.fn). */
  functions?: unknown[];
  /** Keys this client holds futures for. */
  wanted: Key[];
  /** Higher runs first (Dask's `priority=`). */
  priority?: number;
  retries?: number;
}
export interface ClientDesiresKeysMsg {
  op: "client-desires-keys";
  keys: Key[];
}
export interface ClientReleasesKeysMsg {
  op: "client-releases-keys";
  keys: Key[];
}
export interface CancelKeysMsg {
  op: "cancel-keys";
  keys: Key[];
}

/** Request/response pairs over one comm: the reply carries the request's id. */
export interface WhoHasMsg {
  op: "who-has";
  id: number;
  keys: Key[];
}
/** One task in the task stream (reply of task-stream stop). */
export interface TaskStreamEntry {
  key: Key;
  prefix: string;
  worker: string;
  /** ms since epoch. */
  start: number;
  stop: number;
  status: "memory" | "erred";
}
/** Start recording the task stream (reply: a position), or stop and get the tasks since `position`. */
export interface TaskStreamMsg {
  op: "task-stream";
  id: number;
  action: "start" | "stop";
  position?: number;
}
/** How many of `keys` are done (reply: {done, erred}); for progress bars over whole graphs. */
export interface CountDoneMsg {
  op: "count-done";
  id: number;
  keys: Key[];
}
export interface SchedulerInfoMsg {
  op: "scheduler-info";
  id: number;
  /** Run a garbage collection first (when the scheduler runs with --expose-gc), for memory figures. */
  gc?: boolean;
  /** Also answer how many workers the load wants (`adaptiveTarget`), for adaptive scaling from afar. */
  targetDurationS?: number;
}
/** Move results between workers so that their memory is balanced (reply: RebalanceResult). */
export interface RebalanceMsg {
  op: "rebalance";
  id: number;
  /** Only these keys may move (default: all). */
  keys?: Key[];
  /** Only these workers (addresses) send or receive (default: all running). */
  workers?: string[];
}
export interface RebalanceResult {
  /** Keys moved, as {key: [from, to]}. */
  moved: Record<Key, [string, string]>;
  /** Keys whose move did not complete (the recipient could not fetch them, or a worker left). */
  failed: Key[];
}
/** Send a file to every current and future worker (reply: {worker address: path written}). */
export interface ClientUploadFileMsg extends Omit<UploadFileMsg, "op"> {
  op: "upload-file";
  id: number;
}
export interface RetireWorkersMsg {
  op: "retire-workers";
  id: number;
  names?: string[];
  addresses?: string[];
  closeWorkers?: boolean;
}

// ---------------------------------------------------------------- scheduler → client
export interface ClientRegisteredMsg {
  op: "client-registered";
  clientId: string;
  cluster: ClusterSummary;
  dashboardLink?: string;
}
export interface KeysInMemoryMsg {
  op: "keys-in-memory";
  keys: KeyLocation[];
}
export interface KeysErredMsg {
  op: "keys-erred";
  errors: { key: Key; error: WireError }[];
}
export interface KeysCancelledMsg {
  op: "keys-cancelled";
  keys: Key[];
  reason: string;
}
/** A key this client wants is being recomputed (its only copy was lost). */
export interface KeysLostMsg {
  op: "keys-lost";
  keys: Key[];
}
export interface ClusterChangedMsg {
  op: "cluster-changed";
  cluster: ClusterSummary;
}
export interface ReplyMsg {
  op: "reply";
  id: number;
  result?: unknown;
  error?: WireError;
}

// ---------------------------------------------------------------- anyone → worker (peers, clients)
export interface GetDataMsg {
  op: "get-data";
  id: number;
  keys: Key[];
}
export interface DataMsg {
  op: "data";
  id: number;
  /** Values found, by key. */
  data: Record<Key, unknown>;
  /** Keys the worker does not hold. */
  missing: Key[];
}

/** Any connection starts with this message so the server knows who is speaking. */
export interface HelloMsg {
  op: "hello";
  role: "client" | "worker" | "peer";
}

export type WorkerToScheduler =
  | RegisterWorkerMsg
  | HeartbeatWorkerMsg
  | TaskFinishedMsg
  | TaskErredMsg
  | StealResponseMsg
  | MissingDataMsg
  | AddKeysMsg
  | ReleaseWorkerDataMsg
  | WorkerRetireMeMsg
  | FileUploadedMsg;

export type SchedulerToWorker =
  | WorkerRegisteredMsg
  | RegisterRefusedMsg
  | ComputeTasksMsg
  | FreeKeysMsg
  | StealRequestMsg
  | AcquireReplicasMsg
  | UploadFileMsg
  | CloseWorkerMsg;

export type ClientToScheduler =
  | RegisterClientMsg
  | UpdateGraphMsg
  | ClientDesiresKeysMsg
  | ClientReleasesKeysMsg
  | CancelKeysMsg
  | WhoHasMsg
  | CountDoneMsg
  | TaskStreamMsg
  | SchedulerInfoMsg
  | RebalanceMsg
  | ClientUploadFileMsg
  | RetireWorkersMsg;

export type SchedulerToClient =
  | ClientRegisteredMsg
  | KeysInMemoryMsg
  | KeysErredMsg
  | KeysCancelledMsg
  | KeysLostMsg
  | ClusterChangedMsg
  | ReplyMsg;

export type PeerMessage = GetDataMsg | DataMsg;

export type Message = WorkerToScheduler | SchedulerToWorker | ClientToScheduler | SchedulerToClient | PeerMessage | HelloMsg;

export type MessageOp = Message["op"];

/** Reply payload of `scheduler-info`. */
export interface SchedulerInfo {
  address: string;
  id: string;
  dashboardLink?: string;
  workers: {
    address: string;
    name: string;
    nthreads: number;
    memoryLimit: number;
    pid: number;
    host: string;
    metadata: Record<string, string>;
    /** Tasks processing on it now. */
    processing: number;
    /** Results it holds. */
    stored: number;
  }[];
  cluster: ClusterSummary;
  /** Workers the load wants, when the request gave `targetDurationS`. */
  adaptiveTarget?: number;
  /** Tasks the scheduler holds (any state but forgotten). */
  tasks: number;
  /** The scheduler process's memory (bytes). */
  memory: { heapUsed: number; rss: number };
}

/** Sends a typed message on a Comm (whose send takes any `{op}` record). */
export function sendMessage(comm: { send(msg: { op: string; [k: string]: unknown }): void }, msg: Message): void {
  comm.send(msg as unknown as { op: string; [k: string]: unknown });
}
