// Same seed → bit-identical arrays and π, whatever the chunking.
import { test } from "node:test";
import assert from "node:assert/strict";
import { random, default_rng, RandomState, NDArray } from "../../src/array/index.js";

const hex = (x: unknown): string => {
  assert.ok(x instanceof NDArray);
  return Buffer.from(x.data.buffer, x.data.byteOffset, x.data.byteLength).toString("hex");
};

test("uniform/normal/integers/random: same seed, different chunkings → identical arrays", async () => {
  for (const make of [
    (c: number[]) => random.uniform(-2, 5, { shape: [300, 7], chunks: c, seed: 11 }),
    (c: number[]) => random.normal(1, 3, { shape: [300, 7], chunks: c, seed: 11 }),
    (c: number[]) => random.integers(0, 1000, { shape: [300, 7], chunks: c, seed: 11 }),
    (c: number[]) => random.random({ shape: [300, 7], chunks: c, seed: 11, dtype: "float32" }),
  ]) {
    const a = hex(await make([300, 7]).compute());
    assert.equal(hex(await make([17, 3]).compute()), a);
    assert.equal(hex(await make([64, 7]).compute()), a);
  }
});

test("different seeds differ; no seed gives fresh draws", async () => {
  const a = hex(await random.uniform(0, 1, { shape: [50], seed: 1 }).compute());
  assert.notEqual(hex(await random.uniform(0, 1, { shape: [50], seed: 2 }).compute()), a);
  assert.notEqual(hex(await random.uniform(0, 1, { shape: [50] }).compute()), hex(await random.uniform(0, 1, { shape: [50] }).compute()));
});

test("π is bit-identical for 1, 3 and 8 chunks", async () => {
  const pi = (rows: number) => random.uniform(0, 1, { shape: [240000, 2], chunks: [rows, 2], seed: 2026 }).pow(2).sum({ axis: -1 }).lt(1).mean().mul(4).compute();
  const one = await pi(240000);
  assert.ok(Object.is(await pi(80000), one));
  assert.ok(Object.is(await pi(30000), one));
  assert.ok(Math.abs((one as number) - Math.PI) < 0.02);
});

test("generators: reproducible streams, successive calls differ", async () => {
  const g1 = default_rng(5), g2 = default_rng(5);
  const [a1, a2] = [hex(await g1.uniform(0, 1, { shape: [20] }).compute()), hex(await g1.uniform(0, 1, { shape: [20] }).compute())];
  assert.notEqual(a1, a2);
  assert.equal(hex(await g2.uniform(0, 1, { shape: [20] }).compute()), a1);
  const rs = new RandomState(5);
  assert.equal(hex(await rs.uniform(0, 1, { shape: [20] }).compute()), a1);
  const ints = await default_rng(9).integers(10, { shape: [1000] }).compute();
  assert.ok(ints instanceof NDArray && ints.dtype === "int64");
  for (let i = 0; i < ints.size; i++) assert.ok((ints.flat(i) as number) >= 0 && (ints.flat(i) as number) < 10);
});
