/**
 * The block ops of the linear algebra graph (registered by ../ops-register.ts):
 *
 * `array.linalg.contract(spec, ...aBlocks, ...bBlocks)`: one output block = Σ over the block
 * pairs (aBlocks[p], bBlocks[p]) of their contraction. Each operand axis has a role: a batch axis
 * of the output (matmul's broadcast dimensions; size 1 broadcasts), a free axis (rows `m` from A,
 * columns `n` from B) or a contracted axis `k`. The output block's axes are (batch, m, n). Per batch
 * element the pair is a matrix product of (M×K)·(K×N) with M, N, K the products of the m, n, k
 * extents: a strided view when each role has at most one axis (no copy), else gathered first.
 *
 * `array.linalg.add(dtype, ...partials)`: the sum of partial products (when a contraction has
 * more block pairs than one task takes).
 *
 * Dtypes (NumPy's): float64 and float32 multiply in float64 (float32 is rounded once at the end,
 * a little more accurate than NumPy's float32 accumulation). Integer and bool products run through
 * the same float64 kernel when every partial sum is provably exact (max|a|·max|b|·K ≤ 2^53),
 * else through exact integer loops; results wrap as NumPy's do.
 */
import { allocate, type ChunkData, type DType } from "../dtype.js";
import type { NDChunk } from "../fusion/ir.js";
import { cStrides } from "../kernels/assemble.js";
import { gemm, type GemmPair, type MatView, type NumericData } from "./gemm.js";

export type AxisRole = readonly ["b" | "m" | "n" | "k", number];

export interface ContractSpec {
  readonly dtype: DType;
  readonly aRoles: readonly AxisRole[];
  readonly bRoles: readonly AxisRole[];
  /** Number of batch, m, n and k axes. */
  readonly nb: number;
  readonly nm: number;
  readonly nn: number;
  readonly nk: number;
}

const prod = (xs: readonly number[]): number => xs.reduce((p, q) => p * q, 1);

interface Operand {
  /** Extents per role index (batch: the operand's own extent, 1 when absent). */
  readonly batch: number[];
  readonly batchStride: number[];
  readonly free: number[];
  readonly freeStride: number[];
  readonly k: number[];
  readonly kStride: number[];
}

function describe(c: NDChunk, roles: readonly AxisRole[], spec: ContractSpec, freeRole: "m" | "n"): Operand {
  const st = cStrides(c.shape);
  const nf = freeRole === "m" ? spec.nm : spec.nn;
  const o: Operand = {
    batch: new Array<number>(spec.nb).fill(1), batchStride: new Array<number>(spec.nb).fill(0),
    free: new Array<number>(nf).fill(1), freeStride: new Array<number>(nf).fill(0),
    k: new Array<number>(spec.nk).fill(1), kStride: new Array<number>(spec.nk).fill(0),
  };
  roles.forEach(([role, i], ax) => {
    const [ext, str] = role === "b" ? [o.batch, o.batchStride] : role === "k" ? [o.k, o.kStride] : [o.free, o.freeStride];
    ext[i] = c.shape[ax]!;
    str[i] = c.shape[ax] === 1 ? 0 : st[ax]!;
  });
  return o;
}

/** Numeric view of a chunk's data (int64 through Number: exact below 2^53, checked by the caller). */
function numeric(c: NDChunk): NumericData {
  return c.data instanceof BigInt64Array ? Float64Array.from(c.data, Number) : c.data;
}

/**
 * A matrix view (rows: the `rows` axes, cols: the `cols` axes) at `offset`; gathered into a
 * contiguous copy when a role spans more than one axis.
 */
function matView(data: NumericData | BigInt64Array, offset: number, rows: number[], rowStr: number[], cols: number[], colStr: number[]): MatView {
  const nonUnit = (e: number[]): number => e.filter((x) => x !== 1).length;
  if (nonUnit(rows) <= 1 && nonUnit(cols) <= 1) {
    const pick = (e: number[], s: number[]): number => {
      const i = e.findIndex((x) => x !== 1);
      return i < 0 ? 0 : s[i]!;
    };
    return { data: data as NumericData, offset, rs: pick(rows, rowStr), cs: pick(cols, colStr) };
  }
  const R = prod(rows), C = prod(cols);
  const out = data instanceof BigInt64Array ? new BigInt64Array(R * C) : new Float64Array(R * C);
  const all = [...rows, ...cols], str = [...rowStr, ...colStr];
  const idx = new Array<number>(all.length).fill(0);
  let src = offset;
  for (let f = 0; f < R * C; f++) {
    (out as Float64Array)[f] = (data as Float64Array)[src]!;
    for (let d = all.length - 1; d >= 0; d--) {
      src += str[d]!;
      if (++idx[d]! < all[d]!) break;
      src -= str[d]! * all[d]!;
      idx[d] = 0;
    }
  }
  return { data: out as NumericData, offset: 0, rs: C, cs: 1 };
}

function maxAbs(d: NumericData): number {
  let m = 0;
  for (let i = 0; i < d.length; i++) {
    const v = Math.abs(d[i]!);
    if (v > m) m = v;
  }
  return m;
}

export function contractBlocks(spec: ContractSpec, ...blocks: NDChunk[]): NDChunk {
  const np = blocks.length / 2;
  const as = blocks.slice(0, np), bs = blocks.slice(np);
  const A = as.map((c) => describe(c, spec.aRoles, spec, "m"));
  const B = bs.map((c) => describe(c, spec.bRoles, spec, "n"));
  const batch = A[0]!.batch.map((e, i) => Math.max(e, B[0]!.batch[i]!));
  const mExt = A[0]!.free, nExt = B[0]!.free;
  const outShape = [...batch, ...mExt, ...nExt];
  const M = prod(mExt), N = prod(nExt);
  const total = prod(outShape);
  const dtype = spec.dtype;
  const aData = as.map(numeric), bData = bs.map(numeric);
  const isFloatOut = dtype === "float64" || dtype === "float32";
  let exact = true;
  if (!isFloatOut) {
    const kTotal = A.reduce((s, o) => s + prod(o.k), 0);
    const ma = Math.max(0, ...aData.map(maxAbs)), mb = Math.max(0, ...bData.map(maxAbs));
    exact = ma * mb * kTotal <= 2 ** 53;
  }
  const result = allocate(dtype, total);
  if (total === 0) return { dtype, shape: outShape, data: result };
  const f64Out = isFloatOut ? (result as Float64Array | Float32Array) : exact ? new Float64Array(total) : undefined;
  // The exact integer loops read int64 as BigInt (the Number copies lose bits above 2^53).
  const aSrc: (NumericData | BigInt64Array)[] = f64Out ? aData : as.map((c) => c.data);
  const bSrc: (NumericData | BigInt64Array)[] = f64Out ? bData : bs.map((c) => c.data);
  const nBatch = prod(batch);
  const bIdx = new Array<number>(batch.length).fill(0);
  for (let bi = 0; bi < nBatch; bi++) {
    const pairs: GemmPair[] = [];
    for (let p = 0; p < np; p++) {
      const a = A[p]!, b = B[p]!;
      const aOff = bIdx.reduce((s, x, i) => s + (a.batch[i] === 1 ? 0 : x * a.batchStride[i]!), 0);
      const bOff = bIdx.reduce((s, x, i) => s + (b.batch[i] === 1 ? 0 : x * b.batchStride[i]!), 0);
      pairs.push({
        a: matView(aSrc[p]!, aOff, a.free, a.freeStride, a.k, a.kStride),
        b: matView(bSrc[p]!, bOff, b.k, b.kStride, b.free, b.freeStride),
        k: prod(a.k),
      });
    }
    if (f64Out) gemm(M, N, pairs, { data: f64Out, offset: bi * M * N, ld: N });
    else exactIntProduct(dtype, M, N, pairs, result, bi * M * N);
    for (let d = batch.length - 1; d >= 0; d--) {
      if (++bIdx[d]! < batch[d]!) break;
      bIdx[d] = 0;
    }
  }
  if (!isFloatOut && f64Out) storeInts(dtype, f64Out, result);
  return { dtype, shape: outShape, data: result };
}

/** Exact integers (below 2^53) into an integer or bool result, wrapping as NumPy does. */
function storeInts(dtype: DType, src: Float64Array | Float32Array, dst: ChunkData): void {
  if (dst instanceof BigInt64Array) for (let i = 0; i < src.length; i++) dst[i] = BigInt(src[i]!);
  else if (dtype === "bool") for (let i = 0; i < src.length; i++) dst[i] = src[i] !== 0 ? 1 : 0;
  else if (dtype === "int32") for (let i = 0; i < src.length; i++) dst[i] = src[i]! | 0;
  else for (let i = 0; i < src.length; i++) dst[i] = src[i]! & 255;
}

/** Integer products too large for exact float64: int64 in BigInt, int32/uint8 with wrapping multiplies. */
function exactIntProduct(dtype: DType, m: number, n: number, pairs: readonly GemmPair[], out: ChunkData, off: number): void {
  if (out instanceof BigInt64Array) {
    const row = new Array<bigint>(n);
    for (let i = 0; i < m; i++) {
      row.fill(0n);
      for (const { a, b, k } of pairs) {
        for (let kk = 0; kk < k; kk++) {
          const aik = BigInt(a.data[a.offset + i * a.rs + kk * a.cs]!);
          const bo = b.offset + kk * b.rs;
          for (let j = 0; j < n; j++) row[j] = BigInt.asIntN(64, row[j]! + aik * BigInt(b.data[bo + j * b.cs]!));
        }
      }
      for (let j = 0; j < n; j++) out[off + i * n + j] = row[j]!;
    }
    return;
  }
  const row = new Int32Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (const { a, b, k } of pairs) {
      for (let kk = 0; kk < k; kk++) {
        const aik = a.data[a.offset + i * a.rs + kk * a.cs]! | 0;
        const bo = b.offset + kk * b.rs;
        for (let j = 0; j < n; j++) row[j] = (row[j]! + Math.imul(aik, b.data[bo + j * b.cs]! | 0)) | 0;
      }
    }
    for (let j = 0; j < n; j++) out[off + i * n + j] = dtype === "uint8" ? row[j]! & 255 : row[j]!;
  }
}

/** Σ of partial products (same shape and dtype), wrapping for integers, logical or for bool. */
export function addPartials(dtype: DType, ...parts: NDChunk[]): NDChunk {
  const first = parts[0]!;
  const out = allocate(dtype, first.data.length);
  if (out instanceof BigInt64Array) {
    for (const p of parts) {
      const d = p.data as BigInt64Array;
      for (let i = 0; i < out.length; i++) out[i] = BigInt.asIntN(64, out[i]! + d[i]!);
    }
  } else if (dtype === "bool") {
    for (const p of parts) {
      const d = p.data as Uint8Array;
      for (let i = 0; i < out.length; i++) out[i] = out[i]! | d[i]!;
    }
  } else {
    // Typed-array stores wrap int32 and uint8 sums as NumPy's integer adds do.
    for (const p of parts) {
      const d = p.data as Exclude<ChunkData, BigInt64Array>;
      for (let i = 0; i < out.length; i++) out[i] = out[i]! + d[i]!;
    }
  }
  return { dtype, shape: [...first.shape], data: out };
}
