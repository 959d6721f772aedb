/**
 * Reproducible random numbers for tessera/array: every element's value depends only on the
 * seed and its global flat index (see ./stream.ts for the generator SPEC, ./distributions.ts
 * for the derived distributions). Chunk programs carry `rand` nodes whose `seed` is the
 * normalised 16-hex-digit key from `normalizeSeed`.
 */
export { normalizeSeed, seedKey, type SeedLike } from "./seed.js";
export { BLOCK_SIZE, LANES, fillUnitReference } from "./stream.js";
export { fillUnit, fillUniform, fillRandom, fillNormal, fillIntegers } from "./distributions.js";
export { fillRand, type RandSpec } from "./fill-rand.js";
