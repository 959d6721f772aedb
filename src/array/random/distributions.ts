/**
 * Index-determined draws from the distributions the array layer offers, built on the unit
 * generator U(i) of ./stream.ts. These definitions are part of the public contract (the value
 * of element i depends only on the seed, the parameters and i):
 *
 *   uniform(low, high)[i]  = low + (high - low) · U(i)          (float64 arithmetic, in this order)
 *   random[i]              = U(i)                               (= uniform(0, 1))
 *   integers(low, high)[i] = low + floor((high - low) · U(i))   in [low, high)
 *   normal(mean, std)[i]   = mean + std · Z(i), Box–Muller on the pair p = floor(i / 2):
 *                            R = sqrt(-2 · log(1 - U(2p))), θ = 2π · U(2p + 1),
 *                            Z(i) = R · cos θ if i is even, R · sin θ if i is odd
 *                            (Math.log / Math.cos / Math.sin of the running V8).
 *
 * Float32 outputs are the float64 value rounded to nearest (Math.fround).
 */
import { checkStart, fillUnitReference } from "./stream.js";
import { fillUnitWasm } from "./wasm-unit.js";
import { seedKey, type SeedLike } from "./seed.js";
import { ArrayArgumentError } from "../errors.js";

const PIECE = 8192;
const TWO_PI = 2 * Math.PI;
let scratch = new Float64Array(PIECE + 2);

/** U(start .. start + n) into out[offset ..]: WebAssembly SIMD when available, else plain JS. */
export function fillUnit(key: bigint, start: number, out: Float64Array, offset = 0, n = out.length - offset): void {
  checkStart(start, n);
  if (n <= 0) return;
  if (!fillUnitWasm(key, start, out, offset, n)) fillUnitReference(key, start, out, offset, n);
}

function checkFinite(name: string, v: number): void {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ArrayArgumentError(`${name}: ${String(v)} is not a finite number`);
}

function checkOut(out: unknown, kinds: string): void {
  if (!(out instanceof Float64Array || out instanceof Float32Array || out instanceof Int32Array)) {
    throw new ArrayArgumentError(`out: expected ${kinds}, got ${Object.prototype.toString.call(out)}`);
  }
}

/** out[j] = uniform(low, high) at global index start + j. */
export function fillUniform(seed: SeedLike, start: number, out: Float64Array | Float32Array, low = 0, high = 1): void {
  checkOut(out, "a Float64Array or Float32Array");
  checkFinite("low", low);
  checkFinite("high", high);
  const key = seedKey(seed);
  const scale = high - low;
  const identity = low === 0 && scale === 1;
  if (out instanceof Float64Array) {
    fillUnit(key, start, out);
    if (!identity) for (let j = 0; j < out.length; j++) out[j] = low + scale * out[j]!;
    return;
  }
  for (let done = 0; done < out.length; done += PIECE) {
    const n = Math.min(PIECE, out.length - done);
    fillUnit(key, start + done, scratch, 0, n);
    for (let j = 0; j < n; j++) out[done + j] = low + scale * scratch[j]!;
  }
}

/** out[j] = U(start + j), i.e. uniform(0, 1). */
export function fillRandom(seed: SeedLike, start: number, out: Float64Array | Float32Array): void {
  fillUniform(seed, start, out, 0, 1);
}

/** out[j] = integers(low, high) at global index start + j: integers in [low, high). */
export function fillIntegers(seed: SeedLike, start: number, out: Int32Array | Float64Array, low: number, high: number): void {
  checkOut(out, "an Int32Array or Float64Array");
  if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || low >= high) {
    throw new ArrayArgumentError(`integers: need integers low < high, got low=${low}, high=${high}`);
  }
  if (out instanceof Int32Array && (low < -(2 ** 31) || high > 2 ** 31)) {
    throw new ArrayArgumentError(`integers: [${low}, ${high}) does not fit int32; use dtype float64`);
  }
  const key = seedKey(seed);
  const range = high - low;
  for (let done = 0; done < out.length; done += PIECE) {
    const n = Math.min(PIECE, out.length - done);
    fillUnit(key, start + done, scratch, 0, n);
    for (let j = 0; j < n; j++) out[done + j] = low + Math.floor(range * scratch[j]!);
  }
}

/** out[j] = normal(mean, std) at global index start + j (Box–Muller on index pairs). */
export function fillNormal(seed: SeedLike, start: number, out: Float64Array | Float32Array, mean = 0, std = 1): void {
  checkOut(out, "a Float64Array or Float32Array");
  checkFinite("mean", mean);
  checkFinite("std", std);
  if (std < 0) throw new ArrayArgumentError(`std: ${std} is negative; use a standard deviation >= 0`);
  const key = seedKey(seed);
  for (let done = 0; done < out.length; done += PIECE) {
    const n = Math.min(PIECE, out.length - done);
    const i0 = start + done;
    const first = i0 - (i0 % 2); // U index of the first pair's u1
    const m = ((i0 + n + 1) & ~1) - first; // whole pairs covering [i0, i0 + n)
    if (scratch.length < m) scratch = new Float64Array(m);
    fillUnit(key, first, scratch, 0, m);
    for (let j = 0; j < n; j++) {
      const i = i0 + j;
      const q = i - first - (i % 2);
      const r = Math.sqrt(-2 * Math.log(1 - scratch[q]!));
      const theta = TWO_PI * scratch[q + 1]!;
      out[done + j] = mean + std * (i % 2 === 0 ? r * Math.cos(theta) : r * Math.sin(theta));
    }
  }
}
