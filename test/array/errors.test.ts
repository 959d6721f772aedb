// Bad input fails at graph-build time with errors that name the argument.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ones, zeros, random, fromArray, arange, linspace, full } from "../../src/array/index.js";

test("shape and chunks", () => {
  assert.throws(() => ones([3, -1]), /shape\[1\]: -1 is not a non-negative integer/);
  assert.throws(() => ones([2.5]), /shape\[0\]: 2.5 is not a non-negative integer/);
  assert.throws(() => zeros([10], { chunks: [[4, 4]] }), /chunks\[0\]: blocks \[4, 4\] sum to 8, but axis 0 has length 10/);
  assert.throws(() => zeros([10, 2], { chunks: [5] }), /chunks: \[5\] has 1 entries but the shape \[10, 2\] has 2 axes/);
  assert.throws(() => random.uniform(0, 1, { shape: [4], chunks: "lots" }), /'lots' is neither 'auto' nor a byte size/);
  assert.throws(() => ones(5).rechunk(0), /rechunk: chunks\[0\]: 0 is not a positive integer/);
});

test("dtypes", () => {
  assert.throws(() => ones(3, { dtype: "float16" as never }), /dtype: unknown dtype "float16"; use one of/);
  assert.throws(() => ones(3).astype("complex" as never), /astype: dtype: unknown dtype "complex"/);
  assert.throws(() => random.uniform(0, 1, { shape: [3], dtype: "int32" }), /dtype: int32 is not supported by uniform/);
  assert.throws(() => ones(3, { dtype: "bool" }).sub(ones(3, { dtype: "bool" })), /sub: subtracting booleans/);
});

test("axes", () => {
  assert.throws(() => ones([2, 3]).sum({ axis: 2 }), /sum: axis 2 is out of range for an array with 2 axes/);
  assert.throws(() => ones([2, 3]).mean({ axis: [-3] }), /mean: axis -3 is out of range/);
  assert.throws(() => ones([2, 3]).sum({ axis: [1, -1] }), /repeats an axis/);
  assert.throws(() => ones([2, 3]).transpose([0, 0]), /not a permutation/);
  assert.throws(() => ones([0]).min(), /zero-size array to reduction operation min/);
});

test("broadcasting, slicing, reshape, creation", () => {
  assert.throws(() => ones([2, 3]).add(ones([4])), /could not be broadcast together with shapes \[2, 3\] \[4\]/);
  assert.throws(() => ones([4]).slice(4), /index 4 is out of bounds for axis 0 with size 4/);
  assert.throws(() => ones([4]).slice([0, 4, 0]), /step cannot be zero/);
  assert.throws(() => ones([4]).slice("0:2, 1"), /2 indices for an array with 1 axes/);
  assert.throws(() => ones([6]).reshape(4, 2), /cannot reshape an array of shape \[6\]/);
  assert.throws(() => ones([6]).reshape(-1, -1), /only one dimension can be -1/);
  assert.throws(() => fromArray([[1, 2], [3]]), /nested arrays must be rectangular/);
  assert.throws(() => fromArray(new Float64Array(6), { shape: [4] }), /shape \[4\] needs 4 elements, the typed array has 6/);
  assert.throws(() => arange(0, 10, 0), /step cannot be zero/);
  assert.throws(() => linspace(0, 1, -1), /num -1 must be a non-negative integer/);
  assert.throws(() => full([2], "x" as never), /fill value must be a number or boolean/);
  assert.throws(() => random.integers(5, 5, { shape: [2] }), /need integers low < high/);
  assert.throws(() => random.normal(0, -1, { shape: [2] }), /scale: -1 is negative/);
});
