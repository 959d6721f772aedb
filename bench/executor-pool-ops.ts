// Op registrations for bench/executor-pool.ts, imported by every task thread.
import { registerOp } from "../src/graph/ops.js";

registerOp("bench.inc", (x: number) => x + 1);
