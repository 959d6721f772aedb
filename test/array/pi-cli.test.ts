// `tessera pi`: the tutorial's output layout and a small run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatPiStats, runPi, piCommand } from "../../src/cli/pi.js";

test("formatPiStats reproduces the tutorial's print_pi_stats layout", () => {
  // From the tutorial: 1.0 GB / MC pi: 3.14163468800 / Err: 4.203e-05 / Workers: 3 / Time: 1.156s
  const pi = 3.141634688;
  assert.equal(
    formatPiStats(1e9, pi, 1.156, 3),
    "1.0 GB\n\tMC pi:  3.14163468800\tErr:  4.203e-05\n\tWorkers: 3\t\tTime:   1.156s",
  );
  assert.equal(formatPiStats(1000e9, 3.14158967315, 25.888, 9).split("\n")[2], "\tWorkers: 9\t\tTime:  25.888s");
  assert.match(formatPiStats(0.5e9, 3, 0.1, 1), /^0\.5 GB\n/);
});

test("runPi in-process: π close to Math.PI, one line block per size", async () => {
  const lines: string[] = [];
  const r = await runPi({ sizesGB: [0.01, 0.02], chunkBytes: 4e6, inProcess: true, seed: 3, progress: false, out: (s) => lines.push(s) });
  assert.equal(r.length, 2);
  for (const x of r) assert.ok(x.err < 0.01 && x.workers === 1 && x.seconds > 0);
  assert.match(lines[0]!, /^0\.01 GB\n\tMC pi: +3\.\d{11}\tErr: +\d\.\d{3}e-\d\d\n\tWorkers: 1\t\tTime: +\d+\.\d{3}s$/);
});

test("tessera pi rejects bad options with a message", async () => {
  const errs: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((s: string) => { errs.push(String(s)); return true; }) as typeof process.stderr.write;
  try {
    assert.equal(await piCommand(["--sizes", "1,x"]), 2);
    assert.equal(await piCommand(["--workers", "0"]), 2);
    assert.equal(await piCommand(["--frobnicate"]), 2);
  } finally {
    process.stderr.write = orig;
  }
  assert.match(errs.join(""), /--sizes: 'x' is not a positive number of GB/);
  assert.match(errs.join(""), /--workers: '0' is not a whole number/);
  assert.match(errs.join(""), /unknown option '--frobnicate'/);
});
