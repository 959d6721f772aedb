// The array conformance suite: every operation against the plain in-memory reference
// (./reference.ts) over random shapes, chunkings and dtypes, fused and unfused. It takes an
// executor so the same cases run in-process and on a real cluster.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { TArray, fromArray, where, NDArray, type DType } from "../../src/array/index.js";
import type { GraphExecutor } from "../../src/graph/default-executor.js";
import * as R from "./reference.js";

export const ALL_DTYPES: readonly DType[] = ["float64", "float32", "int32", "uint8", "bool", "int64"];

export interface Case { readonly ref: R.Ref; readonly arr: TArray }

/** Random chunk sizes for an axis of length n. */
function chunkArb(n: number): fc.Arbitrary<number[]> {
  if (n === 0) return fc.constant([0]);
  return fc.array(fc.integer({ min: 1, max: n }), { minLength: 1, maxLength: n }).map((cuts) => {
    const out: number[] = [];
    let left = n;
    for (const c of cuts) {
      if (left === 0) break;
      const take = Math.min(c, left);
      out.push(take);
      left -= take;
    }
    if (left > 0) out.push(left);
    return out;
  });
}

function valueArb(d: DType, specials: boolean): fc.Arbitrary<number> {
  switch (d) {
    case "bool": return fc.integer({ min: 0, max: 1 });
    case "uint8": return fc.integer({ min: 0, max: 255 });
    case "int32": case "int64": return fc.integer({ min: -100, max: 100 });
    case "float32": case "float64": {
      const base = fc.integer({ min: -400, max: 400 }).map((i) => R.cast(d, i / 8));
      return specials ? fc.oneof({ weight: 12, arbitrary: base }, { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0) }) : base;
    }
  }
}

export function typed(d: DType, vals: readonly number[]): Float64Array | Float32Array | Int32Array | Uint8Array | BigInt64Array {
  switch (d) {
    case "float64": return Float64Array.from(vals);
    case "float32": return Float32Array.from(vals);
    case "int32": return Int32Array.from(vals);
    case "uint8": case "bool": return Uint8Array.from(vals);
    case "int64": return BigInt64Array.from(vals, (v) => BigInt(v));
  }
}

/** An array of a given shape and dtype with random chunks and values. */
export function caseArb(shape: readonly number[], dtype: DType, specials = false): fc.Arbitrary<Case> {
  return fc.tuple(fc.tuple(...shape.map(chunkArb)), fc.array(valueArb(dtype, specials), { minLength: R.size(shape), maxLength: R.size(shape) }))
    .map(([chunks, vals]) => ({
      ref: { dtype, shape, data: vals },
      arr: fromArray(typed(dtype, vals), { shape: [...shape], chunks: chunks as number[][], dtype }),
    }));
}

export const shapeArb = (maxNd = 3, maxDim = 5): fc.Arbitrary<number[]> =>
  fc.array(fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: maxDim }) }, { weight: 1, arbitrary: fc.constant(0) }), { minLength: 0, maxLength: maxNd });

/** A shape that broadcasts against `s`: trailing axes kept or set to 1, leading axes maybe dropped. */
export function broadcastPartner(s: readonly number[]): fc.Arbitrary<number[]> {
  return fc.tuple(fc.integer({ min: 0, max: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }))
    .map(([drop, ones]) => s.map((n, k) => (ones[k] ? 1 : n)).slice(drop));
}

const same = (a: number, b: number): boolean => Object.is(a, b) || (a === b) || (Number.isNaN(a) && Number.isNaN(b));

function valuesOf(x: NDArray | number | boolean): { shape: readonly number[]; dtype?: DType; vals: number[] } {
  if (x instanceof NDArray) return { shape: x.shape, dtype: x.dtype, vals: Array.from({ length: x.size }, (_, i) => Number(x.flat(i))) };
  return { shape: [], vals: [Number(x)] };
}

/** Compare a computed result with the reference: shape, dtype, values (exact unless tol). */
export function assertMatches(got: NDArray | number | boolean, want: R.Ref, what: string, tol = 0): void {
  const g = valuesOf(got);
  assert.deepEqual([...g.shape], [...want.shape], `${what}: shape`);
  if (g.dtype !== undefined) assert.equal(g.dtype, want.dtype, `${what}: dtype`);
  g.vals.forEach((v, i) => {
    const w = want.data[i]!;
    const ok = tol === 0 ? same(v, w) || (v === 0 && w === 0) : same(v, w) || Math.abs(v - w) <= tol * (1 + Math.abs(w));
    if (!ok) assert.fail(`${what}: element ${i} is ${v}, expected ${w}`);
  });
}

/**
 * The raw bytes of a result, to compare fused and unfused runs bit for bit. NaNs are written as
 * one canonical NaN first: V8 does not keep NaN sign/payload bits stable (0/0 computed by
 * optimised code and by the interpreter can differ), so only "is NaN" is meaningful.
 */
export function bytes(x: NDArray | number | boolean): string {
  if (x instanceof NDArray) {
    let d = x.data;
    if (d instanceof Float64Array || d instanceof Float32Array) d = d.map((v) => (Number.isNaN(v) ? NaN : v));
    return Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString("hex") + x.shape.join(",");
  }
  const v = Number(x);
  return Number.isNaN(v) ? "nan" : Buffer.from(new Float64Array([v]).buffer).toString("hex");
}

/** Compute fused and unfused; they must be bit-identical. Returns the fused result. */
export async function computeBoth(a: TArray, executor: GraphExecutor, what: string): Promise<NDArray | number | boolean> {
  const fused = await a.compute({ executor });
  const plain = await a.compute({ executor, optimize: false });
  assert.equal(bytes(fused), bytes(plain), `${what}: fused and unfused results differ`);
  return fused;
}

const PROMOTE: Record<string, DType> = {
  "uint8,int32": "int32", "uint8,int64": "int64", "uint8,float32": "float32", "uint8,float64": "float64",
  "int32,int64": "int64", "int32,float32": "float64", "int32,float64": "float64",
  "int64,float32": "float64", "int64,float64": "float64", "float32,float64": "float64",
};
const ORDER: readonly DType[] = ["bool", "uint8", "int32", "int64", "float32", "float64"];
export function numpyPromote(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === "bool") return b;
  if (b === "bool") return a;
  const [x, y] = ORDER.indexOf(a) < ORDER.indexOf(b) ? [a, b] : [b, a];
  return PROMOTE[`${x},${y}`]!;
}
const isFloatT = (d: DType): boolean => d === "float32" || d === "float64";
const isIntT = (d: DType): boolean => d === "int32" || d === "int64" || d === "uint8" || d === "bool";

function pyMod(a: number, b: number, int: boolean): number {
  if (int && b === 0) return 0;
  const r = a % b;
  return r !== 0 && (r < 0) !== (b < 0) ? r + b : r;
}
const nanMin = (a: number, b: number): number => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b));
const nanMax = (a: number, b: number): number => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b));

type BinName = "add" | "sub" | "mul" | "div" | "mod" | "lt" | "le" | "gt" | "ge" | "eq" | "ne" | "and" | "or" | "minimum" | "maximum";
const BIN: Record<BinName, (a: number, b: number, int: boolean) => number> = {
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b, mod: pyMod,
  lt: (a, b) => +(a < b), le: (a, b) => +(a <= b), gt: (a, b) => +(a > b), ge: (a, b) => +(a >= b),
  eq: (a, b) => +(a === b), ne: (a, b) => +(a !== b), and: (a, b) => +(a !== 0 && b !== 0), or: (a, b) => +(a !== 0 || b !== 0),
  minimum: nanMin, maximum: nanMax,
};

type UnName = "neg" | "abs" | "sqrt" | "exp" | "log" | "sin" | "cos" | "floor" | "ceil" | "not";
const UN: Record<UnName, (a: number) => number> = {
  neg: (a) => -a, abs: Math.abs, sqrt: Math.sqrt, exp: Math.exp, log: Math.log, sin: Math.sin, cos: Math.cos,
  floor: Math.floor, ceil: Math.ceil, not: (a) => +(a === 0),
};

export interface SuiteOptions {
  readonly numRuns?: number;
  /** Only these properties (names as below). */
  readonly only?: readonly string[];
}

/** Register the conformance properties as node:test tests against `executor()`. */
export function defineArrayConformance(label: string, executor: () => GraphExecutor, opts: SuiteOptions = {}): void {
  const numRuns = opts.numRuns ?? 40;
  const run = (name: string, body: () => Promise<void>): void => {
    if (opts.only && !opts.only.includes(name)) return;
    test(`${label}: ${name}`, body);
  };
  const dtypeArb = fc.constantFrom(...ALL_DTYPES);

  run("binary elementwise with broadcasting and dtype promotion", async () => {
    const arb = fc.tuple(shapeArb(), dtypeArb, dtypeArb, fc.constantFrom(...(Object.keys(BIN) as BinName[])))
      .chain(([s, d1, d2, op]) => fc.tuple(caseArb(s, d1, true), broadcastPartner(s).chain((t) => caseArb(t, d2, true)), fc.constant(op)))
      .filter(([a, b, op]) => !(op === "sub" && a.ref.dtype === "bool" && b.ref.dtype === "bool"));
    await fc.assert(fc.asyncProperty(arb, async ([a, b, op]) => {
      const common = numpyPromote(a.ref.dtype, b.ref.dtype);
      const cmp = ["lt", "le", "gt", "ge", "eq", "ne", "and", "or"].includes(op);
      const out: DType = cmp ? "bool" : op === "div" ? (isFloatT(common) ? common : "float64") : common;
      const method = op as keyof TArray & BinName;
      const got = await computeBoth((a.arr[method] as (o: TArray) => TArray).call(a.arr, b.arr), executor(), op);
      assertMatches(got, R.map([a.ref, b.ref], out, (x, y) => BIN[op](x!, y!, isIntT(common))), `${a.ref.dtype}[${a.ref.shape}] ${op} ${b.ref.dtype}[${b.ref.shape}]`);
    }), { numRuns });
  });

  run("array with scalar (weak scalar promotion)", async () => {
    const arb = fc.tuple(shapeArb(), dtypeArb, fc.constantFrom(3, -2, 0.5, 2.25), fc.constantFrom<BinName>("add", "mul", "lt", "ge", "mod", "maximum"))
      .chain(([s, d, k, op]) => fc.tuple(caseArb(s, d), fc.constant(k), fc.constant(op)));
    await fc.assert(fc.asyncProperty(arb, async ([a, k, op]) => {
      const d = a.ref.dtype;
      const common: DType = isFloatT(d) ? d : Number.isInteger(k) ? (d === "bool" ? "int64" : d) : "float64";
      const out: DType = op === "lt" || op === "ge" ? "bool" : common;
      const method = op as keyof TArray & BinName;
      // NEP 50: an integer scalar that does not fit the array's integer dtype raises (uint8 + -2),
      // except in comparisons, which answer exactly.
      const cmp = op === "lt" || op === "ge";
      if (Number.isInteger(k) && d === "uint8" && k < 0) {
        if (!cmp) {
          assert.throws(() => (a.arr[method] as (o: number) => TArray).call(a.arr, k), /out of bounds for uint8/);
          return;
        }
        const got = await computeBoth((a.arr[method] as (o: number) => TArray).call(a.arr, k), executor(), op);
        assertMatches(got, R.map([a.ref], "bool", (x) => (op === "lt" ? +(x! < k) : +(x! >= k))), `${d} ${op} ${k}`);
        return;
      }
      // NEP 50: an integer scalar that does not fit the array's integer dtype raises (uint8 + -2),
      // except in comparisons, which answer exactly.
      const isCmp = op === "lt" || op === "ge";
      if (Number.isInteger(k) && d === "uint8" && k < 0) {
        if (!isCmp) {
          assert.throws(() => (a.arr[method] as (o: number) => TArray).call(a.arr, k), /out of bounds for uint8/);
          return;
        }
        const got = await computeBoth((a.arr[method] as (o: number) => TArray).call(a.arr, k), executor(), op);
        assertMatches(got, R.map([a.ref], "bool", (x) => (op === "lt" ? +(x! < k) : +(x! >= k))), `${d} ${op} ${k}`);
        return;
      }
      const got = await computeBoth((a.arr[method] as (o: number) => TArray).call(a.arr, k), executor(), op);
      assertMatches(got, R.map([a.ref], out, (x) => BIN[op](x!, R.cast(common, k), isIntT(common))), `${d} ${op} ${k}`);
    }), { numRuns });
  });

  run("unary elementwise, pow, clip, astype", async () => {
    const arb = fc.tuple(shapeArb(), dtypeArb, fc.constantFrom<UnName | "pow2" | "pow3" | "clip" | "astype">(...(Object.keys(UN) as UnName[]), "pow2", "pow3", "clip", "astype"), dtypeArb)
      .filter(([, d, op]) => !(op === "neg" && d === "bool"))
      .chain(([s, d, op, d2]) => fc.tuple(caseArb(s, d, true), fc.constant(op), fc.constant(d2)));
    await fc.assert(fc.asyncProperty(arb, async ([a, op, d2]) => {
      const d = a.ref.dtype;
      let arr: TArray, want: R.Ref;
      if (op === "pow2" || op === "pow3") {
        const e = op === "pow2" ? 2 : 3;
        const out = d === "bool" ? "int64" : d;
        arr = a.arr.pow(e);
        want = R.map([a.ref], out, (x) => (e === 2 ? x! * x! : x! * x! * x!));
      } else if (op === "clip") {
        arr = a.arr.clip(2, 50);
        const out = d === "bool" ? "int64" : d;
        want = R.map([a.ref], out, (x) => (Number.isNaN(x!) ? NaN : Math.min(Math.max(x!, 2), 50)));
      } else if (op === "astype") {
        arr = a.arr.astype(d2);
        want = R.map([a.ref], d2, (x) => x!);
      } else {
        const floaty = ["sqrt", "exp", "log", "sin", "cos"].includes(op);
        const out: DType = op === "not" ? "bool" : floaty ? (isFloatT(d) ? d : d === "bool" || d === "uint8" ? "float32" : "float64") : d;
        arr = (a.arr[op] as () => TArray).call(a.arr);
        want = R.map([a.ref], out, UN[op]);
      }
      // Integer→float conversion of NaN/inf differs between engines: only compare finite casts.
      if (op === "astype" && isIntT(d2) && a.ref.data.some((v) => !Number.isFinite(v))) return;
      assertMatches(await computeBoth(arr, executor(), op), want, `${op} of ${d}[${a.ref.shape}]`);
    }), { numRuns });
  });

  run("where with broadcasting", async () => {
    const arb = shapeArb().chain((s) => fc.tuple(caseArb(s, "bool"), broadcastPartner(s).chain((t) => caseArb(t, "float64", true)), broadcastPartner(s).chain((t) => caseArb(t, "int32"))));
    await fc.assert(fc.asyncProperty(arb, async ([c, x, y]) => {
      const got = await computeBoth(where(c.arr, x.arr, y.arr), executor(), "where");
      assertMatches(got, R.map([c.ref, x.ref, y.ref], "float64", (p, q, r) => (p !== 0 ? q! : r!)), "where");
    }), { numRuns });
  });

  run("elementwise chains fuse and match", async () => {
    const arb = shapeArb().chain((s) => fc.tuple(caseArb(s, "float64"), caseArb(s, "float32")));
    await fc.assert(fc.asyncProperty(arb, async ([a, b]) => {
      const expr = a.arr.mul(2).add(b.arr).sub(1).abs().sqrt().lt(3).and(a.arr.gt(-5));
      const want = R.map([a.ref, b.ref], "bool", (x, y) => +(Math.sqrt(Math.abs(R.cast("float64", x! * 2 + y!) - 1)) < 3 && x! > -5));
      assertMatches(await computeBoth(expr, executor(), "chain"), want, "chain");
    }), { numRuns });
  });

  run("fused pipelines: elementwise into reductions into elementwise into reductions", async () => {
    const arb = fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.integer({ min: 0, max: 1000 }))
      .chain(([rows, cols, depth, wholeRows, seed]) => {
        const shape = [rows, cols, depth];
        return fc.tuple(
          fc.constant(shape),
          fc.tuple(chunkArb(rows), wholeRows ? fc.constant([cols]) : chunkArb(cols), fc.constant([depth])),
          fc.constant(seed),
          caseArb([cols, 1], "int32"),
        );
      });
    await fc.assert(fc.asyncProperty(arb, async ([shape, chunks, seed, b]) => {
      const x = (await import("../../src/array/index.js")).random.uniform(-1, 1, { shape, chunks, seed });
      const xv = await x.compute({ executor: executor() });
      assert.ok(xv instanceof NDArray);
      const xr: R.Ref = { dtype: "float64", shape, data: Array.from(xv.data as Float64Array) };
      // ((x * 3 + b) ** 2).sum(-1) < 2 → mean over rows; and the row sums' max.
      const y = x.mul(3).add(b.arr).pow(2).sum({ axis: -1 });
      const yr = R.reduce(R.map([xr, b.ref], "float64", (p, q) => (p! * 3 + q!) ** 2), [2], false, "float64", (v) => v.reduce((s, t) => s + t, 0));
      assertMatches(await computeBoth(y.lt(2).mean({ axis: 0 }), executor(), "pipeline mean"), R.reduce(R.map([yr], "bool", (v) => +(v! < 2)), [0], false, "float64", (v) => v.reduce((s, t) => s + t, 0) / v.length), "mean of row test", 1e-12);
      assertMatches(await computeBoth(y.max(), executor(), "pipeline max"), R.reduce(yr, [0, 1], false, "float64", (v) => Math.max(...v)), "max of row sums", 1e-12);
      assertMatches(await computeBoth(y.sqrt().var({ axis: 1 }), executor(), "pipeline var"), R.reduce(R.map([yr], "float64", Math.sqrt), [1], false, "float64", (v) => { const m = v.reduce((s, t) => s + t, 0) / v.length; return v.reduce((s, t) => s + (t - m) ** 2, 0) / v.length; }), "var of sqrt row sums", 1e-9);
    }), { numRuns });
  });

  type RedName = "sum" | "prod" | "min" | "max" | "any" | "all" | "count_nonzero" | "mean" | "var" | "std";
  run("reductions over axes with keepdims and tree fan-in", async () => {
    const arb = fc.tuple(shapeArb(3, 6), dtypeArb, fc.constantFrom<RedName>("sum", "prod", "min", "max", "any", "all", "count_nonzero", "mean", "var", "std"))
      .chain(([s, d, fn]) => fc.tuple(
        caseArb(s, d),
        fc.constant(fn),
        fc.subarray([...s.keys()]),
        fc.boolean(),
        fc.integer({ min: 2, max: 5 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1 }),
      ))
      .filter(([a, fn, axes]) => !((fn === "min" || fn === "max") && (axes.length === 0 ? a.ref.data.length === 0 : axes.some((k) => a.ref.shape[k] === 0))));
    await fc.assert(fc.asyncProperty(arb, async ([a0, fn, axesIn, keepdims, splitEvery, negative, ddof]) => {
      const d = a0.ref.dtype;
      // prod of many values overflows: reduce them to -1, 0, 1 first.
      const a = fn === "prod" ? { ref: R.map([a0.ref], d, (x) => (d === "bool" || d === "uint8" ? x! & 1 : (Math.abs(Math.trunc(x!)) % 3) - 1)), arr: a0.arr } : a0;
      const arr0 = fn === "prod" ? fromArray(typed(d, a.ref.data), { shape: [...a.ref.shape], chunks: a0.arr.chunks.map((c) => [...c]), dtype: d }) : a.arr;
      const nd = a.ref.shape.length;
      const axes = axesIn.length === 0 ? [...Array(nd).keys()] : axesIn;
      const axisOpt = axesIn.length === 0 ? undefined : negative ? axesIn.map((k) => k - nd) : axesIn;
      const o = fn === "var" || fn === "std" ? { axis: axisOpt, keepdims, splitEvery, ddof } : { axis: axisOpt, keepdims, splitEvery };
      const arr = (arr0[fn] as (o: object) => TArray).call(arr0, o);
      const f = isFloatT(d);
      let out: DType;
      let fold: (v: number[]) => number;
      const sum = (v: number[]): number => v.reduce((x, y) => x + y, 0);
      const mean = (v: number[]): number => sum(v) / v.length;
      const variance = (v: number[]): number => { const m = mean(v); return v.reduce((x, y) => x + (y - m) ** 2, 0) / Math.max(0, v.length - ddof); };
      switch (fn) {
        case "sum": out = f ? d : "int64"; fold = sum; break;
        case "prod": out = f ? d : "int64"; fold = (v) => v.reduce((x, y) => x * y, 1); break;
        case "min": out = d; fold = (v) => v.reduce(nanMin, Infinity); break;
        case "max": out = d; fold = (v) => v.reduce(nanMax, -Infinity); break;
        case "any": out = "bool"; fold = (v) => +v.some((x) => x !== 0); break;
        case "all": out = "bool"; fold = (v) => +v.every((x) => x !== 0); break;
        case "count_nonzero": out = "int64"; fold = (v) => v.filter((x) => x !== 0).length; break;
        case "mean": out = d === "float32" ? "float32" : "float64"; fold = mean; break;
        case "var": out = d === "float32" ? "float32" : "float64"; fold = variance; break;
        case "std": out = d === "float32" ? "float32" : "float64"; fold = (v) => Math.sqrt(variance(v)); break;
      }
      const tol = !f && (fn === "sum" || fn === "prod" || fn === "min" || fn === "max") ? 0 : d === "float32" || out === "float32" ? 1e-4 : 1e-9;
      const want = R.reduce(a.ref, axes, keepdims, out, fold);
      assertMatches(await computeBoth(arr, executor(), fn), want, `${fn}(${d}[${a.ref.shape}], axis=${JSON.stringify(axisOpt)}, keepdims=${keepdims}, chunks=${JSON.stringify(arr0.chunks)})`, tol);
    }), { numRuns: numRuns * 2 });
  });

  run("basic slicing (ranges with steps, negative indices, integers)", async () => {
    const axisSel = (n: number): fc.Arbitrary<number | [number | null, number | null, number | null] | null> => fc.oneof(
      n > 0 ? fc.integer({ min: -n, max: n - 1 }) : fc.constant(null),
      fc.constant(null),
      fc.tuple(fc.option(fc.integer({ min: -n - 2, max: n + 2 })), fc.option(fc.integer({ min: -n - 2, max: n + 2 })), fc.option(fc.constantFrom(1, 2, 3, -1, -2))),
    );
    const arb = fc.tuple(shapeArb(3, 7), dtypeArb).chain(([s, d]) => fc.tuple(caseArb(s, d), fc.tuple(...s.map(axisSel))));
    await fc.assert(fc.asyncProperty(arb, async ([a, specs]) => {
      const sel = specs.map((sp, k) => {
        const n = a.ref.shape[k]!;
        if (typeof sp === "number") return { i: sp < 0 ? sp + n : sp };
        const [st, sp2, stepIn] = sp ?? [null, null, null];
        const step = stepIn ?? 1;
        const idx: number[] = [];
        // Python's range semantics, spelled out.
        let start = st ?? (step > 0 ? 0 : n - 1);
        let stop = sp2 ?? (step > 0 ? n : -n - 1);
        if (start < 0) start += n;
        if (stop < 0) stop += n;
        if (step > 0) { start = Math.max(0, Math.min(start, n)); stop = Math.max(0, Math.min(stop, n)); for (let i = start; i < stop; i += step) idx.push(i); }
        else { start = Math.max(-1, Math.min(start, n - 1)); stop = Math.max(-1, Math.min(stop, n - 1)); for (let i = start; i > stop; i += step) idx.push(i); }
        return { start: idx[0] ?? 0, step, len: idx.length };
      });
      const got = await computeBoth(a.arr.slice(...specs), executor(), "slice");
      assertMatches(got, R.slice(a.ref, sel), `slice ${JSON.stringify(specs)} of [${a.ref.shape}] chunks ${JSON.stringify(a.arr.chunks)}`);
    }), { numRuns });
  });

  run("transpose, reshape and rechunk keep values", async () => {
    const arb = fc.tuple(shapeArb(3, 6), dtypeArb).chain(([s, d]) => fc.tuple(
      caseArb(s, d),
      fc.shuffledSubarray([...s.keys()], { minLength: s.length, maxLength: s.length }),
      fc.tuple(...s.map(chunkArb)),
      fc.integer({ min: 0, max: 3 }),
    ));
    await fc.assert(fc.asyncProperty(arb, async ([a, perm, newChunks, split]) => {
      assertMatches(await computeBoth(a.arr.transpose(perm), executor(), "transpose"), R.transpose(a.ref, perm), `transpose ${perm}`);
      const re = a.arr.rechunk(newChunks);
      assert.deepEqual(re.chunks, newChunks);
      assertMatches(await computeBoth(re, executor(), "rechunk"), a.ref, "rechunk");
      // reshape: split the flat size into a few factors.
      const n = a.ref.data.length;
      const shape: number[] = [];
      let rest = n;
      for (let i = 0; i < split && rest > 1; i++) {
        const f = [2, 3, 5].find((p) => rest % p === 0);
        if (f === undefined) break;
        shape.push(f);
        rest /= f;
      }
      shape.push(-1);
      const want = { ...a.ref, shape: n === 0 ? [...shape.slice(0, -1), 0] : [...shape.slice(0, -1), rest] };
      if (n === 0 && shape.length > 1) return;
      assertMatches(await computeBoth(a.arr.reshape(shape), executor(), "reshape"), want, `reshape [${a.ref.shape}] chunks ${JSON.stringify(a.arr.chunks)} → [${shape}]`);
    }), { numRuns });
  });
}
