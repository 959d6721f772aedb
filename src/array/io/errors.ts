/**
 * Errors of file and store IO. Each has its own class (the name survives the trip from a worker
 * to the client, as `remoteName` of the client's TaskError) and a stable code.
 */
import { TesseraError } from "../../util/errors.js";

/** A file, store, array path or chunk directory that does not exist. */
export class IONotFoundError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) { super("TESSERA_ERR_IO_NOT_FOUND", message, options); }
}

/** A variable / dataset / array name that the file does not hold; `available` lists those it does. */
export class UnknownVariableError extends TesseraError {
  constructor(readonly variable: string, readonly available: readonly string[], where: string) {
    super("TESSERA_ERR_IO_UNKNOWN_VARIABLE",
      `${where} has no variable '${variable}'; it has: ${available.length ? available.map((v) => `'${v}'`).join(", ") : "(none)"}`);
  }
}

/** A stored chunk that cannot be read or decoded (corrupt, truncated, or missing when asked to fail). */
export class ChunkReadError extends TesseraError {
  constructor(readonly chunkKey: string, message: string, options?: { cause?: unknown }) { super("TESSERA_ERR_IO_CHUNK", message, options); }
}

/** A codec, dtype, layout or format version Tessera cannot read or write. */
export class UnsupportedFormatError extends TesseraError {
  constructor(message: string) { super("TESSERA_ERR_IO_UNSUPPORTED", message); }
}

/** Writing where something already exists, without `overwrite: true`. */
export class StoreExistsError extends TesseraError {
  constructor(message: string) { super("TESSERA_ERR_IO_EXISTS", message); }
}

/** Blocks that would share a storage chunk (parallel writers would overwrite each other's data). */
export class ChunkAlignmentError extends TesseraError {
  constructor(message: string) { super("TESSERA_ERR_IO_ALIGNMENT", message); }
}

/** Unknown or ill-typed options of an IO function. */
export class IOOptionsError extends TesseraError {
  constructor(message: string) { super("TESSERA_ERR_IO_OPTIONS", message); }
}

/** A store whose write did not finish (it carries the incomplete marker). */
export class IncompleteStoreError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) { super("TESSERA_ERR_IO_INCOMPLETE", message, options); }
}

/** A write that failed part-way; the message says what was left behind and how it is marked. */
export class WriteFailedError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) { super("TESSERA_ERR_IO_WRITE_FAILED", message, options); }
}
