// The tutorial end to end on the real SLURM: runs examples/slurm-tutorial.ts and checks what it saw.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { lockSlurmTests, requireSlurm, tempLogDir } from "./helpers.js";

// One SLURM test file at a time (see helpers.ts).
await lockSlurmTests();

const EXAMPLE = fileURLToPath(new URL("../../examples/slurm-tutorial.js", import.meta.url));

test("examples/slurm-tutorial.ts: job script, scale to 3 jobs / 6 workers, π, PENDING beyond the node, adapt 1–4 jobs", async () => {
  requireSlurm();
  const child = spawn(process.execPath, [EXAMPLE], {
    env: { ...process.env, TUTORIAL_LOG_DIR: tempLogDir(), TUTORIAL_DEATH_TIMEOUT: "5", TUTORIAL_BIG_SECONDS: "24" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  assert.equal(code, 0, `the example failed:\n${out}\n${err}`);
  const lines = out.trim().split("\n");
  const r = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
  assert.match(out, /#SBATCH -p short\n/);
  assert.match(out, /#SBATCH -t 00:10:00\n/);
  assert.match(out, /worker tcp:\/\/\S+ --name SLURMCluster-0 --nthreads 1 --memory-limit 1\.86GiB --nworkers 2 --nanny --death-timeout 5/);
  assert.equal(r["jobScriptHasMem"], true);
  assert.equal(r["workersAtStart"], 0);
  assert.equal(r["runningJobs"], 3);
  assert.equal(r["workersAfterScale"], 6);
  assert.ok(Math.abs((r["pi"] as number) - Math.PI) < 0.01);
  assert.ok((r["pendingReasons"] as string[]).length >= 1, "jobs beyond the node's CPUs wait with a reason");
  assert.equal(r["jobsWhenIdle"], 1);
  assert.ok((r["adaptMaxJobs"] as number) >= 2, `adapt grew under the large π (max ${r["adaptMaxJobs"]} jobs)`);
  assert.ok((r["adaptMaxJobs"] as number) <= 4);
  assert.equal(r["jobsAfterAdapt"], 1);
});
