/** SLURM as data for the JobQueueCluster machinery: header, sbatch/scancel/squeue and their output. */
import { join, resolve } from "node:path";
import type { BatchSystem, JobState, JobStatusRow } from "../jobqueue/batch-system.js";
import type { ResolvedJobOptions } from "../jobqueue/options.js";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const KiB = 1024;

/** dask-jobqueue's slurm_format_bytes_ceil: SLURM's G/M/K are binary; round up ('120GB' → '112G'). */
export function slurmFormatBytesCeil(n: number): string {
  if (n >= GiB) return `${Math.ceil(n / GiB)}G`;
  if (n >= MiB) return `${Math.ceil(n / MiB)}M`;
  if (n >= KiB) return `${Math.ceil(n / KiB)}K`;
  return "1K";
}

/** SLURM's time forms: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS (and UNLIMITED / INFINITE). */
export function parseSlurmTime(s: string): number | undefined {
  const t = s.trim();
  if (t === "UNLIMITED" || t === "INFINITE" || t === "NOT_SET" || t === "INVALID" || t === "N/A" || t === "") return undefined;
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(t);
  if (!m) return undefined;
  const [, d, a, b, c] = m;
  const n = (x: string | undefined) => (x === undefined ? 0 : Number(x));
  if (d !== undefined) return n(d) * 86400 + n(a) * 3600 + n(b) * 60 + n(c); // D-HH[:MM[:SS]]
  if (c !== undefined) return n(a) * 3600 + n(b) * 60 + n(c); // HH:MM:SS
  if (b !== undefined) return n(a) * 60 + n(b); // MM:SS
  return n(a) * 60; // MM
}

const KNOWN_STATES: ReadonlySet<string> = new Set<JobState>([
  "PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "COMPLETED", "CANCELLED", "FAILED", "TIMEOUT",
  "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE",
]);

/** The squeue format the parser reads: id|state|reason|start|time-left|end. */
export const SQUEUE_FORMAT = "%i|%T|%r|%S|%L|%e";

const SLURM_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/;
const slurmTimeMs = (s: string | undefined): number | undefined => (s !== undefined && SLURM_TIME.test(s) ? Date.parse(s) : undefined);

export function parseSqueue(stdout: string): JobStatusRow[] {
  const rows: JobStatusRow[] = [];
  for (const line of stdout.split("\n")) {
    const parts = line.trim().split("|");
    if (parts.length < 5 || !/^\d+(_\d+)?$/.test(parts[0]!)) continue;
    const [jobId, rawState, reason, start, left, end] = parts as [string, string, string, string, string, string | undefined];
    // squeue may print "CANCELLED by 0"; keep the first word.
    const word = rawState.split(/\s+/)[0]!;
    const state = (KNOWN_STATES.has(word) ? word : "UNKNOWN") as JobState;
    const row: JobStatusRow = {
      jobId,
      state,
      reason: reason === "None" || reason === "" ? undefined : reason,
      startTimeMs: slurmTimeMs(start),
      timeLeftS: parseSlurmTime(left),
    };
    const endMs = slurmTimeMs(end);
    if (endMs !== undefined) row.endTimeMs = endMs;
    rows.push(row);
  }
  return rows;
}

export const slurm: BatchSystem = {
  name: "slurm",
  directivePrefix: "#SBATCH",
  headerLines(o: ResolvedJobOptions): string[] {
    const h: string[] = [];
    h.push(`#SBATCH -J ${o.jobName}`);
    if (o.logDirectory !== undefined) {
      h.push(`#SBATCH -e ${o.logDirectory}/${o.jobName}-%J.err`);
      h.push(`#SBATCH -o ${o.logDirectory}/${o.jobName}-%J.out`);
    }
    if (o.queue !== undefined) h.push(`#SBATCH -p ${o.queue}`);
    if (o.account !== undefined) h.push(`#SBATCH -A ${o.account}`);
    h.push("#SBATCH -n 1", "#SBATCH -N 1");
    h.push(`#SBATCH --cpus-per-task=${o.jobCpu ?? o.cores}`);
    h.push(`#SBATCH --mem=${o.jobMem ?? slurmFormatBytesCeil(o.memoryBytes)}`);
    if (o.walltime !== undefined) h.push(`#SBATCH -t ${o.walltime}`);
    return h;
  },
  // sbatch passes the whole submitting environment on (--export=ALL is its default).
  submitCommand: (scriptPath, _o, _env, array) => ["sbatch", "--parsable", ...(array ?? []), scriptPath],
  // --parsable prints "ID" or "ID;cluster"; plain sbatch prints "Submitted batch job ID".
  jobIdPattern: /(?<jobId>\d+)/,
  cancelCommand: (jobIds) => ["scancel", ...jobIds],
  // --me with -t all: our jobs, including those that ended in the last MinJobAge (300 s by default).
  // -r: one line per array element (else pending ones print as 123_[0-3]).
  statusCommand: () => ["squeue", "--me", "-h", "-r", "-t", "all", "-o", SQUEUE_FORMAT],
  parseStatus: parseSqueue,
  jobArray: {
    submitArgs: (count) => [`--array=0-${count - 1}`],
    firstIndex: 0,
    indexVariable: "SLURM_ARRAY_TASK_ID",
    elementId: (arrayId, index) => `${arrayId}_${index}`,
  },
  logFiles(o, jobId, submitDir) {
    if (o.logDirectory === undefined) return [join(submitDir, `slurm-${jobId}.out`)];
    const dir = resolve(submitDir, o.logDirectory);
    return [join(dir, `${o.jobName}-${jobId}.err`), join(dir, `${o.jobName}-${jobId}.out`)];
  },
};
