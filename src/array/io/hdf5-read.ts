/** The `io.hdf5_read` op: on a worker, read one block's hyperslab of an HDF5 / NetCDF-4 dataset. */
import type { DType } from "../dtype.js";
import type { NDChunk } from "../fusion/ir.js";
import { shared, toChunkData } from "./dtypes.js";
import { IONotFoundError } from "./errors.js";
import { openH5 } from "./hdf5-file.js";

export interface H5ReadSpec {
  readonly file: string;
  readonly stamp: string;
  readonly dataset: string;
  readonly dtype: DType;
}

/** The `io.hdf5_read` op: read the hyperslab [start, start+count) of one dataset. */
export async function hdf5Read(spec: H5ReadSpec, start: readonly number[], count: readonly number[]): Promise<NDChunk> {
  const f = await openH5(spec.file, spec.stamp);
  const d = f.get(spec.dataset) as unknown as { slice(r: [number, number][]): unknown; value: unknown; dtype: unknown };
  if (d === null || d === undefined) throw new IONotFoundError(`${spec.file} has no dataset '${spec.dataset}' on this worker (was the file replaced?)`);
  const raw = count.length === 0 ? d.value : d.slice(start.map((s, k) => [s, s + count[k]!] as [number, number]));
  const values = (typeof raw === "number" || typeof raw === "bigint" ? [raw] : raw) as ArrayLike<number>;
  return { dtype: spec.dtype, shape: [...count], data: shared(toChunkData(values, spec.dtype), spec.dtype) };
}
