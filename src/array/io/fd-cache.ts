/**
 * Open file descriptors per worker process, keyed by path and a stamp (mtime and size seen when
 * the graph was built), so that many block reads of one file share one open; at most 32 stay open.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { IONotFoundError } from "./errors.js";

const fds = new Map<string, number>();

export function cachedFd(file: string, stamp: string): number {
  const id = `${file}\0${stamp}`;
  const fd = fds.get(id);
  if (fd !== undefined) {
    fds.delete(id);
    fds.set(id, fd); // most recently used last
    return fd;
  }
  let opened: number;
  try {
    opened = openSync(file, "r");
  } catch (e) {
    throw new IONotFoundError(`cannot open ${file} on this worker: ${(e as Error).message}`, { cause: e });
  }
  fds.set(id, opened);
  if (fds.size > 32) {
    const [oldId, oldFd] = fds.entries().next().value as [string, number];
    fds.delete(oldId);
    closeSync(oldFd);
  }
  return opened;
}

/** Read exactly `length` bytes at `position` into `into` at `offset`, or fail naming the file. */
export function readFully(fd: number, file: string, into: Uint8Array, offset: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, into, offset + done, length - done, position + done);
    if (n === 0) throw new IONotFoundError(`${file} is shorter than expected: no bytes at offset ${position + done} (truncated file?)`);
    done += n;
  }
}
