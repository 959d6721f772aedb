/** What the array class's methods delegate to (one import for core.ts). */
export { argmin, argmax, type ArgOptions } from "./arg.js";
export { cumsum, cumprod, type ScanOptions } from "./scans.js";
export { nansum, nanprod, nanmin, nanmax, nanmean, nanvar, nanstd } from "./nan-reductions.js";
export { take, booleanIndex, nonzero, computeChunkSizes, isnan, isfinite, isinf, floorDivide, remainder, type IndexList } from "./indexing.js";
export { squeeze, swapaxes, flip, roll } from "./shaping.js";
export { mapBlocks, type BlockFunction, type MapBlocksOptions } from "./map-blocks.js";
export { mapOverlap, type MapOverlapOptions } from "./overlap.js";
export { ravel, repeat, ptp } from "./extras.js";
