/**
 * The `io.hdf5_read` op: on a worker, read one block's hyperslab of an HDF5 / NetCDF-4 dataset.
 *
 * When the stored type is the block's dtype (little-endian), HDF5 reads the hyperslab into
 * h5wasm's heap (H5Dread, through h5wasm's C entry point) and it is copied once into the
 * block's shared memory. h5wasm's own `Dataset.slice` copies the heap into a fresh buffer and
 * converts it on top, 20–80× slower for whole chunks on the dev machine; it stays the path for
 * types that widen (int16 → int32, …), big-endian data and scalars.
 */
import type { DType } from "../dtype.js";
import type { NDChunk } from "../fusion/ir.js";
import { allocateShared, shared, toChunkData } from "./dtypes.js";
import { ChunkReadError, IONotFoundError } from "./errors.js";
import { h5Module, h5StoredType, openH5, type H5Module } from "./hdf5-file.js";

export interface H5ReadSpec {
  readonly file: string;
  readonly stamp: string;
  readonly dataset: string;
  readonly dtype: DType;
}

interface H5Dataset {
  readonly file_id: bigint;
  readonly path: string;
  readonly dtype: unknown;
  readonly metadata: { readonly littleEndian: boolean; readonly size: number };
  slice(r: [number, number][]): unknown;
  readonly value: unknown;
}

/** H5Dread of the hyperslab straight into the heap, then one copy into a shared block. */
function readDirect(m: H5Module, d: H5Dataset, spec: H5ReadSpec, start: readonly number[], count: readonly number[]): NDChunk {
  const n = count.reduce((a, b) => a * b, 1);
  const out = allocateShared(spec.dtype, n);
  const bytes = out.byteLength;
  if (bytes === 0) return { dtype: spec.dtype, shape: [...count], data: out };
  const ptr = m._malloc(bytes);
  if (ptr === 0) throw new ChunkReadError(`${start}`, `${spec.file}: cannot allocate ${bytes} bytes in h5wasm's memory for the block at [${start}] of '${spec.dataset}'`);
  try {
    const status = m.get_dataset_data(d.file_id, d.path, count.map(BigInt), start.map(BigInt), count.map(() => 1n), BigInt(ptr));
    if (status < 0) throw new ChunkReadError(`${start}`, `${spec.file}: HDF5 could not read the block at [${start}] (count [${count}]) of '${spec.dataset}' (status ${status})`);
    // Read the heap view after the call: a heap that grew has a new buffer.
    new Uint8Array(out.buffer, out.byteOffset, bytes).set(m.HEAPU8.subarray(ptr, ptr + bytes));
  } finally {
    m._free(ptr);
  }
  return { dtype: spec.dtype, shape: [...count], data: out };
}

/** The `io.hdf5_read` op: read the hyperslab [start, start+count) of one dataset. */
export async function hdf5Read(spec: H5ReadSpec, start: readonly number[], count: readonly number[]): Promise<NDChunk> {
  const f = await openH5(spec.file, spec.stamp);
  const d = f.get(spec.dataset) as unknown as H5Dataset | null;
  if (d === null || d === undefined) throw new IONotFoundError(`${spec.file} has no dataset '${spec.dataset}' on this worker (was the file replaced?)`);
  if (count.length > 0 && d.metadata.littleEndian && h5StoredType(d.dtype, spec.file) === spec.dtype) {
    return readDirect(await h5Module(), d, spec, start, count);
  }
  const raw = count.length === 0 ? d.value : d.slice(start.map((s, k) => [s, s + count[k]!] as [number, number]));
  const values = (typeof raw === "number" || typeof raw === "bigint" ? [raw] : raw) as ArrayLike<number>;
  return { dtype: spec.dtype, shape: [...count], data: shared(toChunkData(values, spec.dtype), spec.dtype) };
}
