/**
 * Read a whole (chunk) file with one open, fstat and read into a buffer reused by every call in
 * this thread: the view returned is valid until the next call. Stored chunks are read and
 * decoded synchronously inside one task, so nothing else uses the buffer meanwhile.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { IONotFoundError } from "./errors.js";

let buffer = new Uint8Array(0);

/** The bytes of `file`, or null when it does not exist. */
export function readWholeFile(file: string): Uint8Array | null {
  let fd: number;
  try { fd = openSync(file, "r"); } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new IONotFoundError(`cannot open ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const size = fstatSync(fd).size;
    if (buffer.length < size) buffer = new Uint8Array(Math.ceil(size * 1.25));
    let done = 0;
    while (done < size) {
      const n = readSync(fd, buffer, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    return buffer.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}
