/**
 * (Son of) Grid Engine as data for the JobQueueCluster machinery: dask-jobqueue's `#$` header,
 * qsub / qdel / qstat, and their output. Memory is requested only through `resourceSpec` (`-l`),
 * as in dask-jobqueue; cores through a parallel environment in `jobExtraDirectives` (`-pe smp 4`).
 */
import { join, resolve } from "node:path";
import type { BatchSystem, JobState, JobStatusRow } from "../jobqueue/batch-system.js";
import type { ResolvedJobOptions } from "../jobqueue/options.js";
import { defineSystemOptions, systemString } from "../jobqueue/system-options.js";

/** Separates `qstat`'s table from `qstat -j`'s details in the status command's output. */
export const QSTAT_DETAILS_MARK = "__tessera_qstat_details__";

/** Grid Engine's state letters → the normalised states (d = being deleted, E = error, h = hold). */
export function sgeState(code: string): JobState {
  if (code.includes("d")) return "COMPLETING";
  if (/[sST]/.test(code)) return "SUSPENDED";
  if (code.includes("r") || code.includes("t")) return "RUNNING";
  if (code.includes("q") || code.includes("w") || code.includes("h")) return "PENDING";
  return "UNKNOWN";
}

function reasonOfCode(code: string): string | undefined {
  if (code.includes("E")) return `error state (${code}); see qstat -j`;
  if (code.includes("h")) return `held (${code})`;
  return undefined;
}

/** '12/04/2026 18:54:03' (local time, as qstat prints it) → epoch ms. */
function qstatTimeMs(date: string, time: string): number | undefined {
  const m = /^(\d\d)\/(\d\d)\/(\d{4})$/.exec(date);
  const t = /^(\d\d):(\d\d):(\d\d)$/.exec(time);
  if (!m || !t) return undefined;
  return new Date(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(t[1]), Number(t[2]), Number(t[3])).getTime();
}

/**
 * `qstat` table rows plus, after QSTAT_DETAILS_MARK, `qstat -j` blocks whose "scheduling info" says
 * why a pending job waits. Array tasks appear as `<id>.<task>`.
 */
export function parseQstat(stdout: string): JobStatusRow[] {
  const [table = "", details = ""] = stdout.split(QSTAT_DETAILS_MARK);
  const reasons = parseSchedulingInfo(details);
  const rows: JobStatusRow[] = [];
  for (const line of table.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length < 7 || !/^\d+$/.test(f[0]!)) continue;
    const [id, , , , code, date, time] = f as [string, string, string, string, string, string, string];
    // The queue column is empty for pending jobs: slots, then the optional task id, follow.
    const rest = f.slice(7);
    const hasQueue = rest.length > 0 && rest[0]!.includes("@");
    const task = hasQueue ? rest[2] : rest[1];
    const state = sgeState(code);
    const ids = task === undefined ? [id] : expandTasks(task).map((t) => `${id}.${t}`);
    for (const jobId of ids) {
      rows.push({
        jobId,
        state,
        reason: reasonOfCode(code) ?? (state === "PENDING" ? reasons.get(id) : undefined),
        startTimeMs: state === "RUNNING" ? qstatTimeMs(date, time) : undefined,
        timeLeftS: undefined,
      });
    }
  }
  return rows;
}

/** '1-4:1' → [1, 2, 3, 4]; '3' → [3]; '1,3' → [1, 3]. */
export function expandTasks(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(",")) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part);
    if (!m) continue;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    for (let t = lo; t <= hi; t += step) out.push(t);
  }
  return out;
}

/** job id → the first "scheduling info" line of `qstat -j`. */
export function parseSchedulingInfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | undefined;
  for (const line of text.split("\n")) {
    const id = /^job_number:\s+(\d+)/.exec(line);
    if (id) current = id[1];
    const info = /^scheduling info:\s+(.*\S)/.exec(line);
    if (info && current !== undefined && !out.has(current)) out.set(current, info[1]!);
  }
  return out;
}

export const sge: BatchSystem = {
  name: "sge",
  directivePrefix: "#$",
  options: defineSystemOptions({ project: "string", resourceSpec: "string" }),
  headerLines(o: ResolvedJobOptions): string[] {
    const h: string[] = [`#$ -N ${o.jobName}`];
    if (o.queue !== undefined) h.push(`#$ -q ${o.queue}`);
    const project = systemString(o.system, "project") ?? o.account;
    if (project !== undefined) h.push(`#$ -P ${project}`);
    const resourceSpec = systemString(o.system, "resourceSpec");
    if (resourceSpec !== undefined) h.push(`#$ -l ${resourceSpec}`);
    if (o.walltime !== undefined) h.push(`#$ -l h_rt=${o.walltime}`);
    if (o.logDirectory !== undefined) h.push(`#$ -e ${o.logDirectory}/`, `#$ -o ${o.logDirectory}/`);
    h.push("#$ -cwd", "#$ -j y");
    return h;
  },
  // qsub does not pass the environment on by default: name the variables the job needs (-v NAME).
  submitCommand: (scriptPath, _o, envNames, array) => ["qsub", ...(envNames.length > 0 ? ["-v", envNames.join(",")] : []), ...(array ?? []), scriptPath],
  jobIdPattern: /Your job(?:-array)? (?<jobId>\d+)/,
  cancelCommand: (jobIds) => ["qdel", ...jobIds],
  statusCommand: (jobIds) => {
    const ids = jobIds.filter((id) => /^\d+(\.\d+)?$/.test(id)).map((id) => id.split(".")[0]!);
    const details = ids.length > 0 ? `; echo ${QSTAT_DETAILS_MARK}; qstat -j ${[...new Set(ids)].join(",")} 2>/dev/null` : "";
    return ["sh", "-c", `qstat -u "$(id -un)"${details}; true`];
  },
  parseStatus: parseQstat,
  jobArray: {
    submitArgs: (count) => ["-t", `1-${count}`],
    firstIndex: 1,
    indexVariable: "SGE_TASK_ID",
    elementId: (arrayId, index) => `${arrayId}.${index}`,
  },
  logFiles(o, jobId, submitDir) {
    // -j y: one file, <job name>.o<job id>, in the log directory or (with -cwd) the submit directory.
    const dir = o.logDirectory === undefined ? submitDir : resolve(submitDir, o.logDirectory);
    return [join(dir, `${o.jobName}.o${jobId.split(".")[0]}`)];
  },
};
