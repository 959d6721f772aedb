/** Messages between the pool (main thread) and its task threads, and what a task run produces. */

export interface TaskRequest {
  readonly key: string;
  readonly op: string;
  /** Arguments with references already replaced by values. */
  readonly args: readonly unknown[];
}

export interface TaskErrorInfo {
  name: string;
  message: string;
  stack: string;
  key: string;
}

/** Times are wall-clock seconds since the Unix epoch (float, µs resolution), as Dask reports them. */
export type TaskOutcome =
  | { status: "ok"; value: unknown; nbytes: number; startTime: number; stopTime: number }
  | { status: "error"; error: TaskErrorInfo; startTime: number; stopTime: number };

/** main → thread: run these tasks in order. Each entry: [taskId, key, op, args]. */
export interface RunBatch {
  readonly type: "run";
  readonly tasks: Array<[number, string, string, unknown[]]>;
}

/** thread → main: finished tasks. ok: [id, 0, value, nbytes, start, stop]; error: [id, 1, TaskErrorInfo, 0, start, stop]. */
export type ResultEntry = [number, 0 | 1, unknown, number, number, number];

export interface ResultBatch {
  readonly type: "results";
  readonly results: ResultEntry[];
}

export interface ReadyMessage {
  readonly type: "ready";
}

export interface StartupFailedMessage {
  readonly type: "startup-failed";
  readonly error: TaskErrorInfo;
}

/** main → thread: a module uploaded by a client (client.uploadFile): import it and/or alias its client URL. */
export interface LoadModule {
  readonly type: "load";
  readonly id: number;
  readonly module: UploadedModule;
}

export interface UploadedModule {
  /** file:// URL of the copy on this worker. */
  readonly url: string;
  /** Its URL on the client: functions tagged with remote() there load `url` here. */
  readonly sourceUrl?: string;
  /** Import it (a module that registers ops). */
  readonly load: boolean;
}

/** thread → main: a LoadModule is done (error: why the import failed). */
export interface LoadedMessage {
  readonly type: "loaded";
  readonly id: number;
  readonly error?: string;
}

export type MainToThread = RunBatch | LoadModule;

export type ThreadToMain = ResultBatch | ReadyMessage | StartupFailedMessage | LoadedMessage;

/** workerData given to each task thread. */
export interface ThreadInit {
  /** Extra modules to import (op registrations) after the built-in op modules. */
  readonly opModules: readonly string[];
  /** Modules uploaded by clients so far (replacement threads get them too). */
  readonly uploaded: readonly UploadedModule[];
  /** Typed-array results of at least this many bytes are moved into a SharedArrayBuffer. */
  readonly shareThresholdBytes: number;
  /** Int32Array over a SharedArrayBuffer: [0] = id of the task running now (-1 when idle). */
  readonly current: Int32Array;
}
