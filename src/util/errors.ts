/**
 * Named error classes with stable codes (like fastify's FST_ERR_…): callers branch on `code`, never on
 * message text. Other layers add their own classes here.
 */
export class TesseraError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bytes on the wire broke the protocol: bad frame, bad header, unknown placeholder, oversized frame. */
export class ProtocolError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("TESSERA_ERR_PROTOCOL", message, options);
  }
}

/** A frame announced more bytes than the configured maximum. */
export class FrameTooLargeError extends TesseraError {
  constructor(readonly claimedBytes: number, readonly maxFrameBytes: number) {
    super(
      "TESSERA_ERR_FRAME_TOO_LARGE",
      `frame of ${claimedBytes} bytes exceeds the maximum frame size of ${maxFrameBytes} bytes; ` +
        `raise maxFrameBytes on both ends if such messages are intended`,
    );
  }
}

/** The peer could not prove it knows the shared secret (or we could not prove it to the peer). */
export class AuthenticationError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_AUTHENTICATION", message);
  }
}

/** The two ends speak different protocol versions. */
export class VersionMismatchError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_VERSION_MISMATCH", message);
  }
}

/** The handshake did not finish in time. */
export class HandshakeTimeoutError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_HANDSHAKE_TIMEOUT", message);
  }
}

/** Could not open a connection (refused, unreachable, timed out, closed during the handshake). */
export class ConnectError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("TESSERA_ERR_CONNECT", message, options);
  }
}

/** An address string that is not tcp://HOST:PORT or tls://HOST:PORT. */
export class AddressError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_ADDRESS", message);
  }
}

/** Secret/TLS configuration is missing, unreadable or unsafe (e.g. a secret file readable by others). */
export class SecurityConfigError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("TESSERA_ERR_SECURITY_CONFIG", message, options);
  }
}

/** send() on a Comm that is already closed. */
export class CommClosedError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_COMM_CLOSED", message);
  }
}

/**
 * A task raised. One class for every executor: the in-process one (`cause` is the thrown value) and
 * the cluster (the remote error's name, message and worker stack). `key` names the failing task.
 */
export class TaskError extends TesseraError {
  readonly key: string;
  /** The op the task ran, when known. */
  readonly op: string | undefined;
  /** The name of the error the task raised (e.g. "RangeError"). */
  readonly remoteName: string;
  /** The stack on the worker, when the task ran remotely. */
  readonly remoteStack: string | undefined;
  constructor(key: string, message: string, opts: { op?: string; remoteName?: string; remoteStack?: string; cause?: unknown } = {}) {
    super("TESSERA_ERR_TASK", message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.key = key;
    this.op = opts.op;
    this.remoteName = opts.remoteName ?? (opts.cause instanceof Error ? opts.cause.name : "Error");
    this.remoteStack = opts.remoteStack;
    if (opts.remoteStack) this.stack = `${this.stack ?? ""}\n--- remote stack (on the worker) ---\n${opts.remoteStack}`;
  }
}

/** The code of KilledWorker, on the wire and on the class. */
export const KILLED_WORKER_CODE = "TESSERA_ERR_KILLED_WORKER";

/** The task was processing on workers that all died (Dask's KilledWorker). */
export class KilledWorker extends TesseraError {
  readonly key: string;
  constructor(key: string, message: string) {
    super(KILLED_WORKER_CODE, message);
    this.key = key;
  }
}

/** The future was cancelled (by `cancel` or because its key was released). */
export class CancelledError extends TesseraError {
  readonly key: string;
  constructor(key: string, why = "it was cancelled") {
    super("TESSERA_ERR_CANCELLED", `task '${key}' will not complete: ${why}`);
    this.key = key;
  }
}

/** A call or command got an argument or option it cannot use; the message says what to pass instead. */
export class UsageError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_USAGE", message);
  }
}

/** Waited longer than the caller allowed (for workers, for a result). */
export class TimeoutError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_TIMEOUT", message);
  }
}

/** Something Tessera itself got wrong (a broken invariant); please report it. */
export class InternalError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_INTERNAL", message);
  }
}

/** The object (a worker, cluster or store) was closed before or while the call ran. */
export class ClosedError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_CLOSED", message);
  }
}

/** A task graph is malformed: a reference to a key it lacks, a cycle, a pass registered twice. */
export class GraphError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_GRAPH", message);
  }
}

/** A task names an op no module registered in this process (or the name is taken). */
export class UnknownOpError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_UNKNOWN_OP", message);
  }
}

/** A shipped function could not be compiled or imported where the task runs. */
export class FunctionLoadError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_FUNCTION_LOAD", message);
  }
}

/** A spill file on a worker's disk could not be written or read back (truncated, corrupt, gone). */
export class SpillFileError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_SPILL_FILE", message);
  }
}

/** The scheduler refused a worker's registration (e.g. its name is taken). */
export class RegistrationRefusedError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_REGISTRATION_REFUSED", message);
  }
}
