// Checked against NumPy itself: generated cases (1-3 axes, uneven and empty chunks, every dtype,
// negative axes, empty axes) are computed by Tessera and by NumPy in a /usr/bin/python3
// subprocess (test/array/numpy/crosscheck.py, NEP 50 promotion on), and values, dtypes and
// shapes must agree exactly (floats to a tight tolerance), errors included. Without NumPy this
// test FAILS: CI installs python3-numpy (.ci/run).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as A from "../../src/array/index.js";
import type { DType, TArray } from "../../src/array/index.js";
import { typed } from "./conformance.js";

const SCRIPT = fileURLToPath(new URL("../../../test/array/numpy/crosscheck.py", import.meta.url));
const PYTHON = "/usr/bin/python3";

type Json = number | string | boolean | null | Json[] | { [k: string]: Json };
interface Input { dtype: DType; shape: number[]; data: number[]; chunks: number[][] }
interface Case { op: string; input: Input; kw: Record<string, Json> }
interface Result { dtype?: string; shape?: number[]; data?: (number | string | boolean)[]; error?: string }

/** A small deterministic PRNG (mulberry32) so that every run checks the same cases. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DTYPES: readonly DType[] = ["float64", "float32", "int32", "int64", "uint8", "bool"];

function makeInput(r: () => number, dtype: DType, opts: { minNd?: number; maxNd?: number; allowEmpty?: boolean; nonneg?: boolean; nan?: boolean } = {}): Input {
  const nd = (opts.minNd ?? 1) + Math.floor(r() * ((opts.maxNd ?? 3) - (opts.minNd ?? 1) + 1));
  const shape = Array.from({ length: nd }, () => (opts.allowEmpty !== false && r() < 0.08 ? 0 : 1 + Math.floor(r() * 5)));
  const chunks = shape.map((n) => {
    if (n === 0) return [0];
    const out: number[] = [];
    let left = n;
    while (left > 0) { const c = Math.min(left, 1 + Math.floor(r() * 3)); out.push(c); left -= c; if (r() < 0.1) out.push(0); }
    return out;
  });
  const size = shape.reduce((a, b) => a * b, 1);
  const data = Array.from({ length: size }, () => {
    switch (dtype) {
      case "bool": return r() < 0.5 ? 1 : 0;
      case "uint8": return Math.floor(r() * 12);
      case "int32": case "int64": return opts.nonneg ? Math.floor(r() * 12) : Math.floor(r() * 21) - 10;
      default: {
        if (opts.nan && r() < 0.12) return NaN;
        const v = (Math.floor(r() * 161) - 80) / 8;
        return dtype === "float32" ? Math.fround(v) : v;
      }
    }
  });
  return { dtype, shape, data, chunks };
}

const arrOf = (x: Input): TArray => A.fromArray(typed(x.dtype, x.data), { shape: x.shape, chunks: x.chunks, dtype: x.dtype });
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const axisFor = (r: () => number, nd: number): number => { const k = Math.floor(r() * nd); return r() < 0.5 ? k - nd : k; };

/** Each op: which dtypes NumPy and Tessera agree on (documented differences excluded), case maker, Tessera's expression. */
interface OpSpec {
  dtypes: readonly DType[];
  repeat?: number;
  make: (r: () => number, d: DType) => Case;
  run: (a: TArray, kw: Record<string, any>) => TArray;
}

const nonUint = DTYPES.filter((d) => d !== "uint8"); // NumPy sums/scans uint8 in uint64, which Tessera does not have
const numeric = DTYPES.filter((d) => d !== "bool");
const floats: readonly DType[] = ["float64", "float32"];

function simple(op: string, dtypes: readonly DType[], run: OpSpec["run"], kw: (r: () => number, x: Input) => Record<string, Json> = () => ({}), inputOpts: Parameters<typeof makeInput>[2] = {}): [string, OpSpec] {
  return [op, { dtypes, run, make: (r, d) => { const input = makeInput(r, d, inputOpts); return { op, input, kw: kw(r, input) }; } }];
}
const axisKw = (noneProb = 0.25) => (r: () => number, x: Input): Record<string, Json> => (r() < noneProb ? {} : { axis: axisFor(r, x.shape.length) });

const OPS = new Map<string, OpSpec>([
  simple("cumsum", nonUint, (a, kw) => a.cumsum(kw), axisKw()),
  simple("cumprod", nonUint, (a, kw) => a.cumprod(kw), axisKw()),
  simple("diff", DTYPES, (a, kw) => A.diff(a, kw), (r, x) => ({ n: Math.floor(r() * 3), axis: axisFor(r, x.shape.length) })),
  simple("argmin", DTYPES, (a, kw) => a.argmin(kw), axisKw(), { nan: true }),
  simple("argmax", DTYPES, (a, kw) => a.argmax(kw), axisKw(), { nan: true }),
  simple("nanargmin", DTYPES, (a, kw) => A.nanargmin(a, kw), axisKw(), { nan: true }),
  simple("nanargmax", DTYPES, (a, kw) => A.nanargmax(a, kw), axisKw(), { nan: true }),
  simple("nansum", nonUint, (a, kw) => a.nansum(kw), axisKw(), { nan: true }),
  simple("nanmean", DTYPES, (a, kw) => a.nanmean(kw), axisKw(), { nan: true, allowEmpty: false }),
  simple("nanmin", DTYPES, (a, kw) => a.nanmin(kw), axisKw(), { nan: true, allowEmpty: false }),
  simple("nanmax", DTYPES, (a, kw) => a.nanmax(kw), axisKw(), { nan: true, allowEmpty: false }),
  simple("nanvar", floats, (a, kw) => a.nanvar(kw), (r, x) => ({ ...axisKw()(r, x), ddof: Math.floor(r() * 2) }), { nan: true, allowEmpty: false }),
  simple("nanstd", floats, (a, kw) => a.nanstd(kw), (r, x) => ({ ...axisKw()(r, x), ddof: Math.floor(r() * 2) }), { nan: true, allowEmpty: false }),
  simple("median", numeric, (a, kw) => A.median(a, kw), axisKw(), { allowEmpty: false }),
  simple("quantile", numeric, (a, kw) => A.quantile(a, kw.q, { axis: kw.axis }), (r, x) => ({ ...axisKw()(r, x), q: r() < 0.5 ? Math.floor(r() * 9) / 8 : [0.1, 0.5, 0.9] }), { allowEmpty: false }),
  simple("percentile", numeric, (a, kw) => A.percentile(a, kw.q, { axis: kw.axis }), (r, x) => ({ ...axisKw()(r, x), q: [0, 33.3, 100] }), { allowEmpty: false }),
  simple("histogram", numeric, (a, kw) => A.histogram(a, { bins: kw.bins, range: kw.range })[0], (r) => ({ bins: 1 + Math.floor(r() * 6), range: [-5, 5 + Math.floor(r() * 4)] })),
  simple("bincount", ["int64", "int32", "uint8"], (a, kw) => A.bincount(a, kw), (r) => ({ minlength: Math.floor(r() * 15) }), { minNd: 1, maxNd: 1, nonneg: true }),
  simple("unique", DTYPES, (a) => A.unique(a), () => ({}), { nan: true }),
  simple("take", DTYPES, (a, kw) => a.take(kw.indices, { axis: kw.axis }), (r, x) => {
    const axis = axisFor(r, x.shape.length);
    const n = x.shape[axis < 0 ? axis + x.shape.length : axis]!;
    return { axis, indices: n === 0 ? [] : Array.from({ length: Math.floor(r() * 7) }, () => Math.floor(r() * 2 * n) - n) };
  }),
  simple("mask", DTYPES, (a, kw) => a.booleanIndex(a.gt(kw.threshold)), () => ({ threshold: 0 })),
  simple("nonzero0", DTYPES, (a) => A.nonzero(a)[0]!),
  simple("isnan", DTYPES, (a) => a.isnan(), () => ({}), { nan: true }),
  simple("isinf", floats, (a) => a.isinf(), () => ({}), { nan: true }),
  simple("isfinite", DTYPES, (a) => a.isfinite(), () => ({}), { nan: true }),
  simple("floor_divide", numeric, (a, kw) => a.floorDivide(kw.b), (r) => ({ b: pick(r, [2, -3, 0, 2.5, 0.5]) })),
  simple("remainder", numeric, (a, kw) => a.remainder(kw.b), (r) => ({ b: pick(r, [2, -3, 2.5, -0.5]) })),
  simple("concatenate", DTYPES, (a, kw) => A.concatenate([a, a.flip({ axis: kw.axis })], { axis: kw.axis }), axisKw(0)),
  simple("stack", DTYPES, (a, kw) => A.stack([a, a], kw), (r, x) => ({ axis: axisFor(r, x.shape.length + 1) })),
  simple("pad", DTYPES, (a, kw) => A.pad(a, kw.width, kw.mode === "constant" ? { mode: "constant", constantValues: kw.constant } : { mode: kw.mode }), (r, x) => {
    const mode = pick(r, ["constant", "edge", "wrap", "reflect", "symmetric"]);
    return { mode, width: x.shape.map(() => [Math.floor(r() * 4), Math.floor(r() * 4)]), constant: 1 };
  }),
  simple("flip", DTYPES, (a, kw) => a.flip(kw), axisKw()),
  simple("roll", DTYPES, (a, kw) => a.roll(kw.shift, kw.axis === undefined ? {} : { axis: kw.axis }), (r, x) => ({ ...axisKw()(r, x), shift: Math.floor(r() * 13) - 6 })),
  simple("moveaxis", DTYPES, (a, kw) => A.moveaxis(a, kw.src, kw.dst), (r, x) => ({ src: axisFor(r, x.shape.length), dst: axisFor(r, x.shape.length) })),
  simple("squeeze", DTYPES, (a) => a.squeeze(), () => ({})),
  simple("expand_dims", DTYPES, (a, kw) => A.expandDims(a, kw.axis), (r, x) => ({ axis: axisFor(r, x.shape.length + 1) })),
  ["coarsen", {
    dtypes: DTYPES,
    make: (r, d) => {
      const input = makeInput(r, d, { allowEmpty: false });
      const factors: Record<string, number> = {};
      input.shape.forEach((n, k) => { const divs = [1, 2, 3, 4, 5].filter((f) => n % f === 0); factors[String(k)] = pick(r, divs); });
      const reducer = pick(r, d === "uint8" ? ["mean", "min", "max"] : ["sum", "mean", "min", "max"]);
      return { op: "coarsen", input, kw: { reducer, factors } };
    },
    run: (a, kw) => A.coarsen(kw.reducer, a, Object.fromEntries(Object.entries(kw.factors as Record<string, number>).map(([k, v]) => [Number(k), v]))),
  }],
  simple("clip_lo", numeric, (a, kw) => a.clip(kw.lo, null), (r) => ({ lo: pick(r, [2, 1.5, 0]) })),
  simple("sum_dtype", DTYPES, (a, kw) => a.sum({ dtype: kw.dtype }), (r) => ({ dtype: pick(r, ["float32", "float64", "int32", "int64"]) })),
  simple("add_scalar", DTYPES, (a, kw) => a.add(kw.s), (r) => ({ s: pick(r, [300, -1, 2 ** 40, 1.5, 7, 255]) })),
  simple("ravel", DTYPES, (a) => a.ravel()),
  simple("vstack", DTYPES, (a) => A.vstack([a, a])),
  simple("hstack", DTYPES, (a) => A.hstack([a, a])),
  simple("dstack", DTYPES, (a) => A.dstack([a, a])),
  simple("repeat", DTYPES, (a, kw) => a.repeat(kw.n, kw.axis === undefined ? {} : { axis: kw.axis }), (r, x) => ({ ...axisKw()(r, x), n: Math.floor(r() * 3) })),
  simple("tile", DTYPES, (a, kw) => A.tile(a, kw.reps), (r) => ({ reps: Array.from({ length: 1 + Math.floor(r() * 3) }, () => Math.floor(r() * 3)) })),
  simple("tril", DTYPES, (a, kw) => A.tril(a, kw.k), (r) => ({ k: Math.floor(r() * 5) - 2 }), { minNd: 2 }),
  simple("triu", DTYPES, (a, kw) => A.triu(a, kw.k), (r) => ({ k: Math.floor(r() * 5) - 2 }), { minNd: 2 }),
  simple("broadcast_to", DTYPES, (a, kw) => A.broadcastTo(a, kw.shape), (r, x) => ({ shape: [1 + Math.floor(r() * 2), ...x.shape.map((n) => (n === 1 ? Math.floor(r() * 3) : n))] })),
  simple("nancumsum", floats, (a, kw) => A.nancumsum(a, kw), axisKw(), { nan: true }),
  simple("ptp", nonUint.filter((d) => d !== "bool"), (a, kw) => a.ptp(kw), axisKw(0), { allowEmpty: false }),
  simple("isclose", numeric, (a, kw) => A.isclose(a, a.flip(), { rtol: kw.rtol, atol: kw.atol }), (r) => ({ rtol: pick(r, [1e-5, 0.1]), atol: pick(r, [1e-8, 1]) }), { nan: true }),
  simple("average", floats, (a, kw) => A.average(a, { ...kw, weights: a.abs().add(1) }), axisKw(), { allowEmpty: false }),
  simple("compress", DTYPES, (a, kw) => A.compress(kw.cond, a, kw.axis === undefined ? {} : { axis: kw.axis }), (r, x) => ({ ...axisKw()(r, x), cond: Array.from({ length: 1 + Math.floor(r() * 3) }, () => r() < 0.5) })),
  simple("ediff1d", nonUint.filter((d) => d !== "bool"), (a) => A.ediff1d(a)),
  simple("flatnonzero", DTYPES, (a) => A.flatnonzero(a)),
  // float16 results (uint8/bool inputs) do not exist in Tessera: those dtypes are left out.
  simple("ufunc", ["float64", "float32", "int32", "int64"], (a, kw) => (A as unknown as Record<string, (x: TArray) => TArray>)[kw.fn]!(a), (r) => ({
    fn: pick(r, ["tan", "tanh", "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "log10", "log2", "log1p", "expm1", "exp2", "cbrt", "sign", "trunc", "rint", "deg2rad", "rad2deg", "signbit"]),
  }), { nan: true }),
  simple("round", ["float64", "float32", "int32", "int64"], (a, kw) => A.round(a, kw.decimals), (r) => ({ decimals: pick(r, [0, 1, 2, -1]) })),
]);

// 22 functions share the "ufunc" op: give it more cases.
OPS.get("ufunc")!.repeat = 40;

function decode(v: number | string | boolean): number {
  if (typeof v === "string") return v === "nan" ? NaN : v === "inf" ? Infinity : -Infinity;
  return typeof v === "boolean" ? (v ? 1 : 0) : v;
}
const encode = (v: number): number | string => (Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : v);

function close(a: number, b: number, dtype: string): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  if (dtype !== "float64" && dtype !== "float32") return a === b;
  const tol = dtype === "float32" ? 2e-6 : 1e-12;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}

test("NumPy cross-check: values, dtypes and shapes of the array API agree with NumPy", async () => {
  const probe = spawnSync(PYTHON, ["-c", "import numpy; print(numpy.__version__)"], { encoding: "utf8" });
  assert.equal(probe.status, 0, `NumPy is required for this test (apt-get install python3-numpy): ${probe.stderr || probe.error?.message}`);
  const r = rng(20261204);
  const cases: Case[] = [];
  for (const [, spec] of OPS) {
    for (let i = 0; i < (spec.repeat ?? 9); i++) cases.push(spec.make(r, spec.dtypes[i % spec.dtypes.length]!));
  }
  const payload = cases.map((c) => ({ op: c.op, inputs: [{ dtype: c.input.dtype, shape: c.input.shape, data: c.input.data.map(encode) }], kw: c.kw }));
  const py = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(payload), encoding: "utf8", maxBuffer: 64 << 20 });
  assert.equal(py.status, 0, `numpy subprocess failed: ${py.stderr}`);
  const expected = JSON.parse(py.stdout) as Result[];
  assert.equal(expected.length, cases.length);
  const failures: string[] = [];
  let compared = 0, errorsAgreed = 0;
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!, want = expected[i]!;
    const label = `${c.op}(${c.input.dtype}[${c.input.shape}] chunks ${JSON.stringify(c.input.chunks)}, ${JSON.stringify(c.kw)})`;
    let got: A.NDArray | undefined;
    let err: unknown;
    try {
      let out = OPS.get(c.op)!.run(arrOf(c.input), c.kw);
      if (out.chunks.some((ch) => ch.some((n) => Number.isNaN(n)))) out = await out.computeChunkSizes();
      got = await out.computeArray();
    } catch (e) { err = e; }
    if (want.error !== undefined) {
      if (err === undefined) failures.push(`${label}: NumPy raised ${want.error}, Tessera returned ${got?.dtype}[${got?.shape}]`);
      else errorsAgreed++;
      continue;
    }
    if (err !== undefined) { failures.push(`${label}: Tessera raised ${(err as Error).message}; NumPy gave ${want.dtype}[${want.shape}]`); continue; }
    compared++;
    if (got!.dtype !== want.dtype) { failures.push(`${label}: dtype ${got!.dtype}, NumPy ${want.dtype}`); continue; }
    if (JSON.stringify(got!.shape) !== JSON.stringify(want.shape)) { failures.push(`${label}: shape [${got!.shape}], NumPy [${want.shape}]`); continue; }
    const w = want.data!.map(decode);
    const g = Array.from({ length: got!.size }, (_, j) => Number(got!.flat(j)));
    const bad = g.findIndex((v, j) => !close(v, w[j]!, want.dtype!));
    if (bad >= 0) failures.push(`${label}: element ${bad} is ${g[bad]}, NumPy ${w[bad]} (got ${JSON.stringify(g.slice(0, 12))}, NumPy ${JSON.stringify(w.slice(0, 12))})`);
  }
  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases differ from NumPy:\n${failures.join("\n")}`);
  assert.ok(compared > cases.length * 0.7, `only ${compared} of ${cases.length} cases produced values (${errorsAgreed} errors agreed)`);
});
