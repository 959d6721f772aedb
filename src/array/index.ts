/**
 * tessera/array: lazy chunked arrays (a subset of dask.array).
 *
 *   import { random, ones, Array as TArray } from "tessera/array";
 *   const xy = random.uniform(0, 1, { shape: [5e7, 2], chunks: [1.25e7, 2], seed: 42 });
 *   const pi = await xy.pow(2).sum({ axis: -1 }).lt(1).mean().mul(4).compute();
 */
import "./ops-register.js";
export { TArray, TArray as Array, binary, unary, where, astype, clip, broadcastShapes, type Operand, type Computed, type ComputeOptions, type Scalar, type FullReduceOptions, type FullVarOptions } from "./core.js";
export type { ScalarArray, Arith } from "./scalar-array.js";
export { NDArray, type Nested } from "./ndarray.js";
export { ones, zeros, full, empty, arange, linspace, fromArray, type CreateOptions, type LinspaceOptions, type FromArrayOptions, type ArrayInput } from "./creation.js";
export { random, Generator, RandomState, default_rng, type RandomOptions } from "./random-api.js";
export { normalizeChunks, DEFAULT_CHUNK_BYTES, type ChunkSpec, type Chunks } from "./chunks.js";
export { DTYPES, promote, type DType } from "./dtype.js";
export { rechunk } from "./rechunk.js";
export type { ReduceOptions, VarOptions } from "./reductions.js";
export type { SliceSpec } from "./shape-ops.js";
export { setKernelBackend, kernelBackend } from "./kernels/program.js";
