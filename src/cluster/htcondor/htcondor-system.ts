/**
 * HTCondor as data. Its job script is a submit description, not a shell script: dask-jobqueue's
 * layout (request lines, `Executable = /bin/sh`, the worker command as quoted `Arguments`, `Queue`),
 * condor_submit / condor_rm, and `condor_q -af` for status (with the match failure or hold reason).
 */
import { join, resolve } from "node:path";
import type { BatchSystem, JobScriptParts, JobState, JobStatusRow } from "../jobqueue/batch-system.js";
import type { ResolvedJobOptions } from "../jobqueue/options.js";
import { JOB_QUEUE_DEFAULTS } from "../jobqueue/options.js";
import { defineSystemOptions, systemString, systemStrings } from "../jobqueue/system-options.js";
import { parseBytes } from "../../util/sizes.js";
import { JobQueueConfigError } from "../jobqueue/errors.js";

/** dask-jobqueue's quote_arguments: HTCondor's "new" argument syntax (' around args with spaces, quotes doubled). */
export function quoteArguments(args: readonly string[]): string {
  return args
    .map((a) => {
      const doubled = a.replace(/'/g, "''").replace(/"/g, '""');
      return /[\s']/.test(a) ? `'${doubled}'` : doubled;
    })
    .join(" ");
}

/** condor_q's JobStatus numbers → the normalised states. */
export function condorState(code: string): JobState {
  switch (code) {
    case "1": return "PENDING"; // Idle
    case "2": case "6": return "RUNNING"; // Running, Transferring Output
    case "3": return "CANCELLED"; // Removed
    case "4": return "COMPLETED";
    case "5": return "PENDING"; // Held
    case "7": return "SUSPENDED";
    default: return "UNKNOWN";
  }
}

/** The attributes `condor_q -af:jt` prints after the job id, tab-separated. */
export const CONDOR_Q_ATTRIBUTES = ["JobStatus", "EnteredCurrentStatus", "LastRejMatchReason", "HoldReason"] as const;

export function parseCondorQ(stdout: string): JobStatusRow[] {
  const rows: JobStatusRow[] = [];
  for (const line of stdout.split("\n")) {
    const f = line.split("\t");
    const id = /^(\d+)\.0$/.exec(f[0]?.trim() ?? "");
    if (!id || f.length < 5) continue;
    const [, status, entered, rejected, held] = f.map((x) => x.trim()) as [string, string, string, string, string];
    const state = condorState(status);
    const defined = (s: string) => (s === "undefined" || s === "" ? undefined : s);
    rows.push({
      jobId: id[1]!,
      state,
      reason: status === "5" ? `held: ${defined(held) ?? "no reason given"}` : state === "PENDING" ? defined(rejected) : undefined,
      startTimeMs: state === "RUNNING" && /^\d+$/.test(entered) ? Number(entered) * 1000 : undefined,
      timeLeftS: undefined,
    });
  }
  return rows;
}

function requireDisk(o: ResolvedJobOptions): number {
  const disk = systemString(o.system, "disk");
  if (disk === undefined) throw new JobQueueConfigError("HTCondorCluster: say how much disk each job uses, e.g. {disk: '1GB'} (HTCondor needs RequestDisk)");
  return parseBytes(disk, "disk");
}

export const htcondor: BatchSystem = {
  name: "htcondor",
  directivePrefix: "",
  options: defineSystemOptions({ disk: "string", submitCommandExtra: "strings", cancelCommandExtra: "strings" }),
  headerLines(o: ResolvedJobOptions): string[] {
    const h = [
      'MY.TesseraWorkerName = "htcondor--$F(MY.JobId)--"',
      `batch_name = ${o.name}`,
      "RequestCpus = MY.TesseraWorkerCores",
      "RequestMemory = floor(MY.TesseraWorkerMemory / 1048576)",
      "RequestDisk = floor(MY.TesseraWorkerDisk / 1024)",
      'MY.JobId = "$(ClusterId).$(ProcId)"',
      `MY.TesseraWorkerCores = ${o.cores}`,
      `MY.TesseraWorkerMemory = ${o.memoryBytes}`,
      `MY.TesseraWorkerDisk = ${requireDisk(o)}`,
    ];
    if (o.logDirectory !== undefined) {
      h.push(
        `LogDirectory = ${o.logDirectory}`,
        "Output = $(LogDirectory)/worker-$F(MY.JobId).out",
        "Error = $(LogDirectory)/worker-$F(MY.JobId).err",
        "Log = $(LogDirectory)/worker-$(ClusterId).log",
        "Stream_Output = True",
        "Stream_Error = True",
      );
    }
    return h;
  },
  renderScript({ opts, header, command }: JobScriptParts): string {
    // Lines to run on the execute node cannot stand in a submit description: join them to the command.
    const shellLine = [...opts.jobScriptPrologue, command, ...opts.jobScriptEpilogue].join("; ");
    const shebang = opts.shebang === JOB_QUEUE_DEFAULTS.shebang ? "#!/usr/bin/env condor_submit" : opts.shebang;
    return [shebang, header.join("\n"), `Arguments = "${quoteArguments(["-c", shellLine])}"`, "Executable = /bin/sh", "Queue", ""].join("\n");
  },
  // condor_submit does not pass the environment on: getenv names what the job needs.
  submitCommand: (scriptPath, o, envNames) => [
    "condor_submit",
    ...systemStrings(o.system, "submitCommandExtra"),
    ...(envNames.length > 0 ? ["-append", `getenv = ${envNames.join(", ")}`] : []),
    scriptPath,
  ],
  // "1 job(s) submitted to cluster 1234." — one job per cluster, so the cluster id names it.
  jobIdPattern: /submitted to cluster (?<jobId>\d+)/,
  cancelCommand: (jobIds, o) => ["condor_rm", ...systemStrings(o.system, "cancelCommandExtra"), ...jobIds],
  statusCommand: (jobIds) => ["condor_q", ...jobIds.filter((id) => /^\d+$/.test(id)), "-af:jt", ...CONDOR_Q_ATTRIBUTES],
  parseStatus: parseCondorQ,
  logFiles(o, jobId, submitDir) {
    if (o.logDirectory === undefined) return [];
    const dir = resolve(submitDir, o.logDirectory);
    return [join(dir, `worker-${jobId}.0.err`), join(dir, `worker-${jobId}.0.out`)];
  },
};
