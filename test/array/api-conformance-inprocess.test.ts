// The dask.array API properties (./api-conformance.ts) in-process.
import { inProcessExecutor } from "../../src/graph/execute.js";
import { defineApiConformance } from "./api-conformance.js";

defineApiConformance("in-process", () => inProcessExecutor, { numRuns: 20 });
