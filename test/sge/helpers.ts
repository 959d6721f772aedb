// Shared by the real-Grid-Engine tests: require a running SGE (never pass silently without one), and
// helpers around qstat.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { tempLogDir as slurmTempLogDir } from "../slurm/helpers.js";

const START = "sudo bash scripts/sge-dev-cluster.sh up";
export const SGE_ENV = { SGE_ROOT: process.env["SGE_ROOT"] ?? "/var/lib/gridengine", SGE_CELL: process.env["SGE_CELL"] ?? "default" };
// The commands read SGE_ROOT/SGE_CELL; the Debian packages' defaults, unless the caller set others.
Object.assign(process.env, SGE_ENV);

/** Fails the test (loudly, with the command to start one) when no Grid Engine answers. */
export function requireSge(): void {
  const r = spawnSync("qstat", ["-f", "-q", "all.q"], { encoding: "utf8", timeout: 15_000 });
  if (r.status === 0 && /all\.q@/.test(r.stdout ?? "")) return;
  const why = r.error ? String(r.error.message) : (r.stderr || r.stdout || `exit ${r.status}`).trim();
  assert.fail(`these tests need a running Grid Engine (${process.env["REQUIRE_SGE"] === "1" ? "REQUIRE_SGE=1 is set" : "none answered"}): qstat said: ${why}\nStart the local development cluster with:\n  ${START}`);
}

/** State codes (qw, r, …) of these job ids in qstat now; ended jobs are absent. */
export function qstatStates(ids: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const text = execFileSync("qstat", ["-u", "*"], { encoding: "utf8" });
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f[0] && ids.includes(f[0])) out.set(f[0], f[4]!);
  }
  return out;
}

export const liveSgeJobs = (ids: readonly string[]): string[] => [...qstatStates(ids).keys()];

export { waitFor } from "../slurm/helpers.js";

export const tempLogDir = (): string => slurmTempLogDir("tessera-sge-logs-");

/** Small jobs for tests: quick polling, output in a temporary directory. */
export const SMALL_SGE = {
  cores: 1,
  processes: 1,
  memory: "200MB",
  queue: "all.q",
  walltime: "00:05:00",
  deathTimeout: 5,
  pollInterval: 0.25,
  siteConfig: false,
} as const;

/** SGE test files take turns, like the SLURM ones: they share one node's 8 slots. */
export { lockTestFiles } from "../slurm/helpers.js";
