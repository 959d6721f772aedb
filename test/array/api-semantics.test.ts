// NumPy 2 semantics that used to differ (issue 10, item 6) and strict options (item 7).
import { test } from "node:test";
import assert from "node:assert/strict";
import { fromArray, ones, arange, random, linspace, full, NDArray, UnknownOptionError, ArrayDTypeError } from "../../src/array/index.js";

const vals = async (p: Promise<unknown>): Promise<unknown> => {
  const r = await p;
  return r instanceof NDArray ? r.toArray() : r;
};

test("strict options: unknown keys are refused with a suggestion", () => {
  const a = ones([4], { chunks: 2 });
  const cases: [() => unknown, RegExp][] = [
    [() => a.sum({ keepDims: true } as never), /sum: unknown option 'keepDims'; did you mean 'keepdims'\?/],
    [() => a.var({ dof: 1 } as never), /var: unknown option 'dof'; did you mean 'ddof'\?/],
    [() => a.mean({ ddof: 1 } as never), /mean: unknown option 'ddof'/],
    [() => ones(3, { chunk: 2 } as never), /ones: unknown option 'chunk'; did you mean 'chunks'\?/],
    [() => zerosLike(), /ones: unknown option 'dtpye'; did you mean 'dtype'\?/],
    [() => arange(0, 5, 1, { chunks: 2, shape: 3 } as never), /arange: unknown option 'shape'/],
    [() => linspace(0, 1, 5, { endPoint: false } as never), /linspace: unknown option 'endPoint'; did you mean 'endpoint'\?/],
    [() => fromArray([1, 2], { chunk: 1 } as never), /fromArray: unknown option 'chunk'/],
    [() => full(3, 1, { value: 2 } as never), /full: unknown option 'value'/],
    [() => random.uniform(0, 1, { shape: [3], sed: 1 } as never), /random.uniform: unknown option 'sed'; did you mean 'seed'\?/],
  ];
  for (const [f, re] of cases) {
    assert.throws(f, (e: unknown) => e instanceof UnknownOptionError && e.code === "TESSERA_ERR_UNKNOWN_OPTION" && re.test(e.message));
  }
  function zerosLike(): unknown { return ones(3, { dtpye: "int32" } as never); }
});

test("strict options on compute()", async () => {
  await assert.rejects(ones(3).compute({ optimise: false } as never), /compute: unknown option 'optimise'; did you mean 'optimize'\?/);
});

test("error messages print NaN and Infinity as such", () => {
  assert.throws(() => ones([2]).sum({ axis: NaN }), /axis NaN is out of range/);
  assert.throws(() => ones([2]).sum({ axis: [Infinity] }), /axis Infinity is out of range/);
  assert.throws(() => ones([Infinity]), /Infinity is not a non-negative integer/);
});

test("clip with one open bound on integers never uses an infinite sentinel", async () => {
  for (const dtype of ["int32", "int64", "uint8"] as const) {
    const a = fromArray([1, 5, 9], { dtype, chunks: 2 });
    assert.deepEqual(await vals(a.clip(3, null).compute()), [3, 5, 9]);
    assert.deepEqual(await vals(a.clip(null, 6).compute()), [1, 5, 6]);
    assert.equal(a.clip(3, null).dtype, dtype);
  }
  assert.deepEqual(await vals(fromArray([1, 5], { dtype: "int32" }).clip(1.5, null).compute()), [1.5, 5]);
});

test("min/max over integer chunks with an empty block", async () => {
  for (const dtype of ["int32", "int64", "uint8", "float64"] as const) {
    const a = fromArray([4, 3, 7, 1, 2], { dtype, chunks: [[2, 0, 3]] });
    assert.equal(await a.min().compute(), 1);
    assert.equal(await a.max().compute(), 7);
    const b = fromArray([[4, 3, 7], [9, 8, 5]], { dtype, chunks: [[1, 1], [2, 0, 1]] });
    assert.deepEqual(await vals(b.min({ axis: 1 }).compute()), [3, 5]);
    assert.deepEqual(await vals(b.max({ axis: -1, splitEvery: 2 }).compute()), [7, 9]);
  }
});

test("comparisons with out-of-range integer scalars give the exact answer", async () => {
  const u = fromArray([0, 1, 255], { dtype: "uint8" });
  assert.deepEqual(await vals(u.lt(-1).compute()), [false, false, false]);
  assert.deepEqual(await vals(u.gt(-1).compute()), [true, true, true]);
  assert.deepEqual(await vals(u.eq(256).compute()), [false, false, false]);
  assert.deepEqual(await vals(u.ne(511).compute()), [true, true, true]);
  const i = fromArray([-5, 0, 5], { dtype: "int32" });
  assert.deepEqual(await vals(i.le(2 ** 40).compute()), [true, true, true]);
  assert.deepEqual(await vals(i.ge(-(2 ** 40)).compute()), [true, true, true]);
});

test("NEP 50: an integer scalar that does not fit the array's dtype raises", () => {
  const u = fromArray([1, 2], { dtype: "uint8" });
  const e = (f: () => unknown, re: RegExp): void => assert.throws(f, (x: unknown) => x instanceof ArrayDTypeError && re.test(x.message));
  e(() => u.add(300), /add: the scalar 300 is out of bounds for uint8/);
  e(() => u.mul(-1), /mul: the scalar -1 is out of bounds for uint8/);
  e(() => fromArray([1], { dtype: "int32" }).sub(2 ** 31), /out of bounds for int32/);
  e(() => fromArray([1]).add(2 ** 64), /out of bounds for int64/);
  e(() => u.clip(-1, 10), /clip: the scalar -1 is out of bounds for uint8/);
  // Fitting scalars keep the dtype; non-integral ones promote to float64.
  assert.equal(u.add(255).dtype, "uint8");
  assert.equal(u.add(1.5).dtype, "float64");
  assert.equal(fromArray([1], { dtype: "float32" }).add(1e300).dtype, "float32");
});

test("sum({dtype}) casts the elements first; integer pow with a negative exponent raises; fromArray([]) is float64", async () => {
  const a = fromArray([0.1, 0.2, 0.3], { chunks: 1 });
  const f32 = Math.fround(Math.fround(Math.fround(0.1) + Math.fround(0.2)) + Math.fround(0.3));
  assert.equal(await a.sum({ dtype: "float32" }).compute(), f32);
  assert.equal(await fromArray([1.7, 2.6]).sum({ dtype: "int32" }).compute(), 3);
  assert.throws(() => fromArray([1.5]).min({ dtype: "int32" }), /dtype option applies to sum, prod, mean, var and std/);
  assert.throws(() => fromArray([2, 3]).pow(-1), (e: unknown) => e instanceof ArrayDTypeError && /negative integer powers/.test(e.message));
  assert.equal(await fromArray(new Float64Array([2, 4])).pow(-1).sum().compute(), 0.75);
  const empty = fromArray([]);
  assert.equal(empty.dtype, "float64");
  assert.deepEqual(empty.shape, [0]);
});
