/**
 * Errors of the kernel layer (chunk programs, block kernels, their compilers): a task's inputs do
 * not fit its program (shapes, slots, views), a chunk is too large for a kernel, or an internal
 * invariant of a compiler broke (a bug: the message says which). Code TESSERA_ERR_ARRAY_KERNEL.
 */
import { TesseraError } from "../../util/errors.js";

export class ArrayKernelError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_ARRAY_KERNEL", message);
  }
}
