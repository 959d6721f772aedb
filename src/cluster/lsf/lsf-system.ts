/**
 * LSF as data: dask-jobqueue's `#BSUB` header (memory in LSF_UNIT_FOR_LIMITS units, read from
 * lsf.conf unless `lsfUnits` says), `bsub < script` (use-stdin, dask-jobqueue's default), bkill,
 * and `bjobs -o` with the pending reason for status.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { BatchSystem, JobState, JobStatusRow } from "../jobqueue/batch-system.js";
import type { ResolvedJobOptions } from "../jobqueue/options.js";
import { defineSystemOptions, systemBool, systemInt, systemString } from "../jobqueue/system-options.js";
import { UsageError } from "../../util/errors.js";

const UNIT_POWER: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5, e: 6, z: 7 };

/** dask-jobqueue's lsf_format_bytes_ceil: decimal units, rounded up ('25GB' in 'mb' → '25000'). */
export function lsfFormatBytesCeil(n: number, units = "mb"): string {
  const p = UNIT_POWER[units.toLowerCase()[0] ?? "m"];
  if (p === undefined) throw new UsageError(`lsfUnits: '${units}' is not one of kb, mb, gb, tb, pb, eb, zb`);
  return String(Math.ceil(n / 1000 ** p));
}

/** LSF_UNIT_FOR_LIMITS from $LSF_ENVDIR/lsf.conf (or /etc/lsf.conf); LSF's default is KB. */
export function lsfDetectUnits(env: NodeJS.ProcessEnv = process.env): string {
  for (const dir of [env["LSF_ENVDIR"], env["LSF_CONFDIR"], "/etc"]) {
    if (dir === undefined) continue;
    const path = join(dir, "lsf.conf");
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, "utf8").split("\n")) {
      const m = /^\s*LSF_UNIT_FOR_LIMITS\s*=\s*(\w)/.exec(line);
      if (m) return m[1]!.toLowerCase();
    }
  }
  return "k";
}

/** bjobs' STAT → the normalised states. */
export function lsfState(stat: string): JobState {
  switch (stat) {
    case "PEND": case "WAIT": case "PROV":
      return "PENDING";
    case "RUN":
      return "RUNNING";
    case "PSUSP": case "USUSP": case "SSUSP":
      return "SUSPENDED";
    case "DONE":
      return "COMPLETED";
    case "EXIT":
      return "FAILED";
    default:
      return "UNKNOWN";
  }
}

/** The `bjobs -o` fields the parser reads, '|'-delimited. */
export const BJOBS_FORMAT = "jobid stat pend_reason start_time time_left delimiter='|'";

/** LSF prints times like 'Dec  4 18:54' (this year) or with a year; "-" when unknown. */
function lsfTimeMs(s: string): number | undefined {
  const t = s.trim().replace(/\s+[LEX]$/, "");
  if (t === "" || t === "-") return undefined;
  const withYear = /\d{4}/.test(t) ? t : `${t} ${new Date().getFullYear()}`;
  const ms = Date.parse(withYear);
  return Number.isNaN(ms) ? undefined : ms;
}

/** time_left is 'H:MM L' (L = a limit applies) or '-'. */
function lsfTimeLeftS(s: string): number | undefined {
  const m = /^(\d+):(\d\d)/.exec(s.trim());
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 : undefined;
}

export function parseBjobs(stdout: string): JobStatusRow[] {
  const rows: JobStatusRow[] = [];
  for (const line of stdout.split("\n")) {
    const f = line.split("|");
    if (f.length < 5 || !/^\d+(\[\d+\])?$/.test(f[0]!.trim())) continue;
    const [id, stat, reason, start, left] = f.map((x) => x.trim()) as [string, string, string, string, string];
    const state = lsfState(stat);
    rows.push({
      jobId: id,
      state,
      reason: reason !== "" && reason !== "-" ? reason.replace(/;\s*$/, "") : undefined,
      startTimeMs: state === "RUNNING" ? lsfTimeMs(start) : undefined,
      timeLeftS: lsfTimeLeftS(left),
    });
  }
  return rows;
}

export const lsf: BatchSystem = {
  name: "lsf",
  directivePrefix: "#BSUB",
  options: defineSystemOptions({ project: "string", ncpus: "int", mem: "int", lsfUnits: "string", useStdin: "bool" }),
  headerLines(o: ResolvedJobOptions): string[] {
    const h: string[] = [`#BSUB -J ${o.jobName}`];
    if (o.logDirectory !== undefined) h.push(`#BSUB -e ${o.logDirectory}/${o.jobName}-%J.err`, `#BSUB -o ${o.logDirectory}/${o.jobName}-%J.out`);
    if (o.queue !== undefined) h.push(`#BSUB -q ${o.queue}`);
    const project = systemString(o.system, "project") ?? o.account;
    if (project !== undefined) h.push(`#BSUB -P "${project}"`);
    const ncpus = systemInt(o.system, "ncpus") ?? o.cores;
    h.push(`#BSUB -n ${ncpus}`);
    if (ncpus > 1) h.push('#BSUB -R "span[hosts=1]"');
    const mem = systemInt(o.system, "mem") ?? o.memoryBytes;
    h.push(`#BSUB -M ${lsfFormatBytesCeil(mem, systemString(o.system, "lsfUnits") ?? lsfDetectUnits())}`);
    // LSF's -W is [hours:]minutes: dask-jobqueue's HH:MM form.
    if (o.walltime !== undefined) h.push(`#BSUB -W ${o.walltime.split(":").slice(0, 2).join(":")}`);
    return h;
  },
  // bsub passes the whole submitting environment on. use-stdin (default): `bsub < script`.
  submitCommand: (scriptPath, o) =>
    systemBool(o.system, "useStdin") === false ? ["bsub", scriptPath] : ["sh", "-c", 'exec bsub < "$0"', scriptPath],
  // "Job <1234> is submitted to queue <normal>."
  jobIdPattern: /Job <(?<jobId>\d+)>/,
  cancelCommand: (jobIds) => ["bkill", ...jobIds],
  statusCommand: (jobIds) => ["bjobs", "-noheader", "-o", BJOBS_FORMAT, ...jobIds.filter((id) => /^\d+(\[\d+\])?$/.test(id))],
  parseStatus: parseBjobs,
  logFiles(o, jobId, submitDir) {
    if (o.logDirectory === undefined) return [];
    const dir = resolve(submitDir, o.logDirectory);
    return [join(dir, `${o.jobName}-${jobId}.err`), join(dir, `${o.jobName}-${jobId}.out`)];
  },
};
