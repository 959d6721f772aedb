/**
 * Errors of the array layer. Every one is a TesseraError with a code, so callers can branch on
 * the kind: bad arguments (ARRAY_ARG), dtype rules (ARRAY_DTYPE: NEP 50 overflow, integer
 * powers), and user block functions that return the wrong thing (ARRAY_BLOCK).
 */
import { TesseraError } from "../util/errors.js";
export { checkOptions, showValue, UnknownOptionError } from "../util/options.js";

export class ArrayArgumentError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_ARRAY_ARG", message);
  }
}

export class ArrayDTypeError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_ARRAY_DTYPE", message);
  }
}

export class BlockFunctionError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("TESSERA_ERR_ARRAY_BLOCK", message, options);
  }
}
