/** Running batch-system commands (sbatch, squeue, …): argv, no shell, output captured. */
import { execFile, spawnSync } from "node:child_process";
import { BatchCommandError } from "./errors.js";
import { UsageError } from "../../util/errors.js";

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export type CommandRunner = (argv: readonly string[], opts?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }) => Promise<CommandResult>;

/** Runs a command; resolves with its exit code and output (also when it fails), rejects only when it cannot start. */
export const runCommand: CommandRunner = (argv, opts = {}) =>
  new Promise((resolve, reject) => {
    const [file, ...args] = argv;
    if (file === undefined) {
      reject(new UsageError("runCommand: empty command"));
      return;
    }
    execFile(
      file,
      args,
      { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024, encoding: "utf8" },
      (err, stdout, stderr) => {
        if (err && (err as NodeJS.ErrnoException).code === "ENOENT") {
          reject(
            new BatchCommandError(
              `'${file}' was not found on PATH; is this a login node of the batch system? ` +
                `(for a local test cluster run: sudo bash scripts/slurm-dev-cluster.sh up)`,
              argv, null, "", "",
            ),
          );
          return;
        }
        const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : null) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });

/** Synchronous form, for process-exit handlers (the event loop no longer runs there). */
export function runCommandSync(argv: readonly string[], timeoutMs = 10_000): CommandResult {
  const [file, ...args] = argv;
  const r = spawnSync(file ?? "true", args, { encoding: "utf8", timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Throw a BatchCommandError carrying the command's stderr verbatim when it failed. */
export function checkResult(what: string, argv: readonly string[], r: CommandResult): CommandResult {
  if (r.code === 0) return r;
  const out = (r.stderr.trim() || r.stdout.trim() || "(no output)").split("\n").map((l) => `  ${l}`).join("\n");
  throw new BatchCommandError(`${what} failed (exit ${r.code ?? "killed"}): ${argv.join(" ")}\n${out}`, argv, r.code, r.stdout, r.stderr);
}
