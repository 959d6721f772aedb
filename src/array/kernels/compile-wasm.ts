/**
 * Chunk program → WebAssembly SIMD kernel, for the hot loops of the array layer (the fused
 * Monte-Carlo π: uniform draws → square → row sums → compare → count, nothing materialised).
 *
 * `compileWasm(program)` returns a kernel for programs in the supported subset (./wasm/plan.ts:
 * `in` leaves of every dtype but int64, constants, fills, iota and rand leaves, + − × ÷ square
 * pow(·,2) neg abs sqrt floor ceil min max, comparisons and logic, where, clip, casts, and
 * reductions over the last axis and/or over all axes), and undefined otherwise, so callers use
 * the JavaScript backend.
 *
 * Two execution paths per chunk. Buffered: the leaf space is walked in tiles of TILE elements;
 * uniform draws are generated inside the module, other leaves are filled or copied into tile
 * buffers, and `tile()` evaluates the whole program per tile. Register-fused (programs whose only
 * leaf is one uniform generator and whose results are counts, e.g. π): `fused<W>()` draws from
 * the generator's four i64x2 lane sets straight into the program, no buffer at all. Memory per
 * kernel is a few tile buffers, reused across chunks.
 *
 * Results are bit-identical to ./compile-js.ts (same generator, same per-node conversions, same
 * reduction order; counts of 0/1 values are exact in any order). Chunks the module does not
 * handle at run time (broadcast inputs, very long rows, empty chunks, another number of axes)
 * run through the JavaScript backend.
 */
import { outputBuffer } from "./out-buffers.js";
import { coerce, type ChunkData } from "../dtype.js";
import { fillRand } from "../random/fill-rand.js";
import { randFill } from "./random-leaf.js";
import { seedKey } from "../random/seed.js";
import { compileJs, contiguousRun, globalIndex, leafInfo, type RandFill } from "./compile-js.js";
import type { ChunkInfo, ChunkKernel, ChunkProgram, NDChunk, ProgramNode } from "../fusion/ir.js";
import { generateModule } from "./wasm/codegen.js";
import { MAX_ROW, TILE, planProgram, type WasmPlan } from "./wasm/plan.js";

interface Exports {
  readonly memory: WebAssembly.Memory;
  readonly gen: (st: number, out: number, start: number, n: number) => void;
  readonly tile: (n: number, w: number) => void;
  readonly seek: (st: number, start: number) => void;
  readonly fused1?: (groups: number, unused: number) => void;
  readonly fused2?: (groups: number, unused: number) => void;
  readonly fused4?: (groups: number, unused: number) => void;
}

/** Elements per call of a register-fused function (a multiple of 8). */
const FUSED_CALL_ELEMENTS = 1 << 19;

/** Whether this runtime has WebAssembly with SIMD (checked once). */
let simdOk: boolean | undefined;
export function wasmSimdAvailable(): boolean {
  if (simdOk === undefined) {
    try {
      // (module (func (result v128) v128.const i64x2 0 0))
      simdOk = WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
        10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]));
    } catch {
      simdOk = false;
    }
  }
  return simdOk;
}

/** True if `compileWasm` would handle `program` for chunks with `ndim` axes. */
export function wasmSupports(program: ChunkProgram, ndim: number): boolean {
  return wasmSimdAvailable() && planProgram(program, ndim) !== undefined;
}

/**
 * A WebAssembly kernel for `program`, or undefined when no supported plan exists. `ndim`, the
 * number of axes of the chunks it will run on, may be given; otherwise it is inferred from the
 * program's reductions (1 for purely elementwise programs — the number of axes is then irrelevant).
 */
export function compileWasm(program: ChunkProgram, ndim?: number): ChunkKernel | undefined {
  if (!wasmSimdAvailable()) return undefined;
  const d = ndim ?? inferNdim(program);
  if (d === undefined) return undefined;
  // Kernels are cached by ./program.ts (the one kernel cache); each call here instantiates.
  const plan = planProgram(program, d);
  if (plan === undefined) return undefined;
  const runner = new WasmRunner(program, plan);
  let fallback: ChunkKernel | undefined;
  return (inputs, info) => {
    const out = runner.run(inputs, info);
    if (out !== undefined) return out;
    fallback ??= compileJs(program, randFill);
    return fallback(inputs, info);
  };
}

/** Modules by ndim and program without seeds: seeds live in memory, not in the code. */
const moduleCache = new Map<string, WebAssembly.Module>();

function compiledModule(program: ChunkProgram, plan: WasmPlan): WebAssembly.Module {
  const key = plan.ndim + ":" + JSON.stringify(program.nodes.map((n) => (n.op === "rand" ? { ...n, seed: "" } : n))) + JSON.stringify(program.outputs);
  let m = moduleCache.get(key);
  if (m === undefined) {
    m = new WebAssembly.Module(generateModule(program, plan));
    if (moduleCache.size >= 256) moduleCache.delete(moduleCache.keys().next().value!);
    moduleCache.set(key, m);
  }
  return m;
}

/** The number of axes a program's reductions imply: an "all axes" reduction names them all. */
function inferNdim(program: ChunkProgram): number | undefined {
  let d = 1;
  let hasReduce = false;
  for (const n of program.nodes) {
    if (n.op !== "reduce") continue;
    hasReduce = true;
    if (n.axes.some((a) => a < 0)) return undefined;
    d = Math.max(d, ...n.axes.map((a) => a + 1));
  }
  return hasReduce || d === 1 ? d : undefined;
}

/** Typed-array class of each dtype's storage (src/array/dtype.ts). */
const STORAGE = {
  float64: Float64Array, float32: Float32Array, int32: Int32Array, uint8: Uint8Array, bool: Uint8Array, int64: BigInt64Array,
} as const;

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((x, k) => x === b[k]);

/** One instantiated module (its memory reused across chunks) and the per-chunk tile driver. */
class WasmRunner {
  readonly #program: ChunkProgram;
  readonly #plan: WasmPlan;
  readonly #ex: Exports;

  constructor(program: ChunkProgram, plan: WasmPlan) {
    this.#program = program;
    this.#plan = plan;
    const inst = new WebAssembly.Instance(compiledModule(program, plan));
    this.#ex = inst.exports as unknown as Exports;
    const mem = new DataView(this.#ex.memory.buffer);
    for (const [i, at] of plan.genState) {
      const n = program.nodes[i] as Extract<ProgramNode, { op: "rand" }>;
      const key = seedKey(n.seed); // the key fillRand uses for any spelling of the seed
      mem.setBigUint64(at + 256, key, true);
      mem.setBigInt64(at + 264, -1n, true);
    }
  }

  /**
   * Register-fused path for a globally contiguous run of `total` elements from global index g0:
   * the unaligned head and tail (< 8 elements each) go through `tile`; the middle runs `fused`, which reseeds the generator at
   * each block start itself (the state is carried in memory between calls).
   */
  #runFused(fused: (groups: number, unused: number) => void, g0: number, total: number, slow: (g: number, n: number) => void): void {
    const st = this.#plan.genState.get(this.#plan.fusedLeaf!)!;
    const head = Math.min(total, (8 - (g0 % 8)) % 8);
    const bodyEnd = head + Math.floor((total - head) / 8) * 8;
    if (head > 0) slow(g0, head);
    // The module walks the generator blocks itself, reseeding at each block start. Calls are
    // bounded so that V8 tiers the function up from its baseline code after the first few.
    for (let f = head; f < bodyEnd; ) {
      const n = Math.min(bodyEnd - f, FUSED_CALL_ELEMENTS);
      this.#ex.seek(st, g0 + f);
      fused(n / 8, 0);
      f += n;
    }
    if (bodyEnd < total) slow(g0 + bodyEnd, total - bodyEnd);
  }

  /** Runs one chunk, or returns undefined if this chunk needs the JavaScript backend. */
  run(inputs: readonly NDChunk[], info: ChunkInfo): NDChunk[] | undefined {
    const plan = this.#plan;
    const program = this.#program;
    const shape = info.shape;
    const hasReduce = program.nodes.some((n) => n.op === "reduce");
    if (hasReduce && shape.length !== plan.ndim) return undefined;
    const total = shape.reduce((x, y) => x * y, 1);
    if (total === 0) return undefined;
    for (const n of program.nodes) {
      if (n.op !== "in") continue;
      const c = inputs[n.slot];
      if (c === undefined || c.dtype !== n.dtype || !(c.data instanceof STORAGE[n.dtype]) || !sameShape(c.shape, shape)) return undefined;
    }
    const w = plan.mode === "flat" ? 1 : shape[shape.length - 1]!;
    if (w > MAX_ROW) return undefined;

    const ex = this.#ex;
    const buf = ex.memory.buffer;
    const f64 = new Float64Array(buf);
    const rows = total / w;
    const leafShape = (i: number): number[] => {
      const level = plan.nodes[i]!.level;
      if (level === 0) return [...shape];
      if (level === 1) return shape.map((e, k) => (k === shape.length - 1 ? 1 : e));
      if (level === 3) return shape.map((e, k) => (k === shape.length - 1 ? e : 1));
      return shape.map(() => 1);
    };
    const outs: ChunkData[] = program.outputs.map((i) => outputBuffer(program.nodes[i]!.dtype, leafShape(i).reduce((x, y) => x * y, 1)));
    const dv = new DataView(buf);
    for (const [i, { at, form }] of plan.acc) {
      const n = program.nodes[i] as Extract<ProgramNode, { op: "reduce" }>;
      if (form === "seq") dv.setFloat64(at, n.fn === "prod" ? 1 : n.fn === "min" ? Infinity : n.fn === "max" ? -Infinity : 0, true);
      else {
        const v = form === "all" ? -1n : 0n;
        dv.setBigInt64(at, v, true);
        dv.setBigInt64(at + 8, v, true);
      }
    }
    for (const [i, at] of plan.colAcc) {
      const n = program.nodes[i] as Extract<ProgramNode, { op: "reduce" }>;
      if (plan.nodes[i]!.kind === "b") new BigInt64Array(buf, at, w).fill(n.fn === "all" ? -1n : 0n);
      else f64.fill(n.fn === "prod" ? 1 : n.fn === "min" ? Infinity : n.fn === "max" ? -Infinity : 0, at / 8, at / 8 + w);
    }
    const run = contiguousRun(info);
    const totalGlobal = info.globalShape.reduce((x, y) => x * y, 1);
    const fillLeaves = (f0: number, n: number): void => {
      for (const [i, off] of plan.leafBuf) {
        const node = program.nodes[i]!;
        if (node.op === "in") {
          const src = inputs[node.slot]!.data as Float64Array | Float32Array | Int32Array | Uint8Array;
          f64.set(src.subarray(f0, f0 + n), off / 8); // converts exactly to float64
          continue;
        }
        const li = node.op === "rand" ? leafInfo(info, node) : info;
        const lrun = li === info ? run : contiguousRun(li);
        for (let pos = 0; pos < n; ) {
          const l = f0 + pos;
          const len = Math.min(n - pos, (Math.floor(l / lrun) + 1) * lrun - l);
          const g = globalIndex(li, l);
          const at = off / 8 + pos;
          if (node.op === "iota") {
            // a + b·i, the array's final element `last` if given: as the JS backend computes it
            for (let j = 0; j < len; j++) {
              const v = node.last !== undefined && g + j === totalGlobal - 1 ? node.last : node.a + (g + j) * node.b;
              f64[at + j] = coerce(node.dtype, v);
            }
          } else if (node.op === "rand") {
            const st = plan.genState.get(i);
            if (st !== undefined) ex.gen(st, at * 8, g, len);
            else fillRand(node, g, f64.subarray(at, at + len));
          }
          pos += len;
        }
      }
    };
    const copyOut = (f0: number, n: number, level: 0 | 1): void => {
      program.outputs.forEach((i, j) => {
        if (plan.nodes[i]!.level !== level) return;
        const off = plan.outBuf.get(i)! / 8;
        const dst = outs[j]!;
        if (dst instanceof BigInt64Array) for (let k = 0; k < n; k++) dst[f0 + k] = BigInt(f64[off + k]!);
        else dst.set(f64.subarray(off, off + n), f0);
      });
    };
    const fusedFn = plan.fusedLeaf === undefined || leafInfo(info, program.nodes[plan.fusedLeaf]!) !== info ? undefined : w === 1 ? ex.fused1 : w === 2 ? ex.fused2 : w === 4 ? ex.fused4 : undefined;
    const gShape = info.globalShape;
    const rowsAligned = run >= total
      ? globalIndex(info, 0) % w === 0
      : gShape[gShape.length - 1]! % w === 0 && info.offset[gShape.length - 1]! % w === 0;
    if (fusedFn !== undefined && rowsAligned) {
      // Each globally contiguous run (a row of an N-D chunk) is one register-fused stretch; its
      // unaligned head and tail (< 8 elements) are drawn into the leaf's tile buffer.
      const leaf = plan.fusedLeaf!;
      const st = plan.genState.get(leaf)!, buf0 = plan.leafBuf.get(leaf)!;
      const slow = (g: number, n: number): void => {
        ex.gen(st, buf0, g, n);
        ex.tile(n / w, w);
      };
      const len = Math.min(run, total);
      for (let f0 = 0; f0 < total; f0 += len) this.#runFused(fusedFn, globalIndex(info, f0), len, slow);
    } else if (plan.mode === "col") {
      const tileRows = Math.max(1, Math.floor(TILE / w));
      for (let r0 = 0; r0 < rows; r0 += tileRows) {
        const nr = Math.min(tileRows, rows - r0);
        fillLeaves(r0 * w, nr * w);
        ex.tile(nr, w);
        copyOut(r0 * w, nr * w, 0);
      }
      // Column accumulators → outputs, converted to the node dtype once (as the JS backend does).
      program.outputs.forEach((i, j) => {
        const at = plan.colAcc.get(i);
        if (at === undefined) return;
        const n = program.nodes[i]!;
        const dst = outs[j]!;
        const bits = plan.nodes[i]!.kind === "b" ? new BigInt64Array(buf, at, w) : undefined;
        for (let c = 0; c < w; c++) {
          const v = coerce(n.dtype, bits !== undefined ? (bits[c] !== 0n ? 1 : 0) : f64[at / 8 + c]!);
          if (dst instanceof BigInt64Array) dst[c] = BigInt(v);
          else dst[c] = v;
        }
      });
    } else if (plan.mode === "flat") {
      for (let f0 = 0; f0 < total; f0 += TILE) {
        const n = Math.min(TILE, total - f0);
        fillLeaves(f0, n);
        ex.tile(n, 1);
        copyOut(f0, n, 0);
      }
    } else {
      const tileRows = Math.max(2, Math.floor(TILE / w) & ~1);
      for (let r0 = 0; r0 < rows; r0 += tileRows) {
        const nr = Math.min(tileRows, rows - r0);
        fillLeaves(r0 * w, nr * w);
        ex.tile(nr, w);
        copyOut(r0 * w, nr * w, 0);
        copyOut(r0, nr, 1);
      }
    }
    program.outputs.forEach((i, j) => {
      const acc = plan.acc.get(i);
      if (acc === undefined) return;
      const n = program.nodes[i]!;
      let v: number;
      if (acc.form === "seq") v = dv.getFloat64(acc.at, true);
      else {
        const l0 = dv.getBigInt64(acc.at, true), l1 = dv.getBigInt64(acc.at + 8, true);
        if (acc.form === "count") v = Number(l0 + l1);
        else if (acc.form === "any") v = l0 !== 0n || l1 !== 0n ? 1 : 0;
        else v = l0 !== 0n && l1 !== 0n ? 1 : 0;
      }
      const c = coerce(n.dtype, v);
      const dst = outs[j]!;
      if (dst instanceof BigInt64Array) dst[0] = BigInt(c);
      else dst[0] = c;
    });
    return program.outputs.map((i, j) => ({ dtype: program.nodes[i]!.dtype, shape: leafShape(i), data: outs[j]! }));
  }
}
