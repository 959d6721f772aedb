/**
 * The index-determined uniform generator: the public contract of Tessera's random numbers.
 *
 * SPEC (version 2; version 1 had B = 2^16). Let K be the 64-bit key of the seed (./seed.ts). The
 * array's elements are numbered by their global flat (C-order) index i = 0, 1, 2, ... and split
 * into blocks of B = 2^10 consecutive indices. Block b = floor(i / B) owns L = 8 independent streams
 * ("lanes"); element i belongs to lane l = i mod 8 and is output number n = floor((i mod B) / 8)
 * of that lane (numbering from 0).
 *
 *   stream id      k = 8 b + l
 *   lane state     s_w = splitmix64(K + (4 k + w + 1) · 0x9E3779B97F4A7C15)  for w = 0..3 (mod 2^64)
 *                  where splitmix64(z) = z ^= z>>30; z *= 0xBF58476D1CE4E5B9; z ^= z>>27;
 *                  z *= 0x94D049BB133111EB; z ^= z>>31   (the standard finaliser)
 *   generator      xoshiro256+ (Blackman & Vigna): output r = s0 + s3, then
 *                  t = s1<<17; s2^=s0; s3^=s1; s1^=s2; s0^=s3; s2^=t; s3 = rotl(s3,45)
 *   unit double    U(i) = (r_n >> 12) · 2^-52  ∈ [0, 1)   (52 random bits; the "exponent trick"
 *                  bits(1.0) | r>>12, minus 1.0, gives exactly this value)
 *
 * So U(i) depends only on (K, i): not on chunking, worker count or order of evaluation. The
 * four splitmix64 inputs of stream k are disjoint from every other stream's, and splitmix64 is
 * a bijection, so no lane state is all-zero. A run starting mid-block skips ahead by stepping
 * each lane past the outputs it does not need (at most B/8 = 128 steps per lane): blocks are
 * small so that every row of an N-D chunk, which starts anywhere, is cheap to reach
 * (docs/random.md says why not a counter-based generator).
 *
 * Derived distributions (./distributions.ts) are defined on U and are part of the contract too.
 *
 * This file is the plain-JavaScript reference implementation (64-bit words as pairs of int32);
 * src/array/kernels/wasm/xoshiro.ts emits the WebAssembly SIMD version, which must agree bit for bit.
 */
import { ArrayArgumentError } from "../errors.js";

export const BLOCK_BITS = 10;
export const BLOCK_SIZE = 1 << BLOCK_BITS;
export const LANES = 8;

const MASK64 = (1n << 64n) - 1n;
const GOLDEN = 0x9e3779b97f4a7c15n;
const TWO_POW_M52 = 2 ** -52;

/** The splitmix64 finaliser on a 64-bit value. */
export function splitmix64(z: bigint): bigint {
  z &= MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** State word w (0..3) of lane `lane` in block `block` for key K, as a 64-bit bigint. */
export function laneStateWord(key: bigint, block: number, lane: number, w: number): bigint {
  const k = BigInt(block) * BigInt(LANES) + BigInt(lane);
  return splitmix64(key + (4n * k + BigInt(w) + 1n) * GOLDEN);
}

/** Outputs lane `lane` produced before block position `pos` (how far to skip ahead). */
export function laneOutputsBefore(pos: number, lane: number): number {
  return pos > lane ? Math.floor((pos - lane + LANES - 1) / LANES) : 0;
}

/** Throws unless [start, start + n) is a valid range of global indices. */
export function checkStart(start: number, n: number): void {
  if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(start + n)) {
    throw new ArrayArgumentError(`start: ${start} is not a non-negative integer index (with ${n} elements) below 2^53`);
  }
}

/**
 * Writes U(start), ..., U(start + n - 1) into out[offset .. offset + n) — the reference
 * implementation of the SPEC above.
 */
export function fillUnitReference(key: bigint, start: number, out: Float64Array, offset = 0, n = out.length - offset): void {
  checkStart(start, n);
  let i = start;
  const end = start + n;
  while (i < end) {
    const block = Math.floor(i / BLOCK_SIZE);
    const blockStart = block * BLOCK_SIZE;
    const pos0 = i - blockStart;
    const pos1 = Math.min(BLOCK_SIZE, end - blockStart);
    const base = offset + (blockStart - start);
    for (let lane = 0; lane < LANES; lane++) fillLane(key, block, lane, pos0, pos1, out, base);
    i = blockStart + pos1;
  }
}

/** One lane's outputs at block positions pos0 <= j < pos1, j ≡ lane (mod 8), into out[base + j]. */
function fillLane(key: bigint, block: number, lane: number, pos0: number, pos1: number, out: Float64Array, base: number): void {
  const words = [0, 1, 2, 3].map((w) => laneStateWord(key, block, lane, w));
  const hi = words.map((x) => Number(x >> 32n) | 0);
  const lo = words.map((x) => Number(x & 0xffffffffn) | 0);
  let s0h = hi[0]!, s0l = lo[0]!, s1h = hi[1]!, s1l = lo[1]!;
  let s2h = hi[2]!, s2l = lo[2]!, s3h = hi[3]!, s3l = lo[3]!;
  const skip = laneOutputsBefore(pos0, lane);
  const first = lane + skip * LANES;
  // The loop runs `skip` discarded steps, then the wanted ones.
  for (let j = lane; j < pos1; j += LANES) {
    if (j >= first) {
      // r = s0 + s3 (64-bit add on int32 halves)
      const rl = (s0l + s3l) | 0;
      const carry = (rl >>> 0) < (s0l >>> 0) ? 1 : 0;
      const rh = (s0h + s3h + carry) | 0;
      out[base + j] = ((rh >>> 0) * 1048576 + (rl >>> 12)) * TWO_POW_M52;
    }
    const th = (s1h << 17) | (s1l >>> 15);
    const tl = s1l << 17;
    s2h ^= s0h; s2l ^= s0l;
    s3h ^= s1h; s3l ^= s1l;
    s1h ^= s2h; s1l ^= s2l;
    s0h ^= s3h; s0l ^= s3l;
    s2h ^= th; s2l ^= tl;
    // rotl(s3, 45) = swap halves, then rotl 13
    const nh = (s3l << 13) | (s3h >>> 19);
    const nl = (s3h << 13) | (s3l >>> 19);
    s3h = nh; s3l = nl;
  }
}
