/** Name → block kernel, for the `array.apply` op (see ./index.ts). */
import type { NDChunk } from "../../fusion/ir.js";
import { argAggregate, argChunk } from "./arg-kernels.js";
import { bincountChunk, bincountMerge, histChunk } from "./count-kernels.js";
import { blockShape, maskSelect, nonzero, take } from "./index-kernels.js";
import { scanAdd, scanLocal, scanTotal } from "./scan-kernels.js";
import { coarsen, view } from "./shape-kernels.js";
import { quantile, uniqueChunk } from "./sort-kernels.js";
import { ufunc } from "./ufunc-kernels.js";

export type BlockKernel = (params: any, blockParams: any, blocks: readonly NDChunk[]) => NDChunk;

export const BLOCK_KERNELS: Readonly<Record<string, BlockKernel>> = {
  scanLocal, scanTotal, scanAdd,
  argChunk, argAggregate,
  quantile, uniqueChunk,
  histChunk, bincountChunk, bincountMerge,
  take, maskSelect, nonzero, blockShape,
  view, coarsen,
  ufunc,
};
