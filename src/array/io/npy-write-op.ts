/** The `io.npy_write` op: on a worker, write one block's contiguous byte runs in place. */
import { closeSync, openSync, writeSync } from "node:fs";
import type { NDChunk } from "../fusion/ir.js";
import { forEachRun } from "./runs.js";

export interface NpyWriteSpec {
  readonly file: string;
  readonly dataOffset: number;
  readonly shape: readonly number[];
  readonly itemsize: number;
}

/** The `io.npy_write` op: write one block's contiguous runs in place. */
export function npyWrite(spec: NpyWriteSpec, start: readonly number[], block: NDChunk): number {
  const bytes = new Uint8Array(block.data.buffer, block.data.byteOffset, block.data.byteLength);
  const fd = openSync(spec.file, "r+");
  try {
    let at = 0;
    forEachRun(spec.shape, start, block.shape, (off, len) => {
      const nb = len * spec.itemsize;
      let done = 0;
      while (done < nb) done += writeSync(fd, bytes, at + done, nb - done, spec.dataOffset + off * spec.itemsize + done);
      at += nb;
    });
  } finally {
    closeSync(fd);
  }
  return block.data.byteLength;
}
