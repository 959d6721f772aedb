/**
 * tessera/array: lazy chunked arrays (a subset of dask.array).
 *
 *   import { random, ones, Array as TArray } from "tessera/array";
 *   const xy = random.uniform(0, 1, { shape: [5e7, 2], chunks: [1.25e7, 2], seed: 42 });
 *   const pi = await xy.pow(2).sum({ axis: -1 }).lt(1).mean().mul(4).compute();
 */
import "./ops-register.js";
export { TArray, TArray as Array, binary, unary, astype, clip, broadcastShapes, type Operand, type Computed, type ComputeOptions, type Scalar, type FullReduceOptions, type FullVarOptions } from "./core.js";
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
export { matmul, dot, tensordot, linalg, type TensordotOptions, type NormOptions, type NormOrd } from "./linalg/index.js";
export { mapBlocks, blockwise, type MapBlocksOptions, type BlockwiseOptions, type BlockFunction } from "./api/map-blocks.js";
export type { BlockInfo } from "./api/kernels/map-blocks-run.js";
export { ArrayArgumentError, ArrayDTypeError, BlockFunctionError, UnknownOptionError } from "./errors.js";
export { where, take, booleanIndex, nonzero, computeChunkSizes, isnan, isfinite, isinf, floorDivide, remainder, type IndexList } from "./api/indexing.js";
export { argmin, argmax, nanargmin, nanargmax, type ArgOptions } from "./api/arg.js";
export { cumsum, cumprod, diff, type ScanOptions, type DiffOptions } from "./api/scans.js";
export { nansum, nanprod, nanmin, nanmax, nanmean, nanvar, nanstd } from "./api/nan-reductions.js";
export { quantile, nanquantile, percentile, nanpercentile, median, nanmedian, type QuantileOptions } from "./api/quantiles.js";
export { histogram, bincount, unique, type HistogramOptions, type BincountOptions } from "./api/histogram.js";
export { concatenate, stack, block } from "./api/join.js";
export { squeeze, expandDims, moveaxis, swapaxes, flip, roll, pad, type PadMode, type PadWidth, type PadOptions } from "./api/shaping.js";
export { mapOverlap, type MapOverlapOptions, type Boundary } from "./api/overlap.js";
export { coarsen } from "./api/coarsen.js";
export {
  ravel, fliplr, flipud, atleast1d, atleast2d, atleast3d, vstack, hstack, dstack, append, onesLike, zerosLike, emptyLike, fullLike,
  broadcastTo, broadcastArrays, nancumsum, nancumprod, ptp, square, isclose, allclose, flatnonzero, countNonzero, average, repeat, tile,
  ediff1d, compress, extract, tril, triu, eye, resultType, type LikeOptions, type IsCloseOptions,
} from "./api/extras.js";
export {
  tan, tanh, sinh, cosh, arcsin, arccos, arctan, arcsinh, arccosh, arctanh, log10, log2, log1p, expm1, exp2, cbrt,
  sign, trunc, fix, signbit, deg2rad, rad2deg, radians, degrees, reciprocal, rint, round, around,
} from "./api/ufuncs.js";
export { fromZarr, zarrInfo, type FromZarrOptions, type ZarrArrayInfo } from "./io/zarr.js";
export * from "./io/errors.js";
export { toZarr, type ToZarrOptions, type ZarrWriteSummary } from "./io/zarr-write.js";
export { fromNpy, type FromNpyOptions } from "./io/npy.js";
export { toNpy, type ToNpyOptions, type NpyWriteSummary } from "./io/npy-write.js";
export { fromHDF5, type FromHDF5Options, type VariableInfo } from "./io/hdf5.js";
export { openDataset, fromNetCDF, type Dataset, type DatasetFormat, type FromNetCDFOptions } from "./io/dataset.js";
export { maskAndScale } from "./io/mask-scale.js";
