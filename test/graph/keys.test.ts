import { test } from "node:test";
import assert from "node:assert/strict";
import { tokenize, tokenName } from "../../src/graph/keys.js";
import { blockKey, keyPrefix } from "../../src/graph/spec.js";

test("tokenize is deterministic and independent of object field order", () => {
  assert.equal(tokenize({ a: 1, b: [2, 3] }), tokenize({ b: [2, 3], a: 1 }));
  assert.match(tokenize("x"), /^[0-9a-f]{16}$/);
});

test("tokenize distinguishes values, types and typed-array contents", () => {
  const seen = new Set([
    tokenize(1), tokenize("1"), tokenize(1n), tokenize(true), tokenize(null), tokenize(undefined), tokenize(-0), tokenize(0),
    tokenize([1, 2]), tokenize([[1], 2]), tokenize({ a: 1 }), tokenize(new Float64Array([1, 2])), tokenize(new Float32Array([1, 2])),
    tokenize(new Float64Array([1, 3])), tokenize("a", "b"), tokenize("ab"),
  ]);
  assert.equal(seen.size, 16);
  assert.equal(tokenize(new Int32Array([5, 6])), tokenize(new Int32Array([5, 6])));
});

test("tokenize rejects cycles and symbols with a clear error", () => {
  const o: Record<string, unknown> = {};
  o.self = o;
  assert.throws(() => tokenize(o), /cyclic/);
  assert.throws(() => tokenize(Symbol("s")), /symbol/);
});

test("tokenName builds op-<hash> names whose prefix is the task kind", () => {
  const n = tokenName("sum-aggregate", [1, 2]);
  assert.match(n, /^sum-aggregate-[0-9a-f]{16}$/);
  assert.equal(keyPrefix(blockKey(n, [0, 3])), "sum-aggregate");
  assert.equal(blockKey(n, [0, 3]), `${n}:0,3`);
  assert.throws(() => tokenName("bad name", 1), /prefix 'bad name'/);
});
