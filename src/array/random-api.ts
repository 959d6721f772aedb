/**
 * tessera/array's `random`: uniform, normal, integers, random, and generator objects. Values are
 * index-determined (src/array/random): for a seed, element i's value depends only on i, so any
 * chunking or worker count gives the same array.
 */
import { ArrayArgumentError } from "./errors.js";
import { normalizeSeed, type SeedLike } from "./random/index.js";
import { checkShape, type ChunkSpec } from "./chunks.js";
import type { TArray } from "./core.js";
import { leafArray } from "./creation.js";
import { checkDType, isFloat, type DType } from "./dtype.js";
import type { RandomDist } from "./fusion/ir.js";
import { checkOptions } from "../util/options.js";

export interface RandomOptions {
  /** Output shape (numpy's `size`; either name works). */
  readonly shape?: number | readonly number[];
  readonly size?: number | readonly number[];
  readonly chunks?: ChunkSpec;
  readonly seed?: SeedLike;
  readonly dtype?: DType;
}

function finite(what: string, v: number): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ArrayArgumentError(`${what}: ${String(v)} is not a finite number`);
  return v;
}

const RANDOM_OPTIONS = ["shape", "size", "chunks", "seed", "dtype"] as const;

function draw(dist: RandomDist, a: number, b: number, opts: RandomOptions, defaultDtype: DType, seed: string): TArray {
  checkOptions(opts, RANDOM_OPTIONS, `random.${dist}`);
  const shapeIn = opts.shape ?? opts.size ?? [];
  const shape = checkShape(shapeIn, opts.shape !== undefined ? "shape" : "size");
  const dtype = checkDType(opts.dtype ?? defaultDtype);
  if (dist === "integers" ? dtype === "bool" : !isFloat(dtype)) {
    throw new ArrayArgumentError(`dtype: ${dtype} is not supported by ${dist}; use ${dist === "integers" ? "int32, int64, uint8 or a float type" : "float64 or float32"}`);
  }
  return leafArray(dist, { nodes: [{ op: "rand", dist, seed, a, b, dtype }], outputs: [0] }, shape, opts.chunks, dtype);
}

/** A random generator: each call draws a fresh, reproducible stream derived from its seed. */
export class Generator {
  readonly #seed: string;
  #calls = 0;
  constructor(seed?: SeedLike) {
    this.#seed = normalizeSeed(seed);
  }
  #next(opts: RandomOptions): string {
    if (opts.seed !== undefined) return normalizeSeed(opts.seed);
    return normalizeSeed(`${this.#seed}/${this.#calls++}`);
  }
  /** Floats in [low, high). */
  uniform(low = 0, high = 1, opts: RandomOptions = {}): TArray {
    return draw("uniform", finite("low", low), finite("high", high), opts, "float64", this.#next(opts));
  }
  /** Normal draws with mean `loc` and standard deviation `scale`. */
  normal(loc = 0, scale = 1, opts: RandomOptions = {}): TArray {
    if (finite("scale", scale) < 0) throw new ArrayArgumentError(`scale: ${scale} is negative; use a standard deviation >= 0`);
    return draw("normal", finite("loc", loc), scale, opts, "float64", this.#next(opts));
  }
  /** Integers in [low, high) (integers(high) means [0, high)); dtype int64 unless given. */
  integers(low: number, high?: number | RandomOptions, opts: RandomOptions = {}): TArray {
    let o = opts;
    let hi: number | undefined;
    if (typeof high === "object") o = high;
    else hi = high;
    const [l, h] = hi === undefined ? [0, low] : [low, hi];
    if (!Number.isSafeInteger(l) || !Number.isSafeInteger(h) || l >= h) throw new ArrayArgumentError(`integers: need integers low < high, got low=${l}, high=${h}`);
    return draw("integers", l, h, o, "int64", this.#next(o));
  }
  /** Floats in [0, 1). */
  random(opts: RandomOptions = {}): TArray {
    return draw("random", 0, 1, opts, "float64", this.#next(opts));
  }
}

/** numpy-style constructor names. */
export function default_rng(seed?: SeedLike): Generator {
  return new Generator(seed);
}
export class RandomState extends Generator {}

function fresh(opts: RandomOptions): Generator {
  return new Generator(opts.seed);
}

/** Module-level draws: seeded by `opts.seed` (a fresh random seed when absent). */
export const random = {
  uniform: (low = 0, high = 1, opts: RandomOptions = {}): TArray => fresh(opts).uniform(low, high, { ...opts, seed: normalizeSeed(opts.seed) }),
  normal: (loc = 0, scale = 1, opts: RandomOptions = {}): TArray => fresh(opts).normal(loc, scale, { ...opts, seed: normalizeSeed(opts.seed) }),
  integers: (low: number, high?: number | RandomOptions, opts: RandomOptions = {}): TArray => {
    const o = typeof high === "object" ? high : opts;
    const seeded = { ...o, seed: normalizeSeed(o.seed) };
    return typeof high === "object" || high === undefined ? fresh(o).integers(low, seeded) : fresh(o).integers(low, high, seeded);
  },
  random: (opts: RandomOptions = {}): TArray => fresh(opts).random({ ...opts, seed: normalizeSeed(opts.seed) }),
  default_rng,
  Generator,
  RandomState,
};
