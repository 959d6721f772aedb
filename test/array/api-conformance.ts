// Property tests of the dask.array API functions against ./api-reference.ts, over random shapes
// (0-3 axes, empty axes), uneven chunks, every dtype and negative axes. Takes an executor so
// the same properties run in-process and on a real LocalCluster.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as A from "../../src/array/index.js";
import type { DType, NDArray, TArray } from "../../src/array/index.js";
import type { GraphExecutor } from "../../src/graph/default-executor.js";
import { ALL_DTYPES, assertMatches, caseArb, shapeArb, typed, type Case } from "./conformance.js";
import * as R from "./reference.js";
import { concat, flatten, gather, lerpQuantile, mapLines, notNaN, reduceLines } from "./api-reference.js";

export interface ApiSuiteOptions { readonly numRuns?: number; readonly only?: readonly string[] }

const isF = (d: DType): boolean => d === "float32" || d === "float64";
const nonEmpty = (s: number[]): boolean => s.length > 0;
const withAxis = (min = 1) => shapeArb().filter((s) => s.length >= min).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: -s.length, max: s.length - 1 })));
const norm = (axis: number, nd: number): number => (axis < 0 ? axis + nd : axis);

export function defineApiConformance(label: string, executor: () => GraphExecutor, opts: ApiSuiteOptions = {}): void {
  const numRuns = opts.numRuns ?? 25;
  const run = (name: string, body: () => Promise<void>): void => {
    if (opts.only && !opts.only.includes(name)) return;
    test(`${label}: ${name}`, body);
  };
  const dtypeArb = fc.constantFrom(...ALL_DTYPES);
  const get = async (a: TArray): Promise<NDArray | number | boolean> => {
    const x = a.chunks.some((c) => c.some((n) => Number.isNaN(n))) ? await a.computeChunkSizes({ executor: executor() }) : a;
    return x.compute({ executor: executor() });
  };
  const caseWithAxis = (specials = false, min = 1): fc.Arbitrary<[Case, number]> =>
    fc.tuple(withAxis(min), dtypeArb).chain(([[s, ax], d]) => fc.tuple(caseArb(s, d, specials), fc.constant(ax)));

  run("cumsum / cumprod along an axis and flattened", async () => {
    await fc.assert(fc.asyncProperty(caseWithAxis(), fc.boolean(), fc.boolean(), async ([c, axis], prod, flat) => {
      const d = c.ref.dtype;
      const out: DType = isF(d) ? d : "int64";
      // Keep products small: values folded to -1, 0, 1.
      const ref = prod ? { ...c.ref, data: c.ref.data.map((v) => (isF(d) || d === "int32" || d === "int64" ? Math.sign(v) : v & 1)) } : c.ref;
      const arr = prod ? A.fromArray(typed(d, ref.data), { dtype: d, shape: [...ref.shape], chunks: c.arr.chunks }) : c.arr;
      const src = flat ? flatten(ref) : ref;
      const ax = flat ? 0 : norm(axis, ref.shape.length);
      const want = mapLines(src, ax, src.shape[ax]!, out, (l) => { let acc = prod ? 1 : 0; return l.map((v) => (acc = R.cast(out, prod ? acc * v : acc + v))); });
      const o = flat ? {} : { axis };
      assertMatches(await get(prod ? arr.cumprod(o) : arr.cumsum(o)), want, `cum${prod ? "prod" : "sum"} ${d}`, isF(d) ? 1e-6 : 0);
    }), { numRuns });
  });

  run("diff with n and negative axes", async () => {
    await fc.assert(fc.asyncProperty(caseWithAxis(), fc.integer({ min: 0, max: 3 }), async ([c, axis], n) => {
      const d = c.ref.dtype;
      const ax = norm(axis, c.ref.shape.length);
      let want = c.ref;
      for (let i = 0; i < n && want.shape[ax]! > 0; i++) {
        want = mapLines(want, ax, want.shape[ax]! - 1, d, (l) => l.slice(1).map((v, j) => (d === "bool" ? +(v !== l[j]!) : v - l[j]!)));
      }
      assertMatches(await get(A.diff(c.arr, { n, axis })), want, `diff ${d} n=${n}`);
    }), { numRuns });
  });

  run("argmin / argmax (first occurrence, NaN wins)", async () => {
    await fc.assert(fc.asyncProperty(caseWithAxis(true).filter(([c, ax]) => c.ref.shape[norm(ax, c.ref.shape.length)]! > 0 && !c.ref.shape.includes(0)), fc.boolean(), async ([c, axis], max) => {
      const pickIdx = (l: number[]): number => {
        const n = l.findIndex((v) => Number.isNaN(v));
        if (n >= 0) return n;
        let b = 0;
        l.forEach((v, i) => { if (max ? v > l[b]! : v < l[b]!) b = i; });
        return b;
      };
      const want = reduceLines(c.ref, norm(axis, c.ref.shape.length), "int64", pickIdx);
      assertMatches(await get(max ? c.arr.argmax({ axis }) : c.arr.argmin({ axis })), want, `arg${max ? "max" : "min"}`);
      const wflat = reduceLines(flatten(c.ref), 0, "int64", pickIdx);
      assertMatches(await get(max ? c.arr.argmax() : c.arr.argmin()), wflat, "flat");
    }), { numRuns });
  });

  run("nan-reductions ignore NaN", async () => {
    const fns = ["nansum", "nanmean", "nanmin", "nanmax", "nanvar", "nanstd"] as const;
    await fc.assert(fc.asyncProperty(
      fc.tuple(withAxis(), fc.constantFrom<DType>("float64", "float32")).chain(([[s, ax], d]) => fc.tuple(caseArb(s, d, true), fc.constant(ax))).filter(([c]) => !c.ref.shape.includes(0)),
      fc.constantFrom(...fns), fc.integer({ min: 0, max: 1 }),
      async ([c, axis], fn, ddof) => {
        const d = c.ref.dtype;
        const line = (l0: number[]): number => {
          const l = notNaN(l0);
          const s = l.reduce((a, b) => a + b, 0);
          switch (fn) {
            case "nansum": return s;
            case "nanmean": return s / l.length;
            case "nanmin": return l.length === 0 ? NaN : Math.min(...l);
            case "nanmax": return l.length === 0 ? NaN : Math.max(...l);
            default: {
              const m = s / l.length;
              const v = l.length - ddof <= 0 ? NaN : l.reduce((a, b) => a + (b - m) ** 2, 0) / (l.length - ddof);
              return fn === "nanstd" ? Math.sqrt(v) : v;
            }
          }
        };
        const want = reduceLines(c.ref, norm(axis, c.ref.shape.length), d, line);
        const o = fn === "nanvar" || fn === "nanstd" ? { axis, ddof } : { axis };
        assertMatches(await get((c.arr[fn] as (o: object) => TArray).call(c.arr, o)), want, `${fn} ${d}`, d === "float32" ? 1e-5 : 1e-9);
      }), { numRuns });
  });

  run("median and quantile along an axis", async () => {
    await fc.assert(fc.asyncProperty(caseWithAxis().filter(([c, ax]) => c.ref.dtype !== "bool" && c.ref.shape[norm(ax, c.ref.shape.length)]! > 0), fc.constantFrom(0, 0.25, 0.5, 0.9, 1), async ([c, axis], q) => {
      const ax = norm(axis, c.ref.shape.length);
      const med = reduceLines(c.ref, ax, c.ref.dtype === "float32" ? "float32" : "float64", (l) => lerpQuantile(l, 0.5, true));
      assertMatches(await get(A.median(c.arr, { axis })), med, "median", 1e-12);
      const qs = mapLines(c.ref, ax, 1, "float64", (l) => [lerpQuantile(l, q)]);
      assertMatches(await get(A.quantile(c.arr, q, { axis })), { ...qs, shape: qs.shape.filter((_, k) => k !== ax) }, `quantile ${q}`, 1e-12);
    }), { numRuns });
  });

  run("histogram, bincount and unique", async () => {
    await fc.assert(fc.asyncProperty(fc.tuple(shapeArb(), dtypeArb).chain(([s, d]) => caseArb(s, d)), fc.integer({ min: 1, max: 6 }), async (c, bins) => {
      const [lo, hi] = [-5, 7];
      const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : i * ((hi - lo) / bins) + lo));
      const counts = new Array<number>(bins).fill(0);
      for (const v of c.ref.data) {
        if (!(v >= lo && v <= hi)) continue;
        let b = edges.findIndex((e, i) => i < bins && v >= e && (v < edges[i + 1]! || i === bins - 1));
        if (b >= 0) counts[b]!++;
      }
      assertMatches(await get(A.histogram(c.arr, { bins, range: [lo, hi] })[0]), { dtype: "int64", shape: [bins], data: counts }, "histogram");
      const u = [...new Set(c.ref.data.filter((v) => !Number.isNaN(v)))].sort((a, b) => a - b);
      if (c.ref.data.some((v) => Number.isNaN(v))) u.push(NaN);
      assertMatches(await get(A.unique(c.arr)), { dtype: c.ref.dtype, shape: [u.length], data: u }, "unique");
      if (c.ref.dtype === "uint8" || c.ref.dtype === "bool") {
        const flat = A.fromArray(c.ref.data.length ? Uint8Array.from(c.ref.data) : new Uint8Array(0), { chunks: 3 });
        const bc = new Array<number>(Math.max(3, ...c.ref.data.map((v) => v + 1))).fill(0);
        for (const v of c.ref.data) bc[v]!++;
        assertMatches(await get(A.bincount(flat, { minlength: 3 })), { dtype: "int64", shape: [bc.length], data: bc }, "bincount");
      }
    }), { numRuns });
  });

  run("take, boolean masks, nonzero", async () => {
    await fc.assert(fc.asyncProperty(caseWithAxis(), fc.array(fc.integer({ min: -20, max: 20 }), { maxLength: 8 }), async ([c, axis], raw) => {
      const ax = norm(axis, c.ref.shape.length);
      const n = c.ref.shape[ax]!;
      const idx = n === 0 ? [] : raw.map((i) => ((i % n) + n) % n - (i < 0 ? n : 0));
      const want = gather(c.ref, ax, idx.map((i) => (i < 0 ? i + n : i)));
      assertMatches(await get(c.arr.take(idx, { axis })), want, `take ${JSON.stringify(idx)} axis ${axis}`);
      const sel = c.ref.data.filter((v) => v > 0);
      const m = c.arr.booleanIndex(c.arr.gt(0));
      assert.ok(m.chunks[0]!.every((x) => Number.isNaN(x)), "mask results have unknown chunk sizes");
      assertMatches(await get(m), { dtype: c.ref.dtype, shape: [sel.length], data: sel }, "mask");
      const nz = c.ref.data.flatMap((v, f) => (v !== 0 ? [R.unravel(f, c.ref.shape)[ax]!] : []));
      assertMatches(await get(A.where(c.arr)[ax]!), { dtype: "int64", shape: [nz.length], data: nz }, "where(cond)");
    }), { numRuns });
  });

  run("isnan / isinf / isfinite, floorDivide and remainder", async () => {
    await fc.assert(fc.asyncProperty(fc.tuple(shapeArb(), fc.constantFrom<DType>("float64", "float32", "int32", "int64")).chain(([s, d]) => caseArb(s, d, true)), fc.constantFrom(2, -3, 0.5, -2.5), async (c, b) => {
      const d = c.ref.dtype;
      assertMatches(await get(c.arr.isnan()), R.map([c.ref], "bool", (x) => +Number.isNaN(x!)), "isnan");
      assertMatches(await get(c.arr.isinf()), R.map([c.ref], "bool", (x) => +(Math.abs(x!) === Infinity)), "isinf");
      assertMatches(await get(c.arr.isfinite()), R.map([c.ref], "bool", (x) => +Number.isFinite(x!)), "isfinite");
      const out: DType = isF(d) ? d : Number.isInteger(b) ? d : "float64";
      const bb = R.cast(out, b);
      assertMatches(await get(c.arr.floorDivide(b)), R.map([c.ref], out, (x) => Math.floor(x! / bb)), `floorDivide ${d} ${b}`);
      assertMatches(await get(c.arr.remainder(b)), R.map([c.ref], out, (x) => { const r = x! % bb; return r !== 0 && (r < 0) !== (bb < 0) ? r + bb : r; }), `remainder ${d} ${b}`, 1e-7);
    }), { numRuns });
  });

  run("concatenate, stack, flip, roll, moveaxis, squeeze, expandDims", async () => {
    await fc.assert(fc.asyncProperty(caseWithAxis(), dtypeArb, fc.integer({ min: -7, max: 7 }), async ([c, axis], d2, shift) => {
      const ax = norm(axis, c.ref.shape.length);
      const n = c.ref.shape[ax]!;
      // The same values as another dtype, chunked differently: blocks must be unified.
      const other = c.arr.astype(d2).rechunk(c.arr.shape.map(() => 3));
      const common = A.promote(c.ref.dtype, d2);
      const ref2 = R.map([c.ref], d2, (x) => x!);
      assertMatches(await get(A.concatenate([c.arr, other], { axis })), concat([c.ref, ref2], ax, common), "concatenate");
      const st = await get(A.stack([c.arr, c.arr], { axis: -1 }));
      assertMatches(st, mapLines({ ...c.ref, shape: [...c.ref.shape, 1], data: c.ref.data }, c.ref.shape.length, 2, c.ref.dtype, (l) => [l[0]!, l[0]!]), "stack");
      assertMatches(await get(c.arr.flip({ axis })), gather(c.ref, ax, Array.from({ length: n }, (_, i) => n - 1 - i)), "flip");
      assertMatches(await get(c.arr.roll(shift, { axis })), gather(c.ref, ax, Array.from({ length: n }, (_, i) => (((i - shift) % n) + n) % n)), `roll ${shift}`);
      const moved = A.moveaxis(c.arr, axis, 0);
      assertMatches(await get(moved), R.transpose(c.ref, [ax, ...c.ref.shape.map((_, k) => k).filter((k) => k !== ax)]), "moveaxis");
      const e = A.expandDims(c.arr, 0);
      assert.deepEqual(e.shape, [1, ...c.ref.shape]);
      assertMatches(await get(e.squeeze({ axis: 0 })), c.ref, "squeeze(expandDims)");
    }), { numRuns });
  });

  run("pad in every mode and mapOverlap with every boundary", async () => {
    await fc.assert(fc.asyncProperty(caseWithAxis(false, 1).filter(([c]) => !c.ref.shape.includes(0)), fc.constantFrom("constant", "edge", "wrap", "reflect", "symmetric"), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), async ([c, axis], mode, b, af) => {
      const ax = norm(axis, c.ref.shape.length);
      const n = c.ref.shape[ax]!;
      const src = (j: number): number => {
        switch (mode) {
          case "edge": return Math.min(n - 1, Math.max(0, j));
          case "wrap": return ((j % n) + n) % n;
          case "reflect": { if (n === 1) return 0; const p = 2 * n - 2, r = ((j % p) + p) % p; return r < n ? r : p - r; }
          default: { const p = 2 * n, r = ((j % p) + p) % p; return r < n ? r : p - 1 - r; }
        }
      };
      const width = c.ref.shape.map((_, k) => (k === ax ? [b, af] as [number, number] : [0, 0] as [number, number]));
      const want = mode === "constant"
        ? mapLines(c.ref, ax, b + n + af, c.ref.dtype, (l) => [...new Array<number>(b).fill(1), ...l, ...new Array<number>(af).fill(1)])
        : gather(c.ref, ax, Array.from({ length: b + n + af }, (_, i) => src(i - b)));
      assertMatches(await get(A.pad(c.arr, width, mode === "constant" ? { mode, constantValues: 1 } : { mode: mode as A.PadMode })), want, `pad ${mode} ${b},${af}`);
      if (!isF(c.ref.dtype)) return;
      // A 3-point sum along `ax` with a halo of 1 from the padded array (boundary by mode).
      const boundary = mode === "symmetric" ? "reflect" : mode === "wrap" ? "periodic" : mode === "edge" ? "nearest" : mode === "constant" ? 1 : "none";
      const depth = c.ref.shape.map((_, k) => (k === ax ? 1 : 0));
      const got = c.arr.mapOverlap(new Function("b", "info", `
        const ax = ${ax}; const s = b.shape; let st = 1; for (let k = s.length - 1; k > ax; k--) st *= s[k];
        const out = new b.data.constructor(b.data.length);
        for (let i = 0; i < b.data.length; i++) { const j = Math.floor(i / st) % s[ax];
          out[i] = (j > 0 ? b.data[i - st] : 0) + b.data[i] + (j < s[ax] - 1 ? b.data[i + st] : 0); }
        return out;`) as A.BlockFunction, { depth, boundary: boundary as A.Boundary });
      const padded = boundary === "none" ? c.ref : gather(c.ref, ax, Array.from({ length: n + 2 }, (_, i) => (mode === "constant" ? i - 1 : src(i - 1))));
      const withConst = mode === "constant" ? mapLines(c.ref, ax, n + 2, c.ref.dtype, (l) => [1, ...l, 1]) : padded;
      const ref3 = boundary === "none"
        ? mapLines(c.ref, ax, n, c.ref.dtype, (l) => l.map((v, i) => (i > 0 ? l[i - 1]! : 0) + v + (i < n - 1 ? l[i + 1]! : 0)))
        : mapLines(withConst, ax, n, c.ref.dtype, (l) => l.slice(1, n + 1).map((v, i) => l[i]! + v + l[i + 2]!));
      assertMatches(await get(got), ref3, `mapOverlap ${String(boundary)}`, 1e-6);
    }), { numRuns });
  });

  run("coarsen with every reducer", async () => {
    await fc.assert(fc.asyncProperty(
      fc.tuple(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }), dtypeArb)
        .chain(([f, mult, d]) => fc.tuple(caseArb(f.map((x, k) => x * mult[k]!), d), fc.constant(f))),
      fc.constantFrom("sum", "mean", "min", "max", "any", "all") as fc.Arbitrary<"sum" | "mean" | "min" | "max" | "any" | "all">,
      async ([c, f], red) => {
        const d = c.ref.dtype;
        const out: DType = red === "sum" ? (isF(d) ? d : "int64") : red === "mean" ? (d === "float32" ? "float32" : "float64") : red === "any" || red === "all" ? "bool" : d;
        const shape = c.ref.shape.map((n, k) => n / f[k]!);
        const data = Array.from({ length: R.size(shape) }, (_, o) => {
          const oi = R.unravel(o, shape);
          const vals = c.ref.data.filter((_, i) => R.unravel(i, c.ref.shape).every((x, k) => Math.floor(x / f[k]!) === oi[k]));
          switch (red) {
            case "sum": return vals.reduce((a, b) => a + b, 0);
            case "mean": return vals.reduce((a, b) => a + b, 0) / vals.length;
            case "min": return vals.some(Number.isNaN) ? NaN : Math.min(...vals);
            case "max": return vals.some(Number.isNaN) ? NaN : Math.max(...vals);
            case "any": return +vals.some((v) => v !== 0);
            case "all": return +vals.every((v) => v !== 0);
          }
        }).map((v) => R.cast(out, v));
        assertMatches(await get(A.coarsen(red, c.arr, Object.fromEntries(f.map((x, k) => [k, x])))), { dtype: out, shape, data }, `coarsen ${red} ${d}`, 1e-6);
      }), { numRuns });
  });
}
