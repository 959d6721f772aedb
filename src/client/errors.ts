/** Errors a Client raises at the caller. Stable `code`s; task errors carry the remote stack and key. */
import { TesseraError, TaskError, KilledWorker, CancelledError, KILLED_WORKER_CODE } from "../util/errors.js";

export { TaskError, KilledWorker, CancelledError };
import type { Key } from "../graph/spec.js";
import type { WireError } from "../protocol/messages.js";

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

/**
 * A request to the scheduler (rebalance, uploadFile, retireWorkers…) failed there. `code` is the
 * scheduler's code for it (e.g. TESSERA_ERR_UPLOAD, TESSERA_ERR_USAGE), else TESSERA_ERR_REQUEST.
 */
export class SchedulerRequestError extends TesseraError {
  constructor(remote: WireError) {
    super(remote.code ?? "TESSERA_ERR_REQUEST", remote.message);
    if (remote.stack !== undefined) this.stack = `${this.stack ?? ""}\n--- on the scheduler ---\n${remote.stack}`;
  }
}

/** Turns an error reported by the scheduler into the error raised at the caller. */
export function errorFor(key: Key, remote: WireError): Error {
  if (remote.code === KILLED_WORKER_CODE) return new KilledWorker(remote.key ?? key, remote.message);
  if (remote.name === "CancelledError") return new CancelledError(key, remote.message);
  const origin = remote.key !== undefined && remote.key !== key ? ` (its input '${remote.key}' failed)` : "";
  return new TaskError(key, `task '${key}' failed${origin}: ${remote.name}: ${remote.message}`, {
    remoteName: remote.name,
    ...(remote.stack !== undefined ? { remoteStack: remote.stack } : {}),
  });
}
