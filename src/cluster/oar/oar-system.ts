/**
 * OAR as data: dask-jobqueue's `#OAR` header (resources and walltime on one `-l` line, memory as a
 * `-p` property in MiB per core), `oarsub -S` (OAR reads the directives from the script), oardel,
 * and `oarstat -J` for status.
 */
import { join, resolve } from "node:path";
import type { BatchSystem, JobState, JobStatusRow } from "../jobqueue/batch-system.js";
import type { ResolvedJobOptions } from "../jobqueue/options.js";
import { defineSystemOptions, systemString } from "../jobqueue/system-options.js";

/** oarstat's state names → the normalised states. */
export function oarState(s: string): JobState {
  switch (s) {
    case "Waiting": case "Hold": case "toLaunch": case "toAckReservation": case "Launching":
      return "PENDING";
    case "Running": case "Resuming":
      return "RUNNING";
    case "Suspended":
      return "SUSPENDED";
    case "Finishing":
      return "COMPLETING";
    case "Terminated":
      return "COMPLETED";
    case "Error": case "toError":
      return "FAILED";
    default:
      return "UNKNOWN";
  }
}

/** `oarstat -J`: {"<id>": {state, message, startTime (epoch s), walltime (s)}, …}. */
export function parseOarstat(stdout: string): JobStatusRow[] {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout.trim() === "" ? "{}" : stdout);
  } catch {
    return [];
  }
  if (doc === null || typeof doc !== "object") return [];
  const rows: JobStatusRow[] = [];
  for (const [id, v] of Object.entries(doc as Record<string, Record<string, unknown>>)) {
    if (!/^\d+$/.test(id) || v === null || typeof v !== "object") continue;
    const state = oarState(String(v["state"] ?? ""));
    const start = typeof v["startTime"] === "number" && v["startTime"] > 0 ? v["startTime"] * 1000 : undefined;
    const wall = typeof v["walltime"] === "number" ? v["walltime"] : undefined;
    const message = typeof v["message"] === "string" && v["message"] !== "" ? v["message"] : undefined;
    rows.push({
      jobId: id,
      state,
      reason: state === "PENDING" || state === "FAILED" ? message : undefined,
      startTimeMs: start,
      timeLeftS: start !== undefined && wall !== undefined && state === "RUNNING" ? Math.max(0, Math.round(wall - (Date.now() - start) / 1000)) : wall,
    });
  }
  return rows;
}

export const oar: BatchSystem = {
  name: "oar",
  directivePrefix: "#OAR",
  options: defineSystemOptions({ project: "string", resourceSpec: "string", memoryPerCorePropertyName: "string" }),
  headerLines(o: ResolvedJobOptions): string[] {
    const h: string[] = [`#OAR -n ${o.jobName}`];
    if (o.queue !== undefined) h.push(`#OAR -q ${o.queue}`);
    const project = systemString(o.system, "project") ?? o.account;
    if (project !== undefined) h.push(`#OAR --project ${project}`);
    // One -l line: several would make a "moldable" job (OAR picks one of the resource sets).
    const spec = [systemString(o.system, "resourceSpec") ?? `/nodes=1/core=${o.cores}`];
    if (o.walltime !== undefined) spec.push(`walltime=${o.walltime}`);
    h.push(`#OAR -l ${spec.join(",")}`);
    const prop = systemString(o.system, "memoryPerCorePropertyName");
    if (prop !== undefined && prop !== "not_applicable") h.push(`#OAR -p ${prop}>=${Math.ceil(o.memoryBytes / (o.cores * 2 ** 20))}`);
    if (o.logDirectory !== undefined) h.push(`#OAR -O ${o.logDirectory}/${o.jobName}-%jobid%.out`, `#OAR -E ${o.logDirectory}/${o.jobName}-%jobid%.err`);
    return h;
  },
  // -S: OAR scans the script for #OAR lines; the script must be executable, on a shared filesystem.
  // oarsub passes the submitting environment on.
  submitCommand: (scriptPath) => ["oarsub", "-S", scriptPath],
  jobIdPattern: /OAR_JOB_ID=(?<jobId>\d+)/,
  cancelCommand: (jobIds) => ["oardel", ...jobIds],
  statusCommand: () => ["oarstat", "-J", "-u"],
  parseStatus: parseOarstat,
  logFiles(o, jobId, submitDir) {
    const dir = o.logDirectory === undefined ? submitDir : resolve(submitDir, o.logDirectory);
    return o.logDirectory === undefined
      ? [join(dir, `OAR.${o.jobName}.${jobId}.stdout`), join(dir, `OAR.${o.jobName}.${jobId}.stderr`)]
      : [join(dir, `${o.jobName}-${jobId}.err`), join(dir, `${o.jobName}-${jobId}.out`)];
  },
};
