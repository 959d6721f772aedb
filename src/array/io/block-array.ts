/** A lazy array whose every block is one IO task reading (start, count) of a stored variable. */
import { tokenName } from "../../graph/keys.js";
import { blockKey, type Arg, type Graph } from "../../graph/spec.js";
import { blockIndices, offsets, type Chunks } from "../chunks.js";
import { TArray } from "../core.js";
import type { DType } from "../dtype.js";

export function blockReadArray(prefix: string, op: string, spec: object, chunks: Chunks, dtype: DType): TArray {
  const name = tokenName(prefix, op, spec, chunks, dtype);
  const offs = chunks.map((c) => offsets(c));
  const layer: Graph = {};
  for (const idx of blockIndices(chunks.map((c) => c.length))) {
    const start = idx.map((b, k) => offs[k]![b]!);
    const count = idx.map((b, k) => chunks[k]![b]!);
    layer[blockKey(name, idx)] = { op, args: [spec as unknown as Arg, start, count] };
  }
  return new TArray(new Map([[name, layer]]), name, chunks, dtype);
}
