/** NDArray: a computed, in-memory array (what `compute()` returns for non-scalar results). */
import { ArrayArgumentError } from "./errors.js";
import { inspect } from "node:util";
import { allocate, type ChunkData, type DType } from "./dtype.js";
import { blockIndices, offsets, shapeOfChunks, type Chunks } from "./chunks.js";
import type { NDChunk } from "./fusion/ir.js";
import { assemble, cStrides } from "./kernels/assemble.js";

export type Nested = number | boolean | Nested[];

export class NDArray {
  constructor(readonly dtype: DType, readonly shape: readonly number[], readonly data: ChunkData) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new ArrayArgumentError(`NDArray: shape [${shape.join(", ")}] needs ${n} elements, data has ${data.length}`);
  }

  static scalar(dtype: DType, v: number | boolean): NDArray {
    const d = allocate(dtype, 1);
    if (d instanceof BigInt64Array) d[0] = BigInt(Number(v));
    else d[0] = Number(v);
    return new NDArray(dtype, [], d);
  }

  get ndim(): number { return this.shape.length; }
  get size(): number { return this.data.length; }

  /** Element at flat index `i` as a JS number (int64 via Number: exact below 2^53) or boolean. */
  flat(i: number): number | boolean {
    const v = this.data[i];
    if (v === undefined) throw new ArrayArgumentError(`index ${i} is out of range for ${this.data.length} elements`);
    if (this.dtype === "bool") return v !== 0;
    return typeof v === "bigint" ? Number(v) : v;
  }

  /** The only element of a size-1 array. */
  item(): number | boolean {
    if (this.data.length !== 1) throw new ArrayArgumentError(`item(): the array has ${this.data.length} elements, not 1`);
    return this.flat(0);
  }

  get(...index: number[]): number | boolean {
    if (index.length !== this.ndim) throw new ArrayArgumentError(`get: ${index.length} indices for ${this.ndim} axes`);
    const s = cStrides(this.shape);
    let f = 0;
    index.forEach((i, k) => {
      const n = this.shape[k]!;
      const j = i < 0 ? i + n : i;
      if (!Number.isInteger(j) || j < 0 || j >= n) throw new ArrayArgumentError(`get: index ${i} is out of range for axis ${k} of length ${n}`);
      f += j * s[k]!;
    });
    return this.flat(f);
  }

  /** Nested JS arrays (numbers, or booleans for bool). */
  toArray(): Nested {
    const rec = (k: number, base: number): Nested => {
      if (k === this.ndim) return this.flat(base);
      const s = cStrides(this.shape)[k]!;
      const out: Nested[] = [];
      for (let i = 0; i < this.shape[k]!; i++) out.push(rec(k + 1, base + i * s));
      return out;
    };
    return rec(0, 0);
  }

  [inspect.custom](): string {
    const body = this.size <= 1000 ? inspect(this.toArray(), { depth: null, maxArrayLength: 100 }) : `<${this.size} elements>`;
    return `NDArray(${body}, dtype=${this.dtype}, shape=[${this.shape.join(", ")}])`;
  }
}

/** Concatenate computed blocks (C order of the block grid) into one NDArray. */
export function fromBlocks(dtype: DType, chunks: Chunks, blocks: readonly unknown[]): NDArray {
  const shape = shapeOfChunks(chunks);
  const idxs = blockIndices(chunks.map((c) => c.length));
  if (idxs.length === 1) {
    const b = blocks[0] as NDChunk;
    return new NDArray(dtype, shape, b.data);
  }
  const offs = chunks.map((c) => offsets(c));
  const pieces = idxs.map((idx, j) => {
    const src = blocks[j] as NDChunk;
    return { src, start: idx.map(() => 0), step: idx.map(() => 1), dst: idx.map((b, k) => offs[k]![b]!), count: [...src.shape] };
  });
  const r = assemble(dtype, shape, shape, pieces);
  return new NDArray(dtype, shape, r.data);
}
