// The linear algebra property suite (matmul, dot, tensordot, norm against ./linalg-reference.ts),
// parameterised by executor so the same cases run in-process and on a real LocalCluster.
import { test as nodeTest } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { matmul, dot, tensordot, linalg, type DType } from "../../src/array/index.js";
import type { GraphExecutor } from "../../src/graph/default-executor.js";
import { setGemmBackend } from "../../src/array/linalg/gemm.js";
import { ALL_DTYPES, assertMatches, caseArb } from "./conformance.js";
import { refMatmul, refMatrixNorm, refTensordot, refVectorNorm } from "./linalg-reference.js";
import * as R from "./reference.js";

const dim = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 5 }) }, { weight: 1, arbitrary: fc.constant(0) });
const dtypeArb = fc.constantFrom(...ALL_DTYPES);

/** Shapes for matmul: batch axes that broadcast, then (m, k) and (k, n); or 1-D operands. */
const matmulShapes = fc.record({
  batch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
  dropA: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
  dropB: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
  lenA: fc.integer({ min: 0, max: 2 }),
  lenB: fc.integer({ min: 0, max: 2 }),
  m: dim, k: dim, n: dim,
  vecA: fc.boolean(), vecB: fc.boolean(),
}).map((r) => {
  const bA = r.batch.map((e, i) => (r.dropA[i] ? 1 : e)).slice(Math.max(0, r.batch.length - r.lenA));
  const bB = r.batch.map((e, i) => (r.dropB[i] ? 1 : e)).slice(Math.max(0, r.batch.length - r.lenB));
  const a = r.vecA ? [r.k] : [...bA, r.m, r.k];
  const b = r.vecB ? [r.k] : [...bB, r.k, r.n];
  return { a, b };
});

export interface LinalgSuiteOptions {
  readonly numRuns: number;
  /** Run the block products with this kernel (in-process only: workers keep their own setting). */
  readonly gemmBackend?: "auto" | "js";
}

export function defineLinalgSuite(label: string, executor: () => GraphExecutor, opts: LinalgSuiteOptions): void {
  const ex = (): { executor: GraphExecutor } => ({ executor: executor() });
  const test = (name: string, fn: () => Promise<void>): void => {
    nodeTest(name, async () => {
      setGemmBackend(opts.gemmBackend ?? "auto");
      try {
        await fn();
      } finally {
        setGemmBackend("auto");
      }
    });
  };

  test(`${label}: matmul matches the reference (batch broadcasting, 1-D operands, uneven chunks, every dtype pair)`, async () => {
    await fc.assert(fc.asyncProperty(
      matmulShapes.chain(({ a, b }) => fc.tuple(fc.constant(a), fc.constant(b), dtypeArb, dtypeArb))
        .chain(([sa, sb, da, db]) => fc.tuple(caseArb(sa, da), caseArb(sb, db))),
      async ([ca, cb]) => {
        const want = refMatmul(ca.ref, cb.ref);
        const what = `matmul ${ca.ref.dtype}[${ca.ref.shape}] chunks ${JSON.stringify(ca.arr.chunks)} @ ${cb.ref.dtype}[${cb.ref.shape}] chunks ${JSON.stringify(cb.arr.chunks)}`;
        assertMatches(await ca.arr.matmul(cb.arr).compute(ex()), want, what);
      }), { numRuns: opts.numRuns });
  });

  test(`${label}: tensordot over random axis pairs matches the reference`, async () => {
    const arb = fc.record({
      shared: fc.array(dim, { maxLength: 2 }),
      freeA: fc.array(dim, { maxLength: 2 }),
      freeB: fc.array(dim, { maxLength: 2 }),
      seedA: fc.integer({ min: 0, max: 1000 }),
      seedB: fc.integer({ min: 0, max: 1000 }),
      da: dtypeArb, db: dtypeArb,
    }).chain((r) => {
      // Interleave the contracted axes among the free ones at seed-chosen places.
      const place = (free: number[], seed: number): { shape: number[]; axes: number[] } => {
        const shape = [...free];
        const axes: number[] = [];
        r.shared.forEach((e, i) => {
          const at = (seed + 7 * i) % (shape.length + 1);
          for (let j = 0; j < axes.length; j++) if (axes[j]! >= at) axes[j]!++;
          shape.splice(at, 0, e);
          axes.push(at);
        });
        return { shape, axes };
      };
      const A = place(r.freeA, r.seedA), B = place(r.freeB, r.seedB);
      return fc.tuple(caseArb(A.shape, r.da), caseArb(B.shape, r.db), fc.constant(A.axes), fc.constant(B.axes));
    });
    await fc.assert(fc.asyncProperty(arb, async ([ca, cb, axA, axB]) => {
      const want = refTensordot(ca.ref, cb.ref, axA, axB);
      const what = `tensordot [${ca.ref.shape}] axes ${JSON.stringify(axA)}, [${cb.ref.shape}] axes ${JSON.stringify(axB)}`;
      assertMatches(await tensordot(ca.arr, cb.arr, { axes: [axA, axB] }).compute(ex()), want, what);
      // Negative axes name the same axes.
      const negA = axA.map((x) => x - ca.ref.shape.length), negB = axB.map((x) => x - cb.ref.shape.length);
      assertMatches(await tensordot(ca.arr, cb.arr, { axes: [negA, negB] }).compute(ex()), want, `${what} (negative axes)`);
    }), { numRuns: opts.numRuns });
  });

  test(`${label}: dot follows NumPy (scalars multiply, 1-D second operand, N-D × M-D)`, async () => {
    await fc.assert(fc.asyncProperty(
      fc.record({ a: fc.array(dim, { minLength: 1, maxLength: 3 }), b: fc.array(dim, { minLength: 1, maxLength: 3 }), d: dtypeArb })
        .chain(({ a, b, d }) => {
          const k = a[a.length - 1]!;
          const bb = [...b];
          bb[b.length === 1 ? 0 : b.length - 2] = k;
          return fc.tuple(caseArb(a, d), caseArb(bb, "float64"));
        }),
      async ([ca, cb]) => {
        const nb = cb.ref.shape.length;
        const want = refTensordot(ca.ref, cb.ref, [ca.ref.shape.length - 1], [nb === 1 ? 0 : nb - 2]);
        assertMatches(await ca.arr.dot(cb.arr).compute(ex()), want, `dot [${ca.ref.shape}] · [${cb.ref.shape}]`);
        assertMatches(await dot(ca.arr, cb.arr).compute(ex()), want, `dot() [${ca.ref.shape}] · [${cb.ref.shape}]`);
      }), { numRuns: opts.numRuns });
  });

  test(`${label}: long contractions sum partial products in a tree (more block pairs than one task takes)`, async () => {
    // k = 40 in chunks of 1: 40 block pairs per output block, more than one fused task holds.
    const arb = fc.tuple(caseArb([3, 40], "float64"), caseArb([40, 2], "int32"), caseArb([2, 40], "int64"), caseArb([40, 3], "int32"));
    await fc.assert(fc.asyncProperty(arb, async ([ca, cb, ci, cj]) => {
      const a = ca.arr.rechunk([[2, 1], 1]), b = cb.arr.rechunk([1, [1, 1]]);
      assert.ok(Object.keys(a.matmul(b).graph).some((k) => k.startsWith("matmul_part")), "partial products are built");
      assertMatches(await a.matmul(b).compute(ex()), refMatmul(ca.ref, cb.ref), "f64 @ i32, k = 40");
      assertMatches(await matmul(ci.arr.rechunk([2, 1]), cj.arr.rechunk([1, 3])).compute(ex()), refMatmul(ci.ref, cj.ref), "i64 @ i32, k = 40");
    }), { numRuns: Math.max(2, Math.floor(opts.numRuns / 4)) });
  });

  test(`${label}: linalg.norm for vectors and matrices matches the reference`, async () => {
    const vecOrds = [null, 2, 1, Infinity, -Infinity, 0, 3, 0.5];
    const matOrds = [null, "fro", 1, -1, Infinity, -Infinity] as const;
    await fc.assert(fc.asyncProperty(
      fc.tuple(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }), fc.constantFrom<DType>("float64", "float32", "int32", "int64"))
        .chain(([s, d]) => fc.tuple(caseArb(s, d), fc.constantFrom(...vecOrds), fc.integer({ min: -s.length, max: s.length - 1 }), fc.constantFrom(...matOrds))),
      async ([c, ord, axis, mOrd]) => {
        const nd = c.ref.shape.length;
        const outDt: DType = c.ref.dtype === "float32" ? "float32" : "float64";
        const tol = outDt === "float32" ? 1e-5 : 1e-12;
        const v = refVectorNorm(c.ref, ord, axis < 0 ? axis + nd : axis);
        const want: R.Ref = { dtype: outDt, shape: v.shape, data: v.data.map((x) => R.cast(outDt, x)) };
        assertMatches(await linalg.norm(c.arr, { ord, axis }).compute(ex()), want, `norm ord ${ord} axis ${axis} of ${c.ref.dtype}[${c.ref.shape}]`, tol);
        // Whole-array 2-norm.
        const all = Math.sqrt(c.ref.data.reduce((p, q) => p + q * q, 0));
        assertMatches(await linalg.norm(c.arr).compute(ex()), { dtype: outDt, shape: [], data: [R.cast(outDt, all)] }, "norm of all elements", tol);
        if (nd === 2) {
          const m = refMatrixNorm(c.ref, mOrd);
          assertMatches(await linalg.norm(c.arr, { ord: mOrd }).compute(ex()), { dtype: outDt, shape: [], data: [R.cast(outDt, m)] }, `matrix norm ${String(mOrd)}`, tol);
          const kd = await linalg.norm(c.arr, { ord: mOrd, axis: [0, 1], keepdims: true }).compute(ex());
          assertMatches(kd, { dtype: outDt, shape: [1, 1], data: [R.cast(outDt, m)] }, `matrix norm ${String(mOrd)} keepdims`, tol);
        }
      }), { numRuns: opts.numRuns });
  });
}
