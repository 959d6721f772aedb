// The conformance suite with WebAssembly off: every chunk program runs as generated JavaScript.
import { before, after } from "node:test";
import { setKernelBackend } from "../../src/array/index.js";
import { inProcessExecutor } from "../../src/graph/execute.js";
import { defineArrayConformance } from "./conformance.js";

before(() => setKernelBackend("js"));
after(() => setKernelBackend("auto"));

defineArrayConformance("in-process, JS kernels", () => inProcessExecutor, { numRuns: 25 });
