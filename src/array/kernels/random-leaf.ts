/**
 * Random leaves of chunk programs, for both backends (the one random fill): draws come from
 * src/array/random (index-determined).
 */
import { fillRand } from "../random/index.js";
import type { RandFill } from "./compile-js.js";

/** out[j] = the rand node's value at global flat index globalStart + j (as a float64). */
export const randFill: RandFill = (node, _info, globalStart, count, out) => {
  fillRand(node, globalStart, count === out.length ? out : out.subarray(0, count));
};
