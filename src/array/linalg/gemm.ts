/**
 * Block matrix products in float64: out[i, j] = Σ over pairs Σ_k A[i, k]·B[k, j], operands given
 * as strided views of any numeric typed array (transposed and sliced operands cost no copy: the
 * packing step reads them with their strides). The WebAssembly SIMD kernel (./gemm-module.ts)
 * runs when available; `gemmJs` is the fallback and the reference of the tests.
 *
 * Cache blocking as GotoBLAS: for each band of C rows (C lives in the module's memory, at most
 * C_BAND_BYTES), for each pair, for each NC-column block, for each KC-deep slice: pack B's
 * KC×NC block into NR-column panels (L3), then for each MC-row block of A pack it into MR-row
 * panels (L2) and run the module's macro kernel over the tiles.
 */
import { wasmSimdAvailable } from "../kernels/compile-wasm.js";
import { DEFAULT_MICRO, gemmModule, type MicroShape } from "./gemm-module.js";

export type NumericData = Float64Array | Float32Array | Int32Array | Uint8Array;

/** A strided matrix view: element (i, j) is data[offset + i·rs + j·cs]. */
export interface MatView {
  readonly data: NumericData;
  readonly offset: number;
  readonly rs: number;
  readonly cs: number;
}

/** One product term: A (m×k) · B (k×n). */
export interface GemmPair {
  readonly a: MatView;
  readonly b: MatView;
  readonly k: number;
}

/** Where the m×n result goes: out[offset + i·ld + j] (overwritten, not accumulated). */
export interface GemmOut {
  readonly data: Float64Array | Float32Array;
  readonly offset: number;
  readonly ld: number;
}

const KC = 256;
const MC = 96;
const NC_MAX = 4096;
const C_BAND_BYTES = 64 * 2 ** 20;

interface Kernel {
  readonly micro: MicroShape;
  readonly memory: WebAssembly.Memory;
  readonly macro: (mp: number, np: number, kc: number, pa: number, pb: number, c: number, ldc: number) => void;
  f64: Float64Array;
}

const kernels = new Map<string, Kernel>();

/** The module instance of this thread for a micro-kernel shape (one per thread: calls are synchronous). */
function kernelFor(micro: MicroShape): Kernel {
  const key = JSON.stringify(micro);
  let k = kernels.get(key);
  if (k === undefined) {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(gemmModule(micro)), {});
    const ex = inst.exports as unknown as { memory: WebAssembly.Memory; macro: Kernel["macro"] };
    k = { micro, memory: ex.memory, macro: ex.macro, f64: new Float64Array(ex.memory.buffer) };
    kernels.set(key, k);
  }
  return k;
}

function ensureBytes(k: Kernel, bytes: number): void {
  const have = k.memory.buffer.byteLength;
  if (bytes > have) {
    k.memory.grow(Math.ceil((bytes - have) / 65536));
    k.f64 = new Float64Array(k.memory.buffer);
  }
}

const roundUp = (x: number, m: number): number => Math.ceil(x / m) * m;

let backend: "auto" | "js" = "auto";
/** Force the JS fallback (tests compare both), or let the WebAssembly kernel run where available. */
export function setGemmBackend(b: "auto" | "js"): void { backend = b; }
export function gemmBackend(): "wasm" | "js" { return backend === "auto" && wasmSimdAvailable() ? "wasm" : "js"; }

/** out = Σ pairs A·B (m×n), in float64 arithmetic; float32 outputs are rounded once at the end. */
export function gemm(m: number, n: number, pairs: readonly GemmPair[], out: GemmOut, micro: MicroShape = DEFAULT_MICRO): void {
  if (m === 0 || n === 0) return;
  if (gemmBackend() === "js") return gemmJs(m, n, pairs, out);
  const K = kernelFor(micro);
  const { mr: MR, nr: NR } = micro;
  const np = roundUp(n, NR);
  const nc = Math.min(np, roundUp(NC_MAX, NR));
  const mcR = roundUp(MC, MR);
  const paBytes = mcR * KC * 8;
  const pbBytes = KC * nc * 8;
  const bandRows = Math.max(MR, Math.floor(C_BAND_BYTES / (np * 8) / MR) * MR);
  const band = Math.min(roundUp(m, MR), bandRows);
  const pa = 0, pb = paBytes, cBase = paBytes + pbBytes;
  ensureBytes(K, cBase + band * np * 8);
  for (let r0 = 0; r0 < m; r0 += band) {
    const rows = Math.min(band, m - r0);
    const f = K.f64;
    f.fill(0, cBase / 8, cBase / 8 + roundUp(rows, MR) * np);
    for (const p of pairs) {
      for (let jc = 0; jc < n; jc += nc) {
        const ncA = Math.min(nc, n - jc);
        for (let pc = 0; pc < p.k; pc += KC) {
          const kc = Math.min(KC, p.k - pc);
          packB(f, pb / 8, p.b, pc, kc, jc, ncA, NR);
          for (let ic = 0; ic < rows; ic += mcR) {
            const mc = Math.min(mcR, rows - ic);
            packA(f, pa / 8, p.a, r0 + ic, mc, pc, kc, MR);
            K.macro(Math.ceil(mc / MR), Math.ceil(ncA / NR), kc, pa, pb, cBase + (ic * np + jc) * 8, np * 8);
          }
        }
      }
    }
    const od = out.data;
    for (let i = 0; i < rows; i++) {
      const src = cBase / 8 + i * np;
      const dst = out.offset + (r0 + i) * out.ld;
      if (od instanceof Float64Array) od.set(f.subarray(src, src + n), dst);
      else for (let j = 0; j < n; j++) od[dst + j] = f[src + j]!;
    }
  }
}

/** B[pc.., jc..] (kc×nc) into NR-column panels, zero-padded: panel q, step k → NR values. */
function packB(f: Float64Array, base: number, b: MatView, pc: number, kc: number, jc: number, nc: number, NR: number): void {
  const { data, rs, cs } = b;
  const panels = Math.ceil(nc / NR);
  for (let q = 0; q < panels; q++) {
    const col0 = jc + q * NR;
    const w = Math.min(NR, jc + nc - col0);
    let dst = base + q * kc * NR;
    let src = b.offset + pc * rs + col0 * cs;
    for (let k = 0; k < kc; k++, dst += NR, src += rs) {
      let j = 0;
      for (let s = src; j < w; j++, s += cs) f[dst + j] = data[s]!;
      for (; j < NR; j++) f[dst + j] = 0;
    }
  }
}

/** A[ic.., pc..] (mc×kc) into MR-row panels, zero-padded: panel p, step k → MR values. */
function packA(f: Float64Array, base: number, a: MatView, ic: number, mc: number, pc: number, kc: number, MR: number): void {
  const { data, rs, cs } = a;
  const panels = Math.ceil(mc / MR);
  for (let p = 0; p < panels; p++) {
    const row0 = ic + p * MR;
    const h = Math.min(MR, ic + mc - row0);
    let dst = base + p * kc * MR;
    let src = a.offset + row0 * rs + pc * cs;
    for (let k = 0; k < kc; k++, dst += MR, src += cs) {
      let i = 0;
      for (let s = src; i < h; i++, s += rs) f[dst + i] = data[s]!;
      for (; i < MR; i++) f[dst + i] = 0;
    }
  }
}

/** The plain JavaScript product (fallback and reference): row by row, k outer, j inner. */
export function gemmJs(m: number, n: number, pairs: readonly GemmPair[], out: GemmOut): void {
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (const { a, b, k } of pairs) {
      for (let kk = 0; kk < k; kk++) {
        const aik = a.data[a.offset + i * a.rs + kk * a.cs]!;
        const bo = b.offset + kk * b.rs;
        for (let j = 0; j < n; j++) row[j] = row[j]! + aik * b.data[bo + j * b.cs]!;
      }
    }
    const dst = out.offset + i * out.ld;
    for (let j = 0; j < n; j++) out.data[dst + j] = row[j]!;
  }
}
