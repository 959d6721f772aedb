/** Fills values of an IR `rand` node (src/array/fusion/ir.ts) — one entry point for backends. */
import type { RandomDist } from "../fusion/ir.js";
import { fillIntegers, fillNormal, fillUniform } from "./distributions.js";
import { ArrayArgumentError } from "../errors.js";

export interface RandSpec {
  readonly dist: RandomDist;
  /** Normalised seed (16 hex digits). */
  readonly seed: string;
  /** low (uniform, integers) or mean (normal); ignored by "random". */
  readonly a: number;
  /** high (uniform, integers) or std (normal); ignored by "random". */
  readonly b: number;
}

/** out[j] = value of `spec` at global flat index start + j. */
export function fillRand(spec: RandSpec, start: number, out: Float64Array | Float32Array | Int32Array): void {
  switch (spec.dist) {
    case "random":
    case "uniform": {
      if (out instanceof Int32Array) throw new ArrayArgumentError(`rand ${spec.dist}: out must be a float array, got Int32Array`);
      const [lo, hi] = spec.dist === "random" ? [0, 1] : [spec.a, spec.b];
      fillUniform(spec.seed, start, out, lo, hi);
      return;
    }
    case "normal":
      if (out instanceof Int32Array) throw new ArrayArgumentError("rand normal: out must be a float array, got Int32Array");
      fillNormal(spec.seed, start, out, spec.a, spec.b);
      return;
    case "integers":
      if (out instanceof Float32Array) throw new ArrayArgumentError("rand integers: out must be an Int32Array or Float64Array");
      fillIntegers(spec.seed, start, out, spec.a, spec.b);
      return;
  }
}
