// Shared by the real-SLURM tests: require a running SLURM (never pass silently without one), and
// small helpers around squeue.
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const START = "sudo bash scripts/slurm-dev-cluster.sh up";

/** Fails the test (loudly, with the command to start one) when no SLURM answers. */
export function requireSlurm(): void {
  const r = spawnSync("sinfo", ["-h", "-o", "%P %a"], { encoding: "utf8", timeout: 15_000 });
  const ok = r.status === 0 && /\bup\b/.test(r.stdout ?? "");
  if (ok) return;
  const why = r.error ? String(r.error.message) : (r.stderr || r.stdout || `exit ${r.status}`).trim();
  assert.fail(
    `these tests need a running SLURM (${process.env["REQUIRE_SLURM"] === "1" ? "REQUIRE_SLURM=1 is set" : "none answered"}): ` +
      `sinfo said: ${why}\nStart the local development cluster with:\n  ${START}`,
  );
}

/** States of these job ids as squeue lists them now (ended ones included while SLURM remembers them). */
export function squeueStates(ids: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  const text = execFileSync("squeue", ["-h", "-t", "all", "-o", "%i %T %r"], { encoding: "utf8" });
  for (const line of text.split("\n")) {
    const [id, state, reason] = line.trim().split(/\s+/);
    if (id && ids.includes(id)) out.set(id, reason && reason !== "None" ? `${state} ${reason}` : state!);
  }
  return out;
}

const LIVE = /^(PENDING|RUNNING|CONFIGURING|COMPLETING|SUSPENDED)/;

/** Ids among these that still occupy the queue (pending, running, completing). */
export function liveJobs(ids: readonly string[]): string[] {
  return [...squeueStates(ids)].filter(([, s]) => LIVE.test(s)).map(([id]) => id);
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A log directory for one test's jobs, removed when the test process exits. */
export function tempLogDir(prefix = "tessera-slurm-logs-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Job output of this test process (else SLURM writes slurm-<id>.out into the working directory). */
const LOGS = tempLogDir();

/** Small jobs for tests: short walltime, quick polling, output in a temporary directory. */
export const SMALL = {
  logDirectory: LOGS,
  cores: 1,
  processes: 1,
  memory: "200MB",
  queue: "debug",
  walltime: "00:05:00",
  deathTimeout: 5,
  pollInterval: 0.25,
  siteConfig: false,
} as const;

const FIXTURE = fileURLToPath(new URL("./fixtures/client.js", import.meta.url));

/** Starts test/slurm/fixtures/client.js; `ready` resolves with its job ids once it has scaled. */
export function startClient(args: string[]): { child: ChildProcess; ready: Promise<{ jobIds: string[]; schedulerAddress: string }>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [FIXTURE, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FIXTURE_LOG_DIR: LOGS } });
  let out = "";
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  const ready = new Promise<{ jobIds: string[]; schedulerAddress: string }>((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve(JSON.parse(line));
    });
    child.on("exit", (code) => reject(new Error(`client exited (${code}) before it was ready: ${err}`)));
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code, sig) => r(code ?? (sig ? -1 : null))));
  return { child, ready, exited };
}


/**
 * Samples per second one core draws for the π kernel, measured on the cluster with one chunk; the
 * kernels keep getting faster, so tests size their work in seconds, not samples.
 */
export async function samplesPerCoreSecond(piOf: (samples: number, chunk: number) => Promise<number>): Promise<number> {
  await piOf(10_000_000, 10_000_000); // warm-up: the first call compiles the fused kernel
  const n = 100_000_000;
  const t0 = performance.now();
  await piOf(n, n);
  return n / ((performance.now() - t0) / 1000);
}

function lockHolderAlive(LOCK_DIR: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(LOCK_DIR, "pid"), "utf8"));
  } catch {
    // Just created, pid not written yet; a lock without a pid for 10 s is stale.
    try {
      return Date.now() - statSync(LOCK_DIR).mtimeMs < 10_000;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * SLURM test files take turns (the test runner runs files in parallel): they share one node's 8
 * CPUs, and tests that check RUNNING/PENDING states need to know what else is queued. Held until
 * this process exits; a holder that died is detected by its pid.
 */
export async function lockSlurmTests(): Promise<void> {
  await lockTestFiles("tessera-slurm-tests");
}

/** One test file at a time among those taking the lock `name` (a batch system's few CPUs); see above. */
export async function lockTestFiles(name: string): Promise<void> {
  const LOCK_DIR = join(tmpdir(), `${name}.lock`);
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(join(LOCK_DIR, "pid"), String(process.pid));
      process.on("exit", () => rmSync(LOCK_DIR, { recursive: true, force: true }));
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      if (!lockHolderAlive(LOCK_DIR)) rmSync(LOCK_DIR, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
}
