/** Name → block kernel, for the `array.apply` op (see ./index.ts). */
import type { NDChunk } from "../../fusion/ir.js";

export type BlockKernel = (params: any, blockParams: any, blocks: readonly NDChunk[]) => NDChunk;

export const BLOCK_KERNELS: Readonly<Record<string, BlockKernel>> = {
};
