// Statistical checks of the index-determined generator at fixed seeds (so results are
// deterministic): moments, goodness of fit, and independence between blocks, lanes and seeds.
// Thresholds are far-tail quantiles (about 1e-4 or rarer for a good generator).
import { test } from "node:test";
import assert from "node:assert/strict";
import { BLOCK_SIZE, fillNormal, fillRandom, fillUniform } from "../../src/array/random/index.js";

const N = 1_000_000;

function meanVar(x: Float64Array): [number, number] {
  let s = 0;
  for (const v of x) s += v;
  const m = s / x.length;
  let q = 0;
  for (const v of x) q += (v - m) ** 2;
  return [m, q / (x.length - 1)];
}

function correlation(a: Float64Array, b: Float64Array): number {
  const [ma, va] = meanVar(a);
  const [mb, vb] = meanVar(b);
  let c = 0;
  for (let i = 0; i < a.length; i++) c += (a[i]! - ma) * (b[i]! - mb);
  return c / (a.length - 1) / Math.sqrt(va * vb);
}

/** Normal CDF from erfc (Numerical Recipes Chebyshev fit, |error| < 1.2e-7). */
function normCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const y = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return z >= 0 ? 1 - y / 2 : y / 2;
}

test("uniform(0, 1): mean, variance, chi-square on 1000 bins, range", () => {
  const x = new Float64Array(N);
  fillRandom(20261126, 0, x);
  const [m, v] = meanVar(x);
  // standard errors: mean 0.289/sqrt(N) = 2.9e-4; variance ~ 0.0745/sqrt(N) * ... ≈ 7.5e-5
  assert.ok(Math.abs(m - 0.5) < 5 * 2.9e-4, `mean ${m}`);
  assert.ok(Math.abs(v - 1 / 12) < 5 * 7.5e-5, `variance ${v}`);
  const bins = new Float64Array(1000);
  for (const u of x) {
    assert.ok(u >= 0 && u < 1);
    bins[Math.floor(u * 1000)]!++;
  }
  const e = N / 1000;
  let chi = 0;
  for (const o of bins) chi += (o - e) ** 2 / e;
  // chi-square with 999 dof: mean 999, sd 44.7; 1e-4 tails at about ±3.9 sd
  assert.ok(chi > 999 - 4 * 44.7 && chi < 999 + 4 * 44.7, `chi-square ${chi}`);
});

test("uniform(low, high) moments", () => {
  const x = new Float64Array(N);
  fillUniform("moments", 12345, x, -2, 6);
  const [m, v] = meanVar(x);
  assert.ok(Math.abs(m - 2) < 5 * (8 / Math.sqrt(12 * N)), `mean ${m}`);
  assert.ok(Math.abs(v - 64 / 12) < 0.03, `variance ${v}`);
});

test("normal(mean, std): moments and Kolmogorov–Smirnov against the normal CDF", () => {
  const n = 200_000;
  const x = new Float64Array(n);
  fillNormal(7, 3, x, 10, 2);
  const [m, v] = meanVar(x);
  assert.ok(Math.abs(m - 10) < 5 * 2 / Math.sqrt(n), `mean ${m}`);
  assert.ok(Math.abs(v - 4) < 5 * 4 * Math.sqrt(2 / n), `variance ${v}`);
  const z = Float64Array.from(x, (t) => (t - 10) / 2).sort();
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = normCdf(z[i]!);
    d = Math.max(d, Math.abs(f - i / n), Math.abs((i + 1) / n - f));
  }
  // KS critical value at alpha = 1e-4: sqrt(-ln(alpha/2)/2) / sqrt(n) = 2.23/sqrt(n)
  assert.ok(d < 2.23 / Math.sqrt(n), `KS statistic ${d}`);
  // tails: fraction beyond 3 sd ≈ 0.0027
  const beyond = z.filter((t) => Math.abs(t) > 3).length / n;
  assert.ok(Math.abs(beyond - 0.0027) < 0.0006, `P(|Z| > 3) = ${beyond}`);
});

test("independence: adjacent blocks, lanes within a block, neighbouring seeds", () => {
  // 64 blocks at a time: element j of block b + k is paired with element j of block b + k + 1,
  // so the statistic covers 64 K pairs of values drawn from neighbouring streams.
  const n = 64 * BLOCK_SIZE;
  const threshold = 5 / Math.sqrt(n); // 5 sd of a null correlation
  const a = new Float64Array(n), b = new Float64Array(n);
  for (const block of [0, 1, 1000, 2 ** 30]) {
    fillRandom(99, block * BLOCK_SIZE, a);
    fillRandom(99, (block + 1) * BLOCK_SIZE, b);
    assert.ok(Math.abs(correlation(a, b)) < threshold, `blocks ${block}, ${block + 1}`);
    // lag-1 within a block crosses lanes (element i in lane i%8, i+1 in the next lane)
    assert.ok(Math.abs(correlation(a.subarray(0, -1), a.subarray(1))) < threshold, `lag 1 from block ${block}`);
    assert.ok(Math.abs(correlation(a.subarray(0, -8), a.subarray(8))) < threshold, `lag 8 (same lane) from block ${block}`);
    // the first outputs of every lane, right after seeding, across 64 blocks
    const firsts = (x: Float64Array): Float64Array => x.filter((_, i) => i % BLOCK_SIZE < 8);
    assert.ok(Math.abs(correlation(firsts(a), firsts(b))) < 5 / Math.sqrt(64 * 8), `first outputs, blocks from ${block}`);
  }
  for (const [s, t] of [[0, 1], [41, 42], ["a", "b"]] as const) {
    fillRandom(s, 0, a);
    fillRandom(t, 0, b);
    assert.ok(Math.abs(correlation(a, b)) < threshold, `seeds ${s}, ${t}`);
  }
  // Pairs (x, y) as the π computation draws them: the fraction inside the unit circle.
  const xy = new Float64Array(2 * 500_000);
  fillRandom(1234, 0, xy);
  let inside = 0;
  for (let i = 0; i < xy.length; i += 2) if (xy[i]! ** 2 + xy[i + 1]! ** 2 < 1) inside++;
  const p = inside / 500_000;
  assert.ok(Math.abs(p - Math.PI / 4) < 5 * Math.sqrt((0.785 * 0.215) / 500_000), `P(inside) = ${p}`);
});
