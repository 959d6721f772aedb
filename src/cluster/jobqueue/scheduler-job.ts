/**
 * `schedulerJob: true`: submit the scheduler as a batch job of its own and connect to it outward.
 * The job runs scheduler-job-main.js, which writes its address to a 0600 file in the cluster's work
 * directory (on the shared filesystem, like the secret file the job reads). This waits for that file,
 * failing with the job's log tail if the job ends first.
 */
import { existsSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Security } from "../../protocol/index.js";
import type { Logger } from "../../util/log.js";
import { ENDED_STATES, parseJobId, type BatchSystem } from "./batch-system.js";
import { BatchCommandError, SchedulerJobError } from "./errors.js";
import { jobEnvironment } from "./job-env.js";
import type { ResolvedJobOptions } from "./options.js";
import { connectRemoteScheduler } from "./remote-scheduler.js";
import { checkResult, runCommandSync, type CommandRunner } from "./run-command.js";
import type { SchedulerPort } from "./scheduler-port.js";
import type { SchedulerFile } from "./scheduler-job-main.js";
import { renderScriptWithCommand } from "./script.js";

/** The entry point the scheduler job runs. */
export const SCHEDULER_JOB_ENTRY = fileURLToPath(new URL("./scheduler-job-main.js", import.meta.url));

export interface SchedulerJob {
  readonly port: SchedulerPort;
  readonly jobId: string;
  /** `ssh -N -L 8787:<node>:<port> <this host>`: the dashboard from a laptop, through the login node. */
  readonly dashboardTunnel: string | undefined;
  /** Cancel the job and wait (bounded) until the batch system no longer lists it as live. */
  cancel(timeoutMs: number): Promise<void>;
  cancelSync(): void;
}

/** The scheduler job's script: the workers' header and prologue, the scheduler instead of a worker. */
export function schedulerJobScript(system: BatchSystem, opts: ResolvedJobOptions, schedulerFile: string): string {
  const command = [opts.command, SCHEDULER_JOB_ENTRY, "--scheduler-file", schedulerFile];
  if (opts.interface !== undefined) command.push("--interface", opts.interface);
  if (opts.schedulerOptions.dashboardAddress === false) command.push("--dashboard-address", "false");
  return renderScriptWithCommand(system, { ...opts, jobName: `${opts.jobName}-scheduler` }, command.join(" "));
}

export async function startSchedulerJob(o: {
  system: BatchSystem;
  options: ResolvedJobOptions;
  security: Security;
  secretFile: string;
  workDir: string;
  submitDir: string;
  run: CommandRunner;
  pollMs: number;
  log: Logger;
  /** How long to wait for the job to start and write its file (it may queue). */
  timeoutMs: number;
}): Promise<SchedulerJob> {
  const file = join(o.workDir, "scheduler.json");
  const path = join(o.workDir, "scheduler-job.sh");
  await writeFile(path, schedulerJobScript(o.system, o.options, file), { mode: 0o700 });
  const { env, names } = jobEnvironment(o.security, o.secretFile, o.workDir);
  const argv = o.system.submitCommand(path, o.options, names);
  const r = await o.run(argv, { env, timeoutMs: 60_000 });
  checkResult("submitting the scheduler job", argv, r);
  const jobId = parseJobId(o.system, r.stdout);
  if (jobId === undefined) throw new BatchCommandError(`submitting the scheduler job: no job id in: ${r.stdout.trim()}`, argv, r.code, r.stdout, r.stderr);
  o.log.info({ jobId }, "scheduler job submitted");

  const cancelArgv = o.system.cancelCommand([jobId], o.options);
  const isLive = async (): Promise<{ live: boolean; state?: string; reason?: string | undefined }> => {
    const s = await o.run(o.system.statusCommand([jobId]), { timeoutMs: 30_000 });
    if (s.code !== 0) return { live: true };
    const row = o.system.parseStatus(s.stdout).find((x) => x.jobId === jobId);
    if (!row) return { live: false, state: "gone" };
    return { live: !ENDED_STATES.has(row.state), state: row.state, reason: row.reason };
  };
  const cancel = async (timeoutMs: number) => {
    await o.run(cancelArgv, { timeoutMs: 30_000 });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && (await isLive()).live) await new Promise((res) => setTimeout(res, 200));
  };

  const deadline = Date.now() + o.timeoutMs;
  let lastStatusMs = 0;
  try {
    for (;;) {
      if (existsSync(file)) {
        const info = JSON.parse(await readFile(file, "utf8")) as SchedulerFile;
        const port = await connectRemoteScheduler({ address: info.address, dashboardLink: info.dashboardLink, security: o.security });
        const dash = info.dashboardLink ? new URL(info.dashboardLink) : undefined;
        const dashboardTunnel = dash ? `ssh -N -L ${dash.port}:${info.host}:${dash.port} ${hostname()}` : undefined;
        o.log.info({ jobId, address: info.address, dashboardTunnel }, "scheduler job ready");
        return { port, jobId, dashboardTunnel, cancel, cancelSync: () => void runCommandSync(cancelArgv) };
      }
      if (Date.now() - lastStatusMs >= o.pollMs) {
        lastStatusMs = Date.now();
        const st = await isLive();
        if (!st.live) {
          const tail = o.system
            .logFiles({ ...o.options, jobName: `${o.options.jobName}-scheduler` }, jobId, o.submitDir)
            .filter((f) => existsSync(f))
            .map((f) => `\n  last lines of ${f}:\n${readFileSync(f, "utf8").trimEnd().split("\n").slice(-20).map((l) => `    ${l}`).join("\n")}`)
            .join("");
          throw new SchedulerJobError(`the scheduler job ${jobId} ended (${st.state}${st.reason ? `: ${st.reason}` : ""}) before the scheduler started${tail}`);
        }
      }
      if (Date.now() > deadline) {
        throw new SchedulerJobError(`the scheduler job ${jobId} did not start a scheduler within ${Math.round(o.timeoutMs / 1000)} s (still queued?); it was cancelled`);
      }
      await new Promise((res) => setTimeout(res, 100));
    }
  } catch (err) {
    await cancel(10_000).catch(() => undefined);
    throw err;
  }
}
