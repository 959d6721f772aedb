// The conformance suite on the synchronous in-process executor.
import { inProcessExecutor } from "../../src/graph/execute.js";
import { defineArrayConformance } from "./conformance.js";

defineArrayConformance("in-process", () => inProcessExecutor, { numRuns: 40 });
