/**
 * The `array.apply` op: built-in block kernels by name. Each kernel is a pure function
 * (params, blockParams, ...inputBlocks) → output block; the table is explicit so that a task
 * thread loads exactly these modules and nothing registers itself by import.
 */
import type { NDChunk } from "../../fusion/ir.js";
import { BLOCK_KERNELS } from "./table.js";
import { UnknownOpError } from "../../../util/errors.js";

export function runBlockKernel(kernel: string, params: unknown, blockParams: unknown, ...blocks: NDChunk[]): NDChunk {
  const fn = BLOCK_KERNELS[kernel];
  if (fn === undefined) throw new UnknownOpError(`array.apply: unknown block kernel '${kernel}' (known: ${Object.keys(BLOCK_KERNELS).join(", ")})`);
  return fn(params, blockParams, blocks);
}
