/**
 * Seed normalisation for the array layer's random numbers.
 *
 * Every seed becomes a 64-bit key written as 16 lowercase hex digits; chunk programs carry that
 * string (IR `rand` nodes), so the key — not the caller's spelling — defines the stream.
 *   - no seed:                         8 fresh random bytes (crypto), so each call differs;
 *   - number: a non-negative safe integer, taken as the key;
 *   - bigint: 0 <= s < 2^64, taken as the key;
 *   - string of exactly 16 hex digits: the key itself (so normalising is idempotent);
 *   - string of decimal digits:        parsed like the number ("42" ≡ 42);
 *   - any other string:                FNV-1a-64 hash of its UTF-8 bytes.
 */
import { randomBytes } from "node:crypto";
import { ArrayArgumentError } from "../errors.js";

const HEX16 = /^[0-9a-fA-F]{16}$/;
const DECIMAL = /^[0-9]+$/;
const MASK64 = (1n << 64n) - 1n;

export type SeedLike = string | number | bigint;

function hex16(x: bigint): string {
  return x.toString(16).padStart(16, "0");
}

function fnv1a64(text: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= BigInt(byte);
    h = (h * 0x100000001b3n) & MASK64;
  }
  return h;
}

/** Normalise a user seed to the 16-hex-digit key used by every generator. */
export function normalizeSeed(seed?: SeedLike): string {
  if (seed === undefined) return randomBytes(8).toString("hex");
  if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new ArrayArgumentError(`seed: ${seed} is not a non-negative safe integer; use e.g. 42, a bigint below 2^64, or a string`);
    }
    return hex16(BigInt(seed));
  }
  if (typeof seed === "bigint") {
    if (seed < 0n || seed > MASK64) {
      throw new ArrayArgumentError(`seed: ${seed}n is outside 0..2^64-1; use a bigint in that range or a string`);
    }
    return hex16(seed);
  }
  if (typeof seed === "string") {
    if (HEX16.test(seed)) return seed.toLowerCase();
    if (DECIMAL.test(seed)) {
      const n = BigInt(seed);
      if (n <= MASK64) return hex16(n);
    }
    return hex16(fnv1a64(seed));
  }
  throw new ArrayArgumentError(`seed: expected a number, bigint or string, got ${typeof seed}`);
}

/** The 64-bit key of a seed (normalised first). */
export function seedKey(seed: SeedLike): bigint {
  return BigInt("0x" + normalizeSeed(seed));
}
