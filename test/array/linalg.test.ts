// Linear algebra in-process: the property suite on both block kernels (WebAssembly SIMD and the
// JS fallback), the kernel itself on odd sizes and strided operands, integer overflow, errors,
// and (when /usr/bin/python3 has NumPy) NumPy's own results for generated cases.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fromArray, matmul, tensordot, dot, linalg, arange, random, NDArray, type DType } from "../../src/array/index.js";
import { gemm, gemmJs, gemmBackend, setGemmBackend, type GemmPair } from "../../src/array/linalg/gemm.js";
import { wasmSimdAvailable } from "../../src/array/kernels/compile-wasm.js";
import { inProcessExecutor } from "../../src/graph/execute.js";
import { TesseraError } from "../../src/util/errors.js";
import { defineLinalgSuite } from "./linalg-cases.js";
import { typed } from "./conformance.js";

defineLinalgSuite("in-process, WebAssembly kernel", () => inProcessExecutor, { numRuns: 40 });

test("the WebAssembly SIMD kernel is the one in use here", () => {
  assert.equal(wasmSimdAvailable(), true, "Node 20 has WebAssembly SIMD");
  assert.equal(gemmBackend(), "wasm");
});

defineLinalgSuite("in-process, JS kernel", () => inProcessExecutor, { numRuns: 10, gemmBackend: "js" });

function rand(n: number, seed: number): Float64Array {
  // A small LCG: reproducible values in [-1, 1).
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

test("block kernel: WebAssembly equals the JS product on odd sizes, long k, strided and transposed views", () => {
  for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [97, 600, 35], [130, 257, 131], [5, 1030, 9], [200, 3, 190]] as const) {
    const A = rand(m * k * 2 + 8, m + k), B = rand(k * n * 2 + 8, n + 1);
    const views: [string, GemmPair][] = [
      ["row-major", { a: { data: A, offset: 0, rs: k, cs: 1 }, b: { data: B, offset: 0, rs: n, cs: 1 }, k }],
      // A read transposed (column-major storage) and B every other element, with offsets.
      ["strided", { a: { data: A, offset: 3, rs: 1, cs: m }, b: { data: B, offset: 1, rs: 2 * n, cs: 2 }, k }],
    ];
    for (const [what, p] of views) {
      const w = new Float64Array(m * n), j = new Float64Array(m * n);
      gemm(m, n, [p, p], { data: w, offset: 0, ld: n });
      gemmJs(m, n, [p, p], { data: j, offset: 0, ld: n });
      for (let i = 0; i < m * n; i++) {
        assert.ok(Math.abs(w[i]! - j[i]!) <= 1e-12 * (1 + Math.abs(j[i]!)), `${what} ${m}×${k}×${n}: element ${i} ${w[i]} vs ${j[i]}`);
      }
    }
  }
  // NaN and ±Infinity propagate (padding must not add 0·∞ into real elements).
  const a = Float64Array.from([1, Infinity, 2, 3, NaN, 4, 5, 6, 7]), b = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const o = new Float64Array(9), r = new Float64Array(9);
  const p: GemmPair = { a: { data: a, offset: 0, rs: 3, cs: 1 }, b: { data: b, offset: 0, rs: 3, cs: 1 }, k: 3 };
  gemm(3, 3, [p], { data: o, offset: 0, ld: 3 });
  gemmJs(3, 3, [p], { data: r, offset: 0, ld: 3 });
  assert.deepEqual([...o], [...r]);
  assert.equal(o[0], Infinity);
  assert.ok(Number.isNaN(o[3]!));
  assert.equal(o[6], 5 * 1 + 6 * 4 + 7 * 7);
});

test("integer products wrap like NumPy's, also beyond float64's exact range", async () => {
  const big = 3_000_000_000; // int64: products near 9e18 need the exact (BigInt) path
  const a = fromArray(BigInt64Array.from([big, 7, -big, 1].map(BigInt)), { shape: [2, 2], chunks: [1, 1] });
  const got = (await a.matmul(a).computeArray()).data as BigInt64Array;
  const A = [[BigInt(big), 7n], [BigInt(-big), 1n]];
  const want = [0, 1].flatMap((i) => [0, 1].map((j) => BigInt.asIntN(64, A[i]![0]! * A[0]![j]! + A[i]![1]! * A[1]![j]!)));
  assert.deepEqual([...got], want);
  // int32: wraps at 2^32.
  const x = fromArray(Int32Array.from([70000, 70000]), { shape: [1, 2] });
  const y = fromArray(Int32Array.from([70000, 70000]), { shape: [2, 1] });
  const r = await x.matmul(y).computeArray();
  assert.equal(r.dtype, "int32");
  assert.equal(r.flat(0), Number(BigInt.asIntN(32, 2n * 70000n * 70000n)));
  // uint8 wraps at 256; bool is or-of-ands.
  const u = await fromArray(Uint8Array.from([200, 100]), { dtype: "uint8" }).matmul(fromArray(Uint8Array.from([2, 3]), { dtype: "uint8" })).compute();
  assert.equal(u, (200 * 2 + 100 * 3) % 256);
  const bt = await fromArray([[true, false], [false, false]]).matmul(fromArray([[true, false], [true, true]])).computeArray();
  assert.deepEqual(bt.toArray(), [[true, false], [false, false]]);
});

test("result dtypes follow NumPy's promotion", () => {
  const mk = (d: DType) => fromArray(typed(d, [1, 2, 3, 4]), { shape: [2, 2], dtype: d });
  const cases: [DType, DType, DType][] = [["float32", "float32", "float32"], ["float32", "int32", "float64"], ["uint8", "float32", "float32"],
    ["int32", "int64", "int64"], ["bool", "bool", "bool"], ["bool", "uint8", "uint8"], ["float64", "float32", "float64"]];
  for (const [p, q, r] of cases) assert.equal(matmul(mk(p), mk(q)).dtype, r, `${p} @ ${q}`);
});

test("shapes and chunks of products", () => {
  const a = random.random({ shape: [4, 1, 6, 5], chunks: [2, 1, 4, 3], seed: 1 });
  const b = random.random({ shape: [3, 5, 7], chunks: [2, 2, 4], seed: 2 });
  const c = a.matmul(b);
  assert.deepEqual(c.shape, [4, 3, 6, 7]);
  assert.deepEqual(c.chunks, [[2, 2], [2, 1], [4, 2], [4, 3]]);
  assert.deepEqual(arange(5).matmul(random.random({ shape: [2, 5, 3], seed: 1 })).shape, [2, 3]);
  assert.deepEqual(arange(5).matmul(arange(5)).shape, []);
  assert.deepEqual(tensordot(a, random.random({ shape: [6, 5, 2], seed: 3 }), { axes: [[2, 3], [0, 1]] }).shape, [4, 1, 2]);
  assert.deepEqual(tensordot(random.random({ shape: [2, 3], seed: 3 }), random.random({ shape: [4], seed: 3 }), { axes: 0 }).shape, [2, 3, 4]);
  // 2000² blocks of 8000² operands: one fused task per output block (4 pairs each).
  const x = random.random({ shape: [8000, 8000], chunks: [2000, 2000], seed: 1 });
  const g = x.matmul(x.T);
  const own = Object.entries(g.layers.get(g.name)!);
  assert.equal(own.length, 16);
  for (const [, node] of own) assert.equal((node as unknown as { args: unknown[] }).args.length, 1 + 2 * 4);
});

test("clear errors for mismatched shapes, scalars, bad axes and unknown options", () => {
  const a = random.random({ shape: [3, 4], seed: 1 }), b = random.random({ shape: [5, 2], seed: 1 });
  const err = (f: () => unknown, re: RegExp): void => {
    assert.throws(f, (e: unknown) => e instanceof TesseraError && e.code === "TESSERA_ERR_LINALG" && re.test(e.message));
  };
  err(() => a.matmul(b), /shapes \[3, 4\] and \[5, 2\] do not align: the last axis of the first \(4\) must equal the second-to-last axis of the second \(5\)/);
  err(() => matmul(random.random({ shape: [2, 3, 4], seed: 1 }), random.random({ shape: [5, 4, 2], seed: 1 })), /batch axes \[2\] and \[5\].*do not broadcast/);
  err(() => matmul(fromArray(3), a), /operand 0 is 0-d/);
  err(() => matmul(a, 3 as never), /second operand must be a tessera array/);
  err(() => a.dot(b), /dot: shapes \[3, 4\] and \[5, 2\] not aligned/);
  err(() => tensordot(a, b, { axes: [[1], [0]] }), /axis 1 of the first operand \[3, 4\] has length 4, axis 0 of the second \[5, 2\] has 5/);
  err(() => tensordot(a, b, { axes: [[5], [0]] }), /axis 5 is out of range for the first operand with 2 axes/);
  err(() => tensordot(a, a, { axes: [[0, 0], [0, 1]] }), /repeat an axis/);
  err(() => tensordot(a, a, { axes: 3 }), /axes=3 must be an integer from 0 to 2/);
  err(() => tensordot(a, a, { axis: 1 } as never), /unknown option 'axis'; did you mean 'axes'\?/);
  err(() => linalg.norm(a, { ord: 2 }), /matrix ord 2 is not supported/);
  err(() => linalg.norm(a, { ord: "nuc" }), /'nuc' is not supported|not supported/);
  err(() => linalg.norm(arange(3), { ord: "fro" }), /'fro' is a matrix norm/);
  err(() => linalg.norm(a, { keepDims: true } as never), /unknown option 'keepDims'; did you mean 'keepdims'\?/);
  err(() => linalg.norm(a, { ord: "max" as never }), /ord "max" is not a norm order/);
  err(() => linalg.norm(random.random({ shape: [2, 2, 2], seed: 1 }), { ord: 1 }), /x must be 1-D or 2-D/);
});

test("dot with scalars multiplies; 0-size contractions give zeros", async () => {
  assert.deepEqual((await dot(fromArray(2), fromArray([1, 2])).computeArray()).toArray(), [2, 4]);
  assert.deepEqual((await fromArray([1, 2]).dot(3).computeArray()).toArray(), [3, 6]);
  assert.throws(() => dot(1 as never, 2 as never), /at least one operand must be a tessera array/);
  const z = await matmul(random.random({ shape: [2, 0], seed: 1 }), random.random({ shape: [0, 3], seed: 1 })).computeArray();
  assert.deepEqual(z.toArray(), [[0, 0, 0], [0, 0, 0]]);
});

test("checked against NumPy: matmul, tensordot, dot and norm values, dtypes and shapes", async () => {
  // NumPy is the reference here: without it this test fails (never skips), naming what to install.
  const numpy = spawnSync("/usr/bin/python3", ["-c", "import numpy"], { encoding: "utf8" });
  assert.equal(numpy.status, 0, `/usr/bin/python3 cannot import numpy (apt-get install python3-numpy): ${numpy.stderr ?? ""}`);
  interface Case { op: "matmul" | "tensordot" | "dot" | "norm"; a: number[]; b?: number[]; da: DType; db?: DType; axes?: [number[], number[]]; ord?: number | string | null; axis?: number[] | null }
  const cases: Case[] = [
    { op: "matmul", a: [3, 4], b: [4, 5], da: "float64", db: "float64" },
    { op: "matmul", a: [2, 1, 3, 4], b: [5, 4, 2], da: "float32", db: "float32" },
    { op: "matmul", a: [4], b: [2, 4, 3], da: "int32", db: "int64" },
    { op: "matmul", a: [3, 4], b: [4], da: "uint8", db: "uint8" },
    { op: "matmul", a: [4], b: [4], da: "bool", db: "bool" },
    { op: "matmul", a: [3, 4], b: [4, 2], da: "int32", db: "float32" },
    { op: "matmul", a: [3, 4], b: [4, 2], da: "uint8", db: "float32" },
    { op: "tensordot", a: [2, 3, 4], b: [4, 3, 5], da: "float64", db: "int32", axes: [[1, 2], [1, 0]] },
    { op: "tensordot", a: [3, 2], b: [2, 3], da: "int64", db: "int64", axes: [[], []] },
    { op: "dot", a: [2, 3, 4], b: [5, 4, 2], da: "float64", db: "float64" },
    { op: "dot", a: [3, 4], b: [4], da: "int32", db: "int32" },
    { op: "norm", a: [4, 5], da: "float64", ord: null, axis: null },
    { op: "norm", a: [4, 5], da: "int32", ord: 1, axis: null },
    { op: "norm", a: [4, 5], da: "float32", ord: "inf", axis: [1, 0] },
    { op: "norm", a: [4, 5], da: "float64", ord: "-inf", axis: null },
    { op: "norm", a: [3, 4, 5], da: "float64", ord: 3, axis: [1] },
    { op: "norm", a: [3, 4, 5], da: "float64", ord: 0, axis: [-1] },
    { op: "norm", a: [6], da: "float32", ord: "inf", axis: null },
  ];
  const valuesFor = (shape: number[], d: DType, salt: number): number[] => {
    const n = shape.reduce((p, q) => p * q, 1);
    return [...Array(n).keys()].map((i) => {
      const v = ((i * 37 + salt * 11) % 23) - 9;
      return d === "bool" ? (v > 0 ? 1 : 0) : d === "uint8" ? (v + 9) * 11 : d.startsWith("float") ? v / 4 : v;
    });
  };
  const py = String.raw`
import json, sys, numpy as np
out = []
for c in json.load(sys.stdin):
    a = np.array(c["va"], dtype=c["da"]).reshape(c["a"])
    b = np.array(c["vb"], dtype=c["db"]).reshape(c["b"]) if "b" in c else None
    if c["op"] == "matmul": r = np.matmul(a, b)
    elif c["op"] == "dot": r = np.dot(a, b)
    elif c["op"] == "tensordot": r = np.tensordot(a, b, axes=c["axes"])
    else:
        o = c["ord"]; o = {"inf": np.inf, "-inf": -np.inf}.get(o, o)
        ax = c["axis"]; ax = tuple(ax) if ax is not None and len(ax) > 1 else (ax[0] if ax else None)
        r = np.linalg.norm(a, ord=o, axis=ax)
    r = np.asarray(r)
    out.append({"shape": list(r.shape), "dtype": str(r.dtype), "values": [float(v) for v in r.astype(np.float64).ravel()]})
print(json.dumps(out))
`;
  const payload = cases.map((c, i) => ({ ...c, va: valuesFor(c.a, c.da, i), ...(c.b ? { vb: valuesFor(c.b, c.db!, i + 100) } : {}) }));
  const res = spawnSync("/usr/bin/python3", ["-c", py], { input: JSON.stringify(payload), encoding: "utf8" });
  assert.equal(res.status, 0, res.stderr);
  const want = JSON.parse(res.stdout) as { shape: number[]; dtype: string; values: number[] }[];
  for (const [i, c] of payload.entries()) {
    const chunked = (shape: number[]): number[] => shape.map((e) => Math.max(1, Math.ceil(e / 2)));
    const A = fromArray(typed(c.da, c.va), { shape: c.a, dtype: c.da, chunks: chunked(c.a) });
    const B = c.b ? fromArray(typed(c.db!, c.vb!), { shape: c.b, dtype: c.db!, chunks: chunked(c.b) }) : undefined;
    const ord = c.ord === "inf" ? Infinity : c.ord === "-inf" ? -Infinity : c.ord;
    const r = c.op === "matmul" ? matmul(A, B!) : c.op === "dot" ? dot(A, B!) : c.op === "tensordot" ? tensordot(A, B!, { axes: c.axes! })
      : linalg.norm(A, { ord: ord as number | null, axis: c.axis ?? null });
    const got = await r.computeArray();
    const w = want[i]!;
    const what = `case ${i} ${c.op} ${c.da}[${c.a}]${c.b ? ` ${c.db}[${c.b}]` : ""}`;
    assert.deepEqual([...got.shape], w.shape, `${what}: shape`);
    assert.equal(got.dtype, w.dtype, `${what}: dtype`);
    const tol = got.dtype === "float32" ? 1e-6 : 1e-12;
    for (let j = 0; j < got.size; j++) {
      const g = Number(got.flat(j)), e = w.values[j]!;
      assert.ok(g === e || Math.abs(g - e) <= tol * (1 + Math.abs(e)), `${what}: element ${j} is ${g}, NumPy gives ${e}`);
    }
  }
});

test("NDArray results of products are ordinary arrays", async () => {
  const r = await arange(6).reshape(2, 3).matmul(arange(6).reshape(3, 2)).compute();
  assert.ok(r instanceof NDArray);
  assert.deepEqual(r.toArray(), [[10, 13], [28, 40]]);
});

test("transposed operands are contracted from their source blocks (no transpose tasks)", async () => {
  const x = random.random({ shape: [7, 5], chunks: [[3, 4], [2, 3]], seed: 9 });
  const y = random.random({ shape: [7, 4, 5], chunks: [[7], [1, 3], [5]], seed: 8 });
  const products = [x.matmul(x.T), x.T.matmul(x), tensordot(y.transpose([2, 0, 1]), x.T, { axes: [[0, 1], [0, 1]] })];
  for (const p of products) assert.ok(!Object.values(p.buildGraph(false)).some((n) => "op" in n && n.op === "array.transpose"), "no transpose task");
  const X = (await x.computeArray()).toArray() as number[][];
  const Y = (await y.computeArray()).toArray() as number[][][];
  const g = (await products[0]!.computeArray()).toArray() as number[][];
  const h = (await products[1]!.computeArray()).toArray() as number[][];
  const t = (await products[2]!.computeArray()).toArray() as number[];
  for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) {
    const w = X[i]!.reduce((s, v, k) => s + v * X[j]![k]!, 0);
    assert.ok(Math.abs(g[i]![j]! - w) < 1e-12, `x @ x.T [${i},${j}]`);
  }
  for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) {
    const w = X.reduce((s, row) => s + row[i]! * row[j]!, 0);
    assert.ok(Math.abs(h[i]![j]! - w) < 1e-12, `x.T @ x [${i},${j}]`);
  }
  for (let j = 0; j < 4; j++) {
    let w = 0;
    for (let a = 0; a < 5; a++) for (let b = 0; b < 7; b++) w += Y[b]![j]![a]! * X[b]![a]!;
    assert.ok(Math.abs(t[j]! - w) < 1e-12, `tensordot [${j}]`);
  }
});
