/** Random leaves of chunk programs: draws come from src/array/random (index-determined). */
import { fillRand } from "../random/index.js";
import type { RandFill } from "./compile-js.js";

/** out[j] = the rand node's value at global flat index globalStart + j (as a float64). */
export const randFill: RandFill = (node, _info, globalStart, _count, out) => {
  fillRand(node, globalStart, out);
};
