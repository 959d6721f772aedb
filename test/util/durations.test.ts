import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDuration, formatClock } from "../../src/util/durations.js";

test("parseDuration reads Dask and SLURM forms as seconds", () => {
  const cases: Array<[string | number, number]> = [
    ["5s", 5], ["55m", 3300], ["1h", 3600], ["100ms", 0.1], ["2d", 172800], ["1w", 604800], ["250us", 0.00025],
    ["1.5 hours", 5400], ["3 minutes", 180], ["10 seconds", 10], ["60", 60], [60, 60], [0.5, 0.5],
    ["00:30:00", 1800], ["10:00", 600], ["01:02:03", 3723], ["1-00:00:00", 86400], ["2-12", 2 * 86400 + 12 * 3600],
    ["1-02:30", 86400 + 2 * 3600 + 30 * 60], ["4m", 240],
  ];
  for (const [s, n] of cases) assert.ok(Math.abs(parseDuration(s) - n) < 1e-9, `${String(s)} → ${parseDuration(s)}, expected ${n}`);
});

test("parseDuration errors name the value and show what to write", () => {
  assert.throws(() => parseDuration("5 fortnights", "--lifetime"), /^UsageError: --lifetime: '5 fortnights' is not a duration \(unknown unit 'fortnights'\); use e\.g\. '5s', '55m'/);
  assert.throws(() => parseDuration("soon"), /'soon' is not a duration/);
  assert.throws(() => parseDuration(""), /'' is not a duration \(empty\)/);
  assert.throws(() => parseDuration("1:2:3:4"), /clock form/);
  assert.throws(() => parseDuration(-1), /must be a finite number ≥ 0/);
  assert.throws(() => parseDuration("x-01:00"), /is not a duration/);
});

test("formatClock writes SLURM's HH:MM:SS", () => {
  assert.equal(formatClock(1800), "00:30:00");
  assert.equal(formatClock(3723.2), "01:02:04");
  assert.equal(formatClock(100 * 3600), "100:00:00");
});
