/**
 * A batch system as data: how to write its job header, submit, cancel and list jobs, and read the
 * answers. SLURM, PBS, SGE, LSF, HTCondor or OAR each fill one of these in; the cluster machinery
 * (script rendering, reconcile loop, polling, adapt) is shared.
 */
import type { ResolvedJobOptions, SystemOptionsSpec } from "./options.js";

/** Job states, normalised (SLURM's names; other systems map theirs onto these). */
export type JobState =
  | "PENDING"
  | "CONFIGURING"
  | "RUNNING"
  | "COMPLETING"
  | "SUSPENDED"
  | "COMPLETED"
  | "CANCELLED"
  | "FAILED"
  | "TIMEOUT"
  | "NODE_FAIL"
  | "PREEMPTED"
  | "OUT_OF_MEMORY"
  | "BOOT_FAIL"
  | "DEADLINE"
  | "UNKNOWN";

/** States after which the job holds no resources and runs nothing. */
export const ENDED_STATES: ReadonlySet<JobState> = new Set<JobState>([
  "COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE",
]);

/** One row of the batch system's job listing. */
export interface JobStatusRow {
  jobId: string;
  state: JobState;
  /** Why a pending job waits (Resources, Priority, QOSMaxJobsPerUserLimit…), or why it ended. */
  reason: string | undefined;
  /** Epoch ms when it started (or is expected to), if known. */
  startTimeMs: number | undefined;
  /** Seconds of walltime left, if known. */
  timeLeftS: number | undefined;
  /** Epoch ms when an ended job ended (or a running one will hit its limit), if known. */
  endTimeMs?: number;
}

export interface BatchSystem {
  /** Short name, the YAML section: 'slurm', 'pbs', … */
  readonly name: string;
  /** Header directive prefix, e.g. '#SBATCH'. */
  readonly directivePrefix: string;
  /** Options only this system has (dask-jobqueue's per-class parameters), camelCased; in `opts.system`. */
  readonly options?: SystemOptionsSpec;
  /** Header lines (without extra/skip processing) for these options. */
  headerLines(opts: ResolvedJobOptions): string[];
  /**
   * argv to submit a script file. `envNames`: variables of the submitting environment the job must see
   * (the secret file's path); systems that do not pass the environment on by default name them here.
   */
  submitCommand(scriptPath: string, opts: ResolvedJobOptions, envNames: readonly string[], arrayArgs?: readonly string[]): string[];
  /** The job id in the submit command's stdout. */
  readonly jobIdPattern: RegExp;
  /** argv to cancel jobs. */
  cancelCommand(jobIds: readonly string[], opts: ResolvedJobOptions): string[];
  /** argv to list these jobs (including recently ended ones where the system allows). */
  statusCommand(jobIds: readonly string[]): string[];
  /** Parse the status command's stdout. */
  parseStatus(stdout: string): JobStatusRow[];
  /** The stdout/stderr files a job writes, for failure reports. */
  logFiles(opts: ResolvedJobOptions, jobId: string, submitDir: string): string[];
  /** Check the walltime format; return an error message or undefined. */
  checkWalltime?(walltime: string): string | undefined;
  /** How this system runs many workers' jobs as one job array (absent: no arrays). */
  readonly jobArray?: JobArraySupport;
  /**
   * The whole job script, for systems whose script is not a shell script with a header (HTCondor's
   * submit description). Default: dask-jobqueue's layout (script.ts).
   */
  renderScript?(parts: JobScriptParts): string;
}

/** The pieces of a job script, as script.ts renders them. */
export interface JobScriptParts {
  readonly opts: ResolvedJobOptions;
  /** Header directives after skip/extra processing. */
  readonly header: readonly string[];
  /** The worker command line. */
  readonly command: string;
}

/** Extract the job id from submit output, or undefined. */
export function parseJobId(system: BatchSystem, stdout: string): string | undefined {
  const m = system.jobIdPattern.exec(stdout);
  return m ? (m.groups?.["jobId"] ?? m[1] ?? m[0]) : undefined;
}

/** Job arrays: one submission, N elements, each its own job for status and cancel. */
export interface JobArraySupport {
  /** Submit-command arguments (before the script) asking for elements first..first+count-1. */
  submitArgs(count: number): string[];
  /** Index of the first element (SLURM, PBS: 0; SGE: 1, its task ids start there). */
  readonly firstIndex: number;
  /** The variable holding the element's index inside the job (SLURM_ARRAY_TASK_ID…). */
  readonly indexVariable: string;
  /** The id one element has in status output and for cancel: '123_4', '123.4', '123[4]'. */
  elementId(arrayId: string, index: number): string;
}
