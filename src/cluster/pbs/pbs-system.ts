/**
 * PBS (PBS Pro, OpenPBS, Torque) and Moab as data: dask-jobqueue's `#PBS` header with its default
 * `select=1:ncpus=N:mem=X` resource request, qsub / qdel, and `qstat -f` blocks for status.
 */
import { join, resolve } from "node:path";
import type { BatchSystem, JobState, JobStatusRow } from "../jobqueue/batch-system.js";
import type { ResolvedJobOptions } from "../jobqueue/options.js";
import { defineSystemOptions, systemString } from "../jobqueue/system-options.js";

/** dask-jobqueue's pbs_format_bytes_ceil: PBS's GB/MB/kB are binary; round up ('15GB' → '14GB'). */
export function pbsFormatBytesCeil(n: number): string {
  if (n >= 10 * 1024 ** 3) return `${Math.ceil(n / 1024 ** 3)}GB`;
  if (n >= 10 * 1024 ** 2) return `${Math.ceil(n / 1024 ** 2)}MB`;
  if (n >= 10 * 1024) return `${Math.ceil(n / 1024)}kB`;
  return `${n}B`;
}

/** PBS's one-letter job_state → the normalised states. */
export function pbsState(code: string): JobState {
  switch (code) {
    case "Q": case "W": case "H": case "T": case "M": case "S" /* Torque: suspended */:
      return code === "S" ? "SUSPENDED" : "PENDING";
    case "R": case "B": case "U":
      return "RUNNING";
    case "E":
      return "COMPLETING";
    case "F": case "C": case "X":
      return "COMPLETED";
    default:
      return "UNKNOWN";
  }
}

const HMS = /^(\d+):(\d\d):(\d\d)$/;
const hmsSeconds = (s: string | undefined): number | undefined => {
  const m = s === undefined ? null : HMS.exec(s.trim());
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : undefined;
};

/**
 * `qstat -f` output: one block per job, "Job Id: 123.server" then "    key = value" lines (long
 * values continue on tab-indented lines). PBS Pro says why a job waits in `comment`; a finished
 * job's `Exit_status` tells COMPLETED from FAILED.
 */
export function parseQstatFull(stdout: string): JobStatusRow[] {
  const rows: JobStatusRow[] = [];
  const blocks = stdout.split(/^Job Id:\s*/m).slice(1);
  for (const block of blocks) {
    const lines = block.split("\n");
    // '123.server', '123[].server' (an array), '123[4].server' (one element).
    const jobId = lines[0]!.trim().replace(/\..*$/, "").replace(/\[\]$/, "");
    const attrs = new Map<string, string>();
    let last: string | undefined;
    for (const line of lines.slice(1)) {
      const kv = /^\s{4}([\w.]+) = (.*)$/.exec(line);
      if (kv) {
        last = kv[1]!;
        attrs.set(last, kv[2]!);
      } else if (last !== undefined && /^\t/.test(line)) {
        attrs.set(last, attrs.get(last)! + line.trim());
      }
    }
    let state = pbsState(attrs.get("job_state") ?? "");
    const exit = attrs.get("Exit_status") ?? attrs.get("exit_status");
    if (state === "COMPLETED" && exit !== undefined && exit !== "0") state = Number(exit) >= 256 || Number(exit) < 0 ? "CANCELLED" : "FAILED";
    const limit = hmsSeconds(attrs.get("Resource_List.walltime"));
    const used = hmsSeconds(attrs.get("resources_used.walltime"));
    const remaining = attrs.get("Walltime.Remaining"); // Torque
    const stime = attrs.get("stime") ?? attrs.get("start_time");
    const comment = attrs.get("comment");
    rows.push({
      jobId,
      state,
      reason: state === "PENDING" ? comment : state === "FAILED" ? `exit status ${exit}` : undefined,
      startTimeMs: stime !== undefined && !Number.isNaN(Date.parse(stime)) ? Date.parse(stime) : undefined,
      timeLeftS: remaining !== undefined ? Number(remaining) : limit !== undefined && used !== undefined ? Math.max(0, limit - used) : limit,
    });
  }
  return rows;
}

export const pbsOptions = defineSystemOptions({ resourceSpec: "string", project: "string" });

/** The PBS header; Moab takes it unchanged. */
export function pbsHeaderLines(o: ResolvedJobOptions): string[] {
  const h: string[] = [`#PBS -N ${o.jobName}`];
  if (o.queue !== undefined) h.push(`#PBS -q ${o.queue}`);
  // dask-jobqueue renamed project to account (-A); project is still honoured when account is unset.
  const account = o.account ?? systemString(o.system, "project");
  if (account !== undefined) h.push(`#PBS -A ${account}`);
  h.push(`#PBS -l ${systemString(o.system, "resourceSpec") ?? `select=1:ncpus=${o.cores}:mem=${pbsFormatBytesCeil(o.memoryBytes)}`}`);
  if (o.walltime !== undefined) h.push(`#PBS -l walltime=${o.walltime}`);
  if (o.logDirectory !== undefined) h.push(`#PBS -e ${o.logDirectory}/`, `#PBS -o ${o.logDirectory}/`);
  return h;
}

function pbsLogFiles(o: ResolvedJobOptions, jobId: string, submitDir: string): string[] {
  // PBS names output <job name>.o<sequence number> (and .e) in the -o/-e directory or the submit directory.
  const dir = o.logDirectory === undefined ? submitDir : resolve(submitDir, o.logDirectory);
  return [join(dir, `${o.jobName}.e${jobId}`), join(dir, `${o.jobName}.o${jobId}`)];
}

const onlyIds = (ids: readonly string[]) => ids.filter((id) => /^\d+(\[\d*\])?$/.test(id));

export const pbs: BatchSystem = {
  name: "pbs",
  directivePrefix: "#PBS",
  options: pbsOptions,
  headerLines: pbsHeaderLines,
  // qsub passes only named variables on: -v NAME (value taken from the submitting environment).
  submitCommand: (scriptPath, _o, envNames, array) => ["qsub", ...(envNames.length > 0 ? ["-v", envNames.join(",")] : []), ...(array ?? []), scriptPath],
  // "1234.server-name"
  jobIdPattern: /^(?<jobId>\d+)/m,
  cancelCommand: (jobIds) => ["qdel", ...jobIds],
  // -x: finished jobs too (PBS Pro); Torque keeps them for keep_completed seconds.
  // -t: array elements one by one.
  statusCommand: (jobIds) => ["qstat", "-x", "-f", "-t", ...onlyIds(jobIds)],
  parseStatus: parseQstatFull,
  logFiles: pbsLogFiles,
  // PBS Pro: -J 0-N (at least two elements); qstat -t lists the elements as 123[4].server.
  jobArray: {
    submitArgs: (count) => ["-J", `0-${Math.max(1, count - 1)}`],
    firstIndex: 0,
    indexVariable: "PBS_ARRAY_INDEX",
    elementId: (arrayId, index) => `${arrayId}[${index}]`,
  },
};

export const moab: BatchSystem = {
  ...pbs,
  name: "moab",
  submitCommand: (scriptPath, _o, envNames) => ["msub", ...(envNames.length > 0 ? ["-v", envNames.join(",")] : []), scriptPath],
  cancelCommand: (jobIds) => ["canceljob", ...jobIds],
  // Moab runs over a Torque/PBS resource manager, whose qstat knows the jobs (no -x on Torque).
  statusCommand: (jobIds) => ["qstat", "-f", ...onlyIds(jobIds)],
};
