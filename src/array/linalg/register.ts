/** Registers the linear algebra block ops (called once by ../ops-register.ts in every task thread). */
import { registerOp } from "../../graph/ops.js";
import { addPartials, contractBlocks } from "./contract-block.js";
import { LINALG_OPS } from "./ops-names.js";

export function registerLinalgOps(): void {
  registerOp(LINALG_OPS.contract, contractBlocks);
  registerOp(LINALG_OPS.add, addPartials);
}
