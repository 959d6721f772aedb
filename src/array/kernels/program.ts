/**
 * The `array.program` op: run a chunk program on input chunks. Kernels are compiled once per
 * program (WebAssembly when ./compile-wasm.ts supports the program, else generated JS)
 * and cached by the program's JSON text.
 */
import { compileJs } from "./compile-js.js";
import { compileConstant, isConstantProgram } from "./constant-program.js";
import type { ChunkInfo, ChunkKernel, ChunkProgram, NDChunk } from "../fusion/ir.js";
import { randFill } from "./random-leaf.js";
import { applyView, programViews } from "./input-views.js";
import { isScratch } from "./scratch.js";
import { ArrayKernelError } from "./errors.js";

/** "const": a program of constant leaves only, evaluated once on scalars (./constant-program.ts). */
export type KernelBackend = "wasm" | "js" | "const";
export type WasmCompiler = (p: ChunkProgram) => ChunkKernel | undefined;

let wasmCompiler: WasmCompiler | undefined;
let backendPreference: "auto" | "js" = "auto";

/** Install the WebAssembly compiler (done by ./wasm-backend.ts when it loads). */
export function setWasmCompiler(c: WasmCompiler | undefined): void {
  wasmCompiler = c;
  byObject = new WeakMap();
  byText.clear();
}

/** Force the JS backend (tests compare backends), or let WASM take the programs it supports. */
export function setKernelBackend(b: "auto" | "js"): void {
  backendPreference = b;
  byObject = new WeakMap();
  byText.clear();
}

interface Entry { readonly kernel: ChunkKernel; readonly backend: KernelBackend }
let byObject = new WeakMap<ChunkProgram, Entry>();
const byText = new Map<string, Entry>();
const MAX_CACHED = 512;

function compile(p: ChunkProgram): Entry {
  if (isConstantProgram(p)) return { kernel: compileConstant(p), backend: "const" };
  if (backendPreference === "auto" && wasmCompiler) {
    const k = wasmCompiler(p);
    if (k) return { kernel: k, backend: "wasm" };
  }
  return { kernel: compileJs(p, randFill), backend: "js" };
}

export function kernelEntry(p: ChunkProgram): Entry {
  let e = byObject.get(p);
  if (e) return e;
  const text = JSON.stringify(p);
  e = byText.get(text);
  if (!e) {
    e = compile(p);
    if (byText.size >= MAX_CACHED) byText.clear();
    byText.set(text, e);
  }
  byObject.set(p, e);
  return e;
}

/** Which backend runs `p` (for tests and benchmarks). */
export function kernelBackend(p: ChunkProgram): KernelBackend {
  return kernelEntry(p).backend;
}

/** The op: one output → that chunk; several → an array of chunks. */
export function runProgram(p: ChunkProgram, info: ChunkInfo, ...inputs: NDChunk[]): NDChunk | NDChunk[] {
  let out: NDChunk[];
  const views = programViews(p);
  if (views === null) out = kernelEntry(p).kernel(inputs, info);
  else {
    // Viewed inputs are gathered into scratch buffers; no output may keep one (a kernel can
    // return an input as is), so such an output is copied.
    const ins = inputs.map((x, slot) => {
      const v = views.bySlot.get(slot);
      return v === undefined ? x : applyView(x, v, slot);
    });
    out = kernelEntry(views.bare).kernel(ins, info).map((c) => (isScratch(c.data) ? { ...c, data: c.data.slice() } : c));
  }
  const sq = p.squeeze;
  if (sq !== undefined && sq.length > 0) {
    out = out.map((c) => {
      for (const k of sq) {
        if (c.shape[k] !== 1) throw new ArrayKernelError(`array.program: cannot squeeze axis ${k} of an output of shape [${c.shape.join(", ")}]`);
      }
      return { dtype: c.dtype, shape: c.shape.filter((_, k) => !sq.includes(k)), data: c.data };
    });
  }
  return out.length === 1 ? out[0]! : out;
}
