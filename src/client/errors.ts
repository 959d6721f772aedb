/** Errors a Client raises at the caller. Stable `code`s; task errors carry the remote stack and key. */
import { TesseraError } from "../util/errors.js";
import type { Key } from "../graph/spec.js";
import type { WireError } from "../protocol/messages.js";

/** A task raised: the remote error's name and message, the task key, and the worker's stack. */
export class TaskError extends TesseraError {
  readonly key: Key;
  readonly remoteName: string;
  readonly remoteStack: string | undefined;
  constructor(key: Key, remote: WireError) {
    const origin = remote.key !== undefined && remote.key !== key ? ` (its input '${remote.key}' failed)` : "";
    super("TESSERA_ERR_TASK", `task '${key}' failed${origin}: ${remote.name}: ${remote.message}`);
    this.key = key;
    this.remoteName = remote.name;
    this.remoteStack = remote.stack;
    if (remote.stack) this.stack = `${this.stack ?? ""}\n--- remote stack (on the worker) ---\n${remote.stack}`;
  }
}

/** The task was processing on workers that all died (Dask's KilledWorker). */
export class KilledWorker extends TesseraError {
  readonly key: Key;
  constructor(key: Key, message: string) {
    super("TESSERA_ERR_KILLED_WORKER", message);
    this.key = key;
  }
}

/** The future was cancelled (by `cancel` or because its key was released). */
export class CancelledError extends TesseraError {
  readonly key: Key;
  constructor(key: Key, why = "it was cancelled") {
    super("TESSERA_ERR_CANCELLED", `task '${key}' will not complete: ${why}`);
    this.key = key;
  }
}

/** The connection to the scheduler was lost (or the client closed) while results were pending. */
export class SchedulerGoneError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_SCHEDULER_GONE", message);
  }
}

/** The client is closed (or never connected) and cannot do what was asked. */
export class ClientClosedError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_CLIENT_CLOSED", message);
  }
}

/** A task or request could not be encoded for the wire; nothing of it was sent. */
export class MessageEncodeError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("TESSERA_ERR_MESSAGE_ENCODE", message, options);
  }
}

/** Turns an error reported by the scheduler into the error raised at the caller. */
export function errorFor(key: Key, remote: WireError): Error {
  if (remote.code === "KILLED_WORKER" || remote.name === "KilledWorker") return new KilledWorker(remote.key ?? key, remote.message);
  if (remote.name === "CancelledError") return new CancelledError(key, remote.message);
  return new TaskError(key, remote);
}
