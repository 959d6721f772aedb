/**
 * Blosc's byte unshuffle for 4- and 8-byte types as a WebAssembly SIMD loop (built with the
 * project's own encoder, ../kernels/wasm/): 16 elements per step, one 16-byte load from each byte
 * stream, a byte transpose by rounds of i8x16.shuffle interleaves (bytes, then 2-byte pairs, then
 * 4-byte groups), and 16-byte stores of whole elements. The JS loop (./unshuffle.ts) does 4 bytes
 * per store; this does 16.
 *
 * One instance per thread, with its own memory: the caller decodes a block's shuffled bytes into
 * `input()`, calls `run`, and copies `output()` out. Memory grows on demand.
 */
import { Asm, Op, Simd } from "../kernels/wasm/asm.js";
import { ModuleBuilder, ValType } from "../kernels/wasm/encoder.js";

const I = ValType.i32;
const V = ValType.v128;

/** Interleave lanes of width `w` bytes from the low (half 0) or high (half 1) halves of a and b. */
function interleave(w: number, half: 0 | 1): number[] {
  const lanes: number[] = [];
  for (let g = 0; g < 8 / w; g++) {
    const base = half * 8 + g * w;
    for (let k = 0; k < w; k++) lanes.push(base + k);
    for (let k = 0; k < w; k++) lanes.push(16 + base + k);
  }
  return lanes;
}

/** `unshuffle(src, dst, n)`: the first n - n % 16 elements of typesize 4 or 8. */
function unshuffleFunc(mb: ModuleBuilder, typesize: 4 | 8, name: string): void {
  const fn = mb.declareFunc();
  const a = new Asm([I, I, I]);
  const [SRC, DST, N] = [0, 1, 2];
  const i = a.local(I), d = a.local(I);
  const p = [...Array(typesize)].map(() => a.local(I));
  const v = [...Array(typesize)].map(() => a.local(V));
  const shuffle = (x: number, y: number, lanes: number[], to: number): void => {
    a.get(x).get(y).simd(Simd.i8x16Shuffle);
    a.w.byte(...lanes);
    a.set(to);
  };
  for (let j = 0; j < typesize; j++) a.get(SRC).get(N).i32(j).op(Op.i32Mul).op(Op.i32Add).set(p[j]!);
  a.i32(0).set(i);
  a.get(DST).set(d);
  a.block().loop();
  a.get(i).i32(16).op(Op.i32Add).get(N).op(Op.i32GtU).brIf(1);
  for (let j = 0; j < typesize; j++) a.get(p[j]!).get(i).op(Op.i32Add).v128load().set(v[j]!);
  // Each vector holds bytes [b, b + w) of 16 / w consecutive elements from e. A round pairs the
  // vectors of the same elements and neighbouring bytes and interleaves w-byte groups: the low
  // halves give bytes [b, b + 2w) of the first half of the elements, the high halves the second.
  let cur = v.map((local, j) => ({ local, e: 0, b: j }));
  for (let w = 1; w < typesize; w *= 2) {
    const next: { local: number; e: number; b: number }[] = [];
    const sorted = [...cur].sort((x, y) => x.e - y.e || x.b - y.b);
    for (let k = 0; k < sorted.length; k += 2) {
      const x = sorted[k]!, y = sorted[k + 1]!;
      const lo = a.local(V), hi = a.local(V);
      shuffle(x.local, y.local, interleave(w, 0), lo);
      shuffle(x.local, y.local, interleave(w, 1), hi);
      next.push({ local: lo, e: x.e, b: x.b }, { local: hi, e: x.e + 8 / w, b: x.b });
    }
    cur = next;
  }
  // Now each vector is 16 / typesize whole elements; store them in element order.
  cur.sort((x, y) => x.e - y.e);
  for (let k = 0; k < typesize; k++) a.get(d).get(cur[k]!.local).v128store(16 * k);
  a.get(i).i32(16).op(Op.i32Add).set(i);
  a.get(d).i32(16 * typesize).op(Op.i32Add).set(d);
  a.br(0).end().end();
  mb.defineFunc(fn, { params: [I, I, I], results: [] }, a.locals, a.w.bytes, name);
}

interface Instance {
  memory: WebAssembly.Memory;
  unshuffle4: (src: number, dst: number, n: number) => void;
  unshuffle8: (src: number, dst: number, n: number) => void;
}

let instance: Instance | undefined;

function load(): Instance {
  if (instance === undefined) {
    const mb = new ModuleBuilder();
    unshuffleFunc(mb, 4, "unshuffle4");
    unshuffleFunc(mb, 8, "unshuffle8");
    instance = new WebAssembly.Instance(new WebAssembly.Module(mb.build()), {}).exports as unknown as Instance;
  }
  return instance;
}

/** Where the output starts in memory: the capacity of the input (set by simdUnshuffleBuffers). */
let capacity = 0;

/**
 * Room for blocks of up to `bytes` bytes: the input view (shuffled bytes go there) and the output
 * view (unshuffled ones come out there), valid until the next call.
 */
export function simdUnshuffleBuffers(bytes: number): { input: Uint8Array; output: Uint8Array } {
  const inst = load();
  const need = 2 * bytes;
  const have = inst.memory.buffer.byteLength;
  if (need > have) inst.memory.grow(Math.ceil((need - have) / 65536));
  capacity = bytes;
  return { input: new Uint8Array(inst.memory.buffer, 0, bytes), output: new Uint8Array(inst.memory.buffer, bytes, bytes) };
}

/**
 * Unshuffle the first `bytes` (≤ the capacity) bytes of the input view into the output view of
 * the last simdUnshuffleBuffers (typesize 4 or 8); the last n % 16 elements and any partial
 * element are done in JS.
 */
export function simdUnshuffle(typesize: 4 | 8, bytes: number): void {
  const inst = load();
  const n = Math.floor(bytes / typesize);
  const simdN = n - (n % 16);
  if (simdN > 0) (typesize === 8 ? inst.unshuffle8 : inst.unshuffle4)(0, capacity, n);
  const mem = new Uint8Array(inst.memory.buffer);
  for (let j = 0; j < typesize; j++) {
    for (let e = simdN; e < n; e++) mem[capacity + e * typesize + j] = mem[j * n + e]!;
  }
  for (let k = n * typesize; k < bytes; k++) mem[capacity + k] = mem[k]!;
}
