/**
 * Graph building for built-in block kernels: one `array.apply` task per output block, naming a
 * kernel of ./block-kernels.ts, its parameters (shared by all blocks), per-block parameters and
 * the input blocks it reads. Used by the functions that are not elementwise chunk programs
 * (scans, sorting, joins, padding, histogram, …).
 */
import { tokenName } from "../../graph/keys.js";
import { blockKey, ref, type Arg, type Graph, type Key } from "../../graph/spec.js";
import { blockIndices, type Chunks } from "../chunks.js";
import { TArray, mergeLayers } from "../core.js";
import type { DType } from "../dtype.js";
import { ARRAY_OPS } from "../ops-names.js";

export interface ApplySpec {
  readonly prefix: string;
  readonly kernel: string;
  readonly params: unknown;
  readonly inputs: readonly TArray[];
  readonly chunks: Chunks;
  readonly dtype: DType;
  /** Per output block: the input keys it reads (in order; `self` names this array, for chains) and its own parameters. */
  readonly block: (idx: number[], self: string) => { keys: Key[]; params?: unknown };
  /** Extra token parts (what makes two calls different beyond kernel, params and inputs). */
  readonly token?: readonly unknown[];
}

export function applyArray(spec: ApplySpec): TArray {
  const name = tokenName(spec.prefix, spec.kernel, spec.params as Arg, spec.inputs.map((a) => a.name), spec.chunks, spec.dtype, spec.token ?? []);
  const layer: Graph = {};
  for (const idx of blockIndices(spec.chunks.map((c) => c.length))) {
    const { keys, params } = spec.block(idx, name);
    layer[blockKey(name, idx)] = {
      op: ARRAY_OPS.apply,
      args: [spec.kernel, spec.params as Arg, (params ?? null) as Arg, ...keys.map((k) => ref(k))],
    };
  }
  return new TArray(mergeLayers(spec.inputs, name, layer), name, spec.chunks, spec.dtype);
}
