// examples/climatology.ts on the real SLURM (2 one-worker jobs), tiny data on the shared
// filesystem (one node here: /tmp), checked against NumPy.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAgainstNumpy, makeClimateData, runClimatology } from "../io/climatology-run.js";
import { tempDir } from "../io/python.js";
import { lockSlurmTests, requireSlurm } from "./helpers.js";

await lockSlurmTests();
const { dir, cleanup } = tempDir("climatology-slurm");
after(cleanup);

test("the climatology example runs on SLURMCluster and matches NumPy", async () => {
  requireSlurm();
  makeClimateData(dir);
  // cwd: SLURM writes the jobs' output files there.
  const r = await runClimatology(dir, ["--slurm", "--queue", "debug", "--memory", "1GB"], dir);
  assert.equal(r["cluster"], "slurm");
  checkAgainstNumpy(dir);
});
