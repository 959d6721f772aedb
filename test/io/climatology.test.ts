// examples/climatology.ts on a LocalCluster, on data from scripts/make-climate-data.py (tiny here;
// a few GB in docs/io.md's run), checked against NumPy.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAgainstNumpy, makeClimateData, runClimatology } from "./climatology-run.js";
import { tempDir } from "./python.js";

const { dir, cleanup } = tempDir("climatology");
after(cleanup);

test("the climatology example runs on a LocalCluster and matches NumPy", async () => {
  makeClimateData(dir);
  const r = await runClimatology(dir, [], dir);
  assert.equal(r["cluster"], "local");
  assert.equal(r["netcdfJan"], r["zarrJan"]);
  checkAgainstNumpy(dir);
});

test("the climatology example refuses unknown flags", async () => {
  await assert.rejects(runClimatology(dir, ["--slrum"], dir), /unknown or incomplete flag --slrum/);
});
