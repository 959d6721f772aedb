// The kernel under Debian's jupyter_client: `tessera kernel install` makes `jupyter kernelspec list`
// show it; an interrupt during a long computation cancels its futures and the kernel stays usable; a
// restart closes the notebook's clusters (no worker process, no SLURM job left).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { isAlive } from "../fixtures/cluster.js";
import { liveJobs, lockSlurmTests, requireSlurm, tempLogDir, waitFor } from "../slurm/helpers.js";
import { PYTHON, installKernel, repo, requireJupyter } from "./jupyter.js";

// The restart case submits a SLURM job: one SLURM test file at a time (see test/slurm/helpers.ts).
await lockSlurmTests();

const DRIVER = join(repo, "test/notebook/fixtures/kernel_driver.py");

interface CellRun {
  status: string;
  ename: string | null;
  text: string;
  /** display_data / update_display_data messages that carried a display id. */
  displays: { type: string; id: string; text: string }[];
}

async function drive(kind: "interrupt" | "restart", env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  const child = spawn(PYTHON, [DRIVER, kind], { env, cwd: tempLogDir(), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  assert.equal(code, 0, `kernel driver (${kind}) failed:\n${out}\n${err}`);
  const line = out.trim().split("\n").pop()!;
  return JSON.parse(line) as Record<string, unknown>;
}

test("tessera kernel install: jupyter kernelspec list shows the kernel", () => {
  requireJupyter();
  const { env, specFile } = installKernel();
  const r = spawnSync("jupyter", ["kernelspec", "list"], { env, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\s*tessera\s+\S+\/share\/jupyter\/kernels\/tessera$/m);
  const bad = spawnSync(process.execPath, [join(repo, "dist/src/cli/main.js"), "kernel", "install", "--usr"], { encoding: "utf8" });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown option '--usr' \(did you mean --user\?\)/);
  assert.ok(specFile.endsWith("kernel.json"));
});

test("an interrupt during a long computation cancels it; the kernel stays usable", async () => {
  requireJupyter();
  const { env } = installKernel();
  const seen = await drive("interrupt", env);
  assert.equal((seen["setup"] as CellRun).text, "2", "the cell's LocalCluster has 2 workers");
  const long = seen["long"] as CellRun;
  assert.equal(long.status, "error");
  assert.equal(long.ename, "KeyboardInterrupt");
  assert.ok((seen["interruptSeconds"] as number) < 15, `the cell ended ${seen["interruptSeconds"]} s after it started (interrupt at 3 s; the work takes ~50 s)`);
  const after = JSON.parse((seen["after"] as CellRun).text) as { statuses: string[]; notInMemory: number; inMemory: number; finishedFutures: number };
  assert.ok(after.statuses.includes("cancelled"), `futures were cancelled: ${after.statuses}`);
  assert.ok(after.finishedFutures < 40, `most of the 200 tasks never ran (${after.finishedFutures} finished)`);
  assert.equal(after.notInMemory, 0, "the scheduler forgot every cancelled task");
  assert.equal(after.inMemory, after.finishedFutures, "only results still held by the notebook stay");
  assert.equal((seen["usable"] as CellRun).text, "42");
  assert.match((seen["sum"] as CellRun).text, /1000$/);

  // Live progress: one display, then updates in place with the same display id, counting every task.
  const progress = (seen["progress"] as CellRun).displays;
  assert.equal(progress[0]!.type, "display_data");
  assert.ok(progress.slice(1).every((d) => d.type === "update_display_data" && d.id === progress[0]!.id));
  const counts = progress.map((d) => /\| (\d+)\/(\d+) tasks \|/.exec(d.text) ?? assert.fail(`not a task count: ${d.text}`));
  const total = Number(counts[0]![2]);
  assert.ok(total > 200, `all tasks of the graph (200 chunks and the reduction): ${total}`);
  const done = counts.map((m) => Number(m[1]));
  assert.equal(done[0], 0);
  assert.equal(done[done.length - 1], total);
  assert.ok(done.some((d) => d > 0 && d < total), `updates while it ran: ${done.join(" ")}`);
  for (let i = 1; i < done.length; i++) assert.ok(done[i]! >= done[i - 1]!, "the count never goes back");
});

test("a restart closes the notebook's clusters: no worker process, no SLURM job left", async () => {
  requireJupyter();
  requireSlurm();
  const { env } = installKernel();
  const seen = await drive("restart", { ...env, KERNEL_TEST_LOGS: tempLogDir() });
  const setup = seen["setup"] as CellRun;
  assert.equal(setup.status, "ok", setup.text);
  const { pids, jobs } = JSON.parse(setup.text) as { pids: number[]; jobs: string[] };
  assert.equal(pids.length, 2);
  assert.equal(jobs.length, 1);
  for (const pid of pids) assert.equal(isAlive(pid), false, `LocalCluster worker ${pid} outlived the restart`);
  await waitFor(`job ${jobs[0]} to leave the queue`, () => liveJobs(jobs).length === 0, 10_000);
  assert.equal((seen["afterRestart"] as CellRun).text, "undefined 2", "a fresh kernel: no old names, computes");
  assert.ok((seen["restartSeconds"] as number) < 30);
});
