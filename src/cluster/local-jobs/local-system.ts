/**
 * A batch system made of this machine's processes, as data like the others: each job script runs as
 * its own session (`setsid`), under `timeout <walltime>`; its id is the session leader's pid; cancel
 * signals the session; `ps` is the queue. It lets cluster code (scale, adapt, lifetime, the job table)
 * run anywhere, and tests the job-queue machinery without a batch system.
 */
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BatchSystem, JobState, JobStatusRow } from "../jobqueue/batch-system.js";
import type { ResolvedJobOptions } from "../jobqueue/options.js";

/** Where jobs write their output when no logDirectory is set. */
export const LOCAL_JOB_LOGS = join(tmpdir(), "tessera-local-jobs");

const logDir = (o: ResolvedJobOptions, base = process.cwd()) => (o.logDirectory === undefined ? LOCAL_JOB_LOGS : resolve(base, o.logDirectory));

// $0 script, $1 log directory, $2 walltime in seconds (0 = none). The inner shell's pid is the job id:
// setsid does not fork for a process that is not a group leader, and exec keeps the pid.
const SUBMIT = [
  'mkdir -p "$1"',
  'setsid sh -c \'exec > "$1/local-job-$$.out" 2>&1; if [ "$2" -gt 0 ]; then exec timeout -s TERM "$2" bash "$0"; else exec bash "$0"; fi\' "$0" "$1" "$2" < /dev/null &',
  'echo "LOCAL_JOB_ID=$!"',
].join("\n");

const CANCEL = 'for p in "$@"; do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null; done; true';

/** ps STAT → state: Z (exited, not yet reaped) counts as completed; T as suspended. */
function psState(stat: string): JobState {
  if (stat.startsWith("Z")) return "COMPLETED";
  if (stat.startsWith("T")) return "SUSPENDED";
  return "RUNNING";
}

/** `ps -o pid=,stat=,etimes=` rows. */
export function parsePs(stdout: string): JobStatusRow[] {
  const now = Date.now();
  const rows: JobStatusRow[] = [];
  for (const line of stdout.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3 || !/^\d+$/.test(f[0]!)) continue;
    const state = psState(f[1]!);
    rows.push({ jobId: f[0]!, state, reason: undefined, startTimeMs: now - Number(f[2]) * 1000, timeLeftS: undefined });
  }
  return rows;
}

export const localJobs: BatchSystem = {
  name: "local",
  directivePrefix: "#LOCAL",
  headerLines: () => [],
  submitCommand: (scriptPath, o) => ["sh", "-c", SUBMIT, scriptPath, logDir(o), String(o.walltimeS ?? 0)],
  jobIdPattern: /LOCAL_JOB_ID=(?<jobId>\d+)/,
  cancelCommand: (jobIds) => ["sh", "-c", CANCEL, "cancel", ...jobIds],
  statusCommand: (jobIds) => {
    const ids = jobIds.filter((id) => /^\d+$/.test(id));
    // ps exits 1 when none of the pids exists: that is an answer (all ended), not a failure.
    return ["sh", "-c", `ps -o pid=,stat=,etimes= -p ${ids.length > 0 ? ids.join(",") : "0"}; true`];
  },
  parseStatus: parsePs,
  logFiles: (o, jobId, submitDir) => [join(logDir(o, submitDir), `local-job-${jobId}.out`)],
};
