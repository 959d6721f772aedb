/** Registers the array layer's ops (imported by every task thread via builtin-op-modules.ts). */
import { registerOp } from "../graph/ops.js";
import { assemble } from "./kernels/assemble.js";
import { reshapeBlock, transposeBlock } from "./kernels/layout.js";
import { runProgram } from "./kernels/program.js";
import { reduceAggregate, reduceCombine } from "./kernels/reduce.js";
import "./kernels/wasm-backend.js";
import { ARRAY_OPS } from "./ops-names.js";
import { rechunkAssemble, rechunkSplit } from "./rechunk-ops.js";
import { registerLinalgOps } from "./linalg/register.js";
import { runMapBlocks } from "./api/kernels/map-blocks-run.js";
import { runBlockKernel } from "./api/kernels/index.js";
import type { ChunkInfo, ChunkProgram } from "./fusion/ir.js";
import { InternalError } from "../util/errors.js";

export { ARRAY_OPS };

registerOp(ARRAY_OPS.program, runProgram);
registerOp(ARRAY_OPS.assemble, assemble);
registerOp(ARRAY_OPS.rechunkSplit, rechunkSplit);
registerOp(ARRAY_OPS.rechunkAssemble, rechunkAssemble);
registerOp(ARRAY_OPS.transpose, transposeBlock);
registerOp(ARRAY_OPS.reshape, reshapeBlock);
registerOp(ARRAY_OPS.combine, reduceCombine);
registerOp(ARRAY_OPS.aggregate, reduceAggregate);
registerLinalgOps();
registerOp(ARRAY_OPS.reduceLeaves, (step: string, stepArgs: unknown[], programs: [ChunkProgram, ChunkInfo][]) => {
  const partials = programs.map(([p, info]) => runProgram(p, info));
  if (step === ARRAY_OPS.combine) return (reduceCombine as (...a: unknown[]) => unknown)(...stepArgs, ...partials);
  if (step === ARRAY_OPS.aggregate) return (reduceAggregate as (...a: unknown[]) => unknown)(...stepArgs, ...partials);
  throw new InternalError(`array.reduce_leaves: unknown step '${step}'`);
});
registerOp(ARRAY_OPS.mapBlocks, runMapBlocks);
registerOp(ARRAY_OPS.apply, runBlockKernel);
