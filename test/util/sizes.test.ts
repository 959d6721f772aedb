import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseBytes, formatBytes, formatBytesDecimal } from "../../src/util/sizes.js";

test("parseBytes follows dask.utils.parse_bytes", () => {
  const cases: Array<[string | number, number]> = [
    ["120GB", 120e9], ["55.88GiB", Math.floor(55.88 * 2 ** 30)], ["1.5 kB", 1500], ["5kiB", 5120], ["5 KiB", 5120],
    ["100", 100], [100, 100], ["1e3", 1000], ["5G", 5e9], ["5Gi", 5 * 2 ** 30], ["MB", 1e6], ["2 mb", 2e6],
    ["1TB", 1e12], ["1TiB", 2 ** 40], ["1PB", 1e15], ["1PiB", 2 ** 50], ["3B", 3], ["0", 0], [".5MB", 500_000],
    ["28GB", 28e9], ["6.52GiB", Math.floor(6.52 * 2 ** 30)],
  ];
  for (const [s, n] of cases) assert.equal(parseBytes(s), n, String(s));
});

test("parseBytes errors name the value and show what to write", () => {
  assert.throws(() => parseBytes("12XB", "memory"), /^UsageError: memory: '12XB' is not a size \(unknown unit 'XB'\); use e\.g\. '120GB', '55\.88GiB'/);
  assert.throws(() => parseBytes("lots"), /'lots' is not a size/);
  assert.throws(() => parseBytes(""), /'' is not a size/);
  assert.throws(() => parseBytes("1.2.3GB"), /'1\.2\.3GB' is not a size/);
  assert.throws(() => parseBytes(-5), /'-5' is not a size \(must be a finite number ≥ 0\)/);
  assert.throws(() => parseBytes(Number.NaN), /not a size/);
  assert.throws(() => parseBytes("auto", "--memory-limit"), /--memory-limit: 'auto' is not a size/);
});

test("formatBytes matches dask.utils.format_bytes", () => {
  const cases: Array<[number, string]> = [
    [60e9, "55.88 GiB"], [28e9 / 4, "6.52 GiB"], [1, "1 B"], [100, "100 B"], [920, "920 B"], [922, "0.90 kiB"], [1234, "1.21 kiB"],
    [12345678, "11.77 MiB"], [1234567890, "1.15 GiB"], [1234567890123, "1.12 TiB"], [1234567890123456, "1.10 PiB"],
    [0, "0 B"],
  ];
  for (const [n, s] of cases) assert.equal(formatBytes(n), s, String(n));
  assert.equal(formatBytes(60e9).replace(" ", ""), "55.88GiB"); // as jobqueue writes --memory-limit
  assert.equal(formatBytesDecimal(360e9), "360.00 GB");
  assert.equal(formatBytesDecimal(1.5e12), "1.50 TB");
  assert.equal(formatBytesDecimal(512), "512 B");
});

test("formatBytes round-trips through parseBytes within rounding", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1024, max: 2 ** 52 }), (n) => {
      const back = parseBytes(formatBytes(n));
      return Math.abs(back - n) / n < 0.01;
    }),
  );
});
