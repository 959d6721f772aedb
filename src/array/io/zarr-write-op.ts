/** The `io.zarr_write` op: on a worker, write one block (aligned to stored chunks) with zarrita. */
import * as zarr from "zarrita";
import type { NDChunk } from "../fusion/ir.js";
import { openZarrArray } from "./zarr-read.js";

export interface ZarrWriteSpec {
  readonly store: string;
  readonly path: string;
  readonly stamp: string;
}

/** The `io.zarr_write` op: write one block (aligned to stored chunks) at `start`; returns bytes given. */
export async function zarrWrite(spec: ZarrWriteSpec, start: readonly number[], block: NDChunk): Promise<number> {
  const arr = await openZarrArray(spec.store, spec.path, spec.stamp);
  const data = arr.dtype === "bool" ? new zarr.BoolArray(block.data.buffer as ArrayBuffer, block.data.byteOffset, block.data.length) : block.data;
  const shape = [...block.shape];
  const stride = shape.map((_, k) => shape.slice(k + 1).reduce((a, b) => a * b, 1));
  if (shape.length === 0) {
    await zarr.set(arr, null, (block.data as ArrayLike<number>)[0] as never);
  } else {
    const sel = start.map((s, k) => zarr.slice(s, s + shape[k]!));
    await zarr.set(arr, sel, { data, shape, stride } as never);
  }
  return block.data.byteLength;
}
