/**
 * Hooks the WebAssembly compiler (./compile-wasm.ts, owned by the kernels work) into
 * kernel selection: programs it supports run as WebAssembly SIMD, the rest as generated JS.
 * Both backends give bit-identical results (tested by both sides).
 */
import { compileWasm } from "./compile-wasm.js";
import { setWasmCompiler } from "./program.js";

setWasmCompiler((p) => compileWasm(p));
