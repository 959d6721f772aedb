// Index-determined random numbers: the generator SPEC (src/array/random/stream.ts) checked against
// an independent BigInt transcription, the WebAssembly path against the JS reference, and the
// public fill functions' contracts (chunking independence, parameters, validation).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  BLOCK_SIZE, fillIntegers, fillNormal, fillRand, fillRandom, fillUniform, fillUnit, fillUnitReference, normalizeSeed, seedKey,
} from "../../src/array/random/index.js";
import { fillUnitWasm, wasmUnitAvailable } from "../../src/array/random/wasm-unit.js";

const M64 = (1n << 64n) - 1n;
const G = 0x9e3779b97f4a7c15n;

/** The SPEC, transcribed literally with BigInt: U(i) for key K. */
function specU(K: bigint, i: number): number {
  const mix = (z: bigint): bigint => {
    z &= M64;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
    return z ^ (z >> 31n);
  };
  const b = BigInt(Math.floor(i / 1024));
  const l = BigInt(i % 8);
  const n = Math.floor((i % 1024) / 8);
  const k = 8n * b + l;
  const s = [0n, 1n, 2n, 3n].map((w) => mix((K + (4n * k + w + 1n) * G) & M64));
  let r = 0n;
  for (let step = 0; step <= n; step++) {
    r = (s[0]! + s[3]!) & M64;
    const t = (s[1]! << 17n) & M64;
    s[2]! ^= s[0]!; s[3]! ^= s[1]!; s[1]! ^= s[2]!; s[0]! ^= s[3]!; s[2]! ^= t;
    s[3] = ((s[3]! << 45n) | (s[3]! >> 19n)) & M64;
  }
  return Number(r >> 12n) * 2 ** -52;
}

test("normalizeSeed: spellings, idempotence, fresh seeds, bad values", () => {
  assert.equal(normalizeSeed(42), "000000000000002a");
  assert.equal(normalizeSeed(42n), "000000000000002a");
  assert.equal(normalizeSeed("42"), "000000000000002a");
  assert.equal(normalizeSeed("00000000DEADBEEF"), "00000000deadbeef");
  assert.equal(normalizeSeed(normalizeSeed("hello")), normalizeSeed("hello"));
  assert.notEqual(normalizeSeed("hello"), normalizeSeed("hellp"));
  assert.equal(normalizeSeed(2n ** 64n - 1n), "ffffffffffffffff");
  const a = normalizeSeed(), b = normalizeSeed();
  assert.match(a, /^[0-9a-f]{16}$/);
  assert.notEqual(a, b);
  assert.throws(() => normalizeSeed(-1), /seed: -1 is not a non-negative safe integer/);
  assert.throws(() => normalizeSeed(1.5), /seed: 1.5/);
  assert.throws(() => normalizeSeed(2n ** 64n), /outside 0..2\^64-1/);
  assert.throws(() => normalizeSeed({} as unknown as string), /expected a number, bigint or string/);
  assert.equal(seedKey(7), 7n);
});

test("reference generator matches a literal BigInt transcription of the SPEC", () => {
  for (const K of [0n, 1n, 0xdeadbeefn, M64]) {
    const idx = [0, 1, 7, 8, 9, 100, 1023, 1024, 1025, 8191, 65535, 65536, 65537, 3 * 65536 + 12345, 2 ** 40 + 3];
    for (const i of idx) {
      const out = new Float64Array(1);
      fillUnitReference(K, i, out);
      assert.equal(out[0], specU(K, i), `K=${K} i=${i}`);
    }
  }
});

test("WebAssembly generator is bit-identical to the reference over seeds, offsets, lengths", () => {
  assert.ok(wasmUnitAvailable(), "WebAssembly SIMD is expected on Node 20");
  let rng = 12345;
  const next = (m: number): number => { rng = (rng * 1103515245 + 12345) % 2147483648; return rng % m; };
  const cases: [number, number][] = [[0, 1], [0, 8], [3, 5], [65530, 20], [65536 - 8, 16], [BLOCK_SIZE * 5 + 1, 200_001], [2 ** 45 + 7, 999]];
  for (let k = 0; k < 40; k++) cases.push([next(4 * BLOCK_SIZE), 1 + next(100_000)]);
  for (const [start, n] of cases) {
    const key = BigInt(next(1_000_000)) * 0x100000001n;
    const a = new Float64Array(n), b = new Float64Array(n + 3);
    fillUnitReference(key, start, a);
    assert.ok(fillUnitWasm(key, start, b, 3, n));
    for (let j = 0; j < n; j++) if (a[j] !== b[j + 3]) assert.fail(`key=${key} start=${start} n=${n}: element ${j} differs`);
  }
});

test("values depend only on (seed, index): any chunking gives the same array", () => {
  const n = 3 * BLOCK_SIZE + 77;
  const whole = new Float64Array(n);
  fillRandom("chunking", 1000, whole);
  for (const piece of [1, 3, 7, 4096, 10_000, 65536, 70_001]) {
    const parts = new Float64Array(n);
    for (let s = 0; s < n; s += piece) fillRandom("chunking", 1000 + s, parts.subarray(s, Math.min(n, s + piece)));
    assert.deepEqual(parts, whole, `piece ${piece}`);
  }
  const normal = new Float64Array(1001);
  fillNormal(5, 99, normal, 1, 2);
  const tail = new Float64Array(500);
  fillNormal(5, 100, tail, 1, 2); // starts at an even index where `normal` started odd
  assert.deepEqual(tail, normal.subarray(1, 501));
});

test("uniform, random, integers: formulas, dtypes and ranges", () => {
  const u = new Float64Array(10_000);
  fillUnit(seedKey("f"), 50, u);
  const x = new Float64Array(10_000);
  fillUniform("f", 50, x, -3, 5);
  for (let j = 0; j < u.length; j++) assert.equal(x[j], -3 + 8 * u[j]!);
  const r = new Float64Array(10_000);
  fillRandom("f", 50, r);
  assert.deepEqual(r, u);
  const f32 = new Float32Array(10_000);
  fillUniform("f", 50, f32, -3, 5);
  for (let j = 0; j < u.length; j++) assert.equal(f32[j], Math.fround(x[j]!));
  const ints = new Int32Array(10_000);
  fillIntegers("f", 50, ints, -5, 7);
  const seen = new Set<number>();
  for (let j = 0; j < ints.length; j++) {
    assert.equal(ints[j], -5 + Math.floor(12 * u[j]!));
    seen.add(ints[j]!);
  }
  assert.equal(seen.size, 12);
  const viaSpec = new Float64Array(100);
  fillRand({ dist: "integers", seed: normalizeSeed("f"), a: -5, b: 7 }, 50, viaSpec);
  assert.deepEqual(Array.from(viaSpec), Array.from(ints.subarray(0, 100)));
});

test("bad parameters are rejected with the value named", () => {
  assert.throws(() => fillUniform(1, 0, new Float64Array(1), 0, Infinity), /high: Infinity is not a finite number/);
  assert.throws(() => fillIntegers(1, 0, new Int32Array(1), 3, 3), /need integers low < high, got low=3, high=3/);
  assert.throws(() => fillIntegers(1, 0, new Int32Array(1), 0, 2 ** 40), /does not fit int32/);
  assert.throws(() => fillNormal(1, 0, new Float64Array(1), 0, -1), /std: -1 is negative/);
  assert.throws(() => fillRandom(1, -1, new Float64Array(1)), /start: -1 is not a non-negative integer/);
  assert.throws(() => fillUniform(1, 0, [] as unknown as Float64Array), /out: expected a Float64Array or Float32Array/);
});

test("strided and backward access (the generator steps forward within a block, reseeds otherwise)", () => {
  const key = seedKey("strided");
  const n = 2 * BLOCK_SIZE + 100;
  const ref = new Float64Array(n);
  fillUnitReference(key, 10, ref);
  const one = new Float64Array(3);
  // a column of a matrix with rows of 7: runs of 3 with gaps of 4, forwards across blocks
  for (let s = 0; s + 3 <= n; s += 7) {
    fillUnit(key, 10 + s, one);
    for (let j = 0; j < 3; j++) if (one[j] !== ref[s + j]) assert.fail(`forward run at ${s}`);
  }
  // backwards: each call jumps behind the previous one
  for (let s = n - 3; s >= 0; s -= 4099) {
    fillUnit(key, 10 + s, one);
    for (let j = 0; j < 3; j++) if (one[j] !== ref[s + j]) assert.fail(`backward run at ${s}`);
  }
});

test("rows of N-D chunks: runs starting anywhere in a block (SIMD skip-ahead) equal the reference", () => {
  const key = seedKey("rows");
  const width = 5 * BLOCK_SIZE + 333; // rows start at every offset within a block
  const ref = new Float64Array(40 * width);
  fillUnitReference(key, 0, ref);
  // gaps of 100 (stepped lane by lane), of > 1 block (reseed + skip) and row lengths of 1..2000
  for (const [rowLen, stride] of [[2000, width], [17, 117], [1, 9], [BLOCK_SIZE - 1, width], [300, 700]] as const) {
    for (let r = 0; r * stride + rowLen <= ref.length; r += 1) {
      const row = new Float64Array(rowLen);
      fillUnit(key, r * stride, row);
      for (let j = 0; j < rowLen; j++) if (row[j] !== ref[r * stride + j]) assert.fail(`row ${r} (len ${rowLen}, stride ${stride}) element ${j}`);
    }
  }
});
