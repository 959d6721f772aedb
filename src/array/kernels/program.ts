/**
 * The `array.program` op: run a chunk program on input chunks. Kernels are compiled once per
 * program (WebAssembly when ./compile-wasm.ts supports the program, else generated JS)
 * and cached by the program's JSON text.
 */
import { compileJs } from "./compile-js.js";
import { compileConstant, isConstantProgram } from "./constant-program.js";
import type { ChunkInfo, ChunkKernel, ChunkProgram, NDChunk, ProgramNode } from "../fusion/ir.js";
import { randFill } from "./random-leaf.js";
import { applyView, programViews } from "./input-views.js";
import { isScratch } from "./scratch.js";
import { drawPermuted } from "./drawn-views.js";
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
  return kernelEntry(prepare(p)?.bare ?? p).backend;
}

interface Prepared {
  /** The program the kernel is compiled from: views dropped, transposed draws turned into inputs. */
  readonly bare: ChunkProgram;
  readonly views: ReturnType<typeof programViews>;
  /** Transposed draws: the rand node and the input slot the bare program reads it from. */
  readonly draws: readonly { readonly node: Extract<ProgramNode, { op: "rand" }>; readonly slot: number }[];
  /** Input slots of the task (before the drawn ones). */
  readonly nIn: number;
}

const prepared = new WeakMap<ChunkProgram, Prepared | null>();

/** What runProgram does before the kernel, for programs with views or transposed draws (else null). */
function prepare(p: ChunkProgram): Prepared | null {
  let r = prepared.get(p);
  if (r !== undefined) return r;
  const views = programViews(p);
  const base = views === null ? p : views.bare;
  const nIn = base.nodes.reduce((m, n) => (n.op === "in" ? Math.max(m, n.slot + 1) : m), 0);
  const draws: { node: Extract<ProgramNode, { op: "rand" }>; slot: number }[] = [];
  const nodes = base.nodes.map((n): ProgramNode => {
    if (n.op !== "rand" || n.perm === undefined) return n;
    const slot = nIn + draws.length;
    draws.push({ node: n, slot });
    return { op: "in", slot, dtype: n.dtype };
  });
  r = views === null && draws.length === 0 ? null : { bare: draws.length === 0 ? base : { ...base, nodes }, views, draws, nIn };
  prepared.set(p, r);
  return r;
}

/** The op: one output → that chunk; several → an array of chunks. */
export function runProgram(p: ChunkProgram, info: ChunkInfo, ...inputs: NDChunk[]): NDChunk | NDChunk[] {
  let out: NDChunk[];
  const prep = prepare(p);
  if (prep === null) out = kernelEntry(p).kernel(inputs, info);
  else {
    // Viewed inputs and transposed draws are gathered into scratch buffers; no output may keep
    // one (a kernel can return an input as is), so such an output is copied.
    const views = prep.views;
    const ins = views === null ? inputs.slice(0, prep.nIn) : inputs.slice(0, prep.nIn).map((x, slot) => {
      const v = views.bySlot.get(slot);
      return v === undefined ? x : applyView(x, v, slot);
    });
    for (const d of prep.draws) ins[d.slot] = drawPermuted(d.node, info, d.slot);
    out = kernelEntry(prep.bare).kernel(ins, info).map((c) => (isScratch(c.data) ? { ...c, data: c.data.slice() } : c));
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
