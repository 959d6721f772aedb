/**
 * Job script rendering with dask-jobqueue's layout: shebang, blank line, header, prologue, the worker
 * command, epilogue. Pure. The cluster's secret never appears here: workers read it from the file
 * named by TESSERA_SECRET_FILE, which the job inherits from the submitting environment.
 */
import { formatBytes } from "../../util/sizes.js";
import type { BatchSystem } from "./batch-system.js";
import type { ResolvedJobOptions } from "./options.js";
import { quoteExpandable, quoteLiteral } from "./shell-words.js";

/** `--memory-limit` value as dask writes it: binary units, 2 decimals, no space ('55.88GiB'). */
export function formatMemoryLimit(bytes: number): string {
  return formatBytes(bytes).replace(" ", "");
}

/** Header after skip-filtering (only generated lines) and with extra directives appended. */
export function renderHeader(system: BatchSystem, opts: ResolvedJobOptions): string[] {
  const generated = system.headerLines(opts).filter((line) => !opts.jobDirectivesSkip.some((skip) => line.includes(skip)));
  const prefix = system.directivePrefix === "" ? "" : `${system.directivePrefix} `;
  return [...generated, ...opts.jobExtraDirectives.map((d) => `${prefix}${d}`)];
}

/**
 * The worker command line a job runs. `workerEntry` is the absolute path of dist/src/cli/main.js.
 * Every value is one shell word: taken literally, except `localDirectory` and `workerExtraArgs`, where
 * the shell expands $VAR (options.ts refuses command substitution there). `command` is the
 * interpreter prefix, a shell fragment of the user's (like dask-jobqueue's `python`): kept as given.
 */
export interface WorkerCommandArgs {
  schedulerAddress: string;
  workerName: string;
  workerEntry: string;
  /** In a job array: the variable whose value (the element's index) is appended to the name, expanded by the job's shell. */
  workerNameIndexVariable?: string;
}

export function renderWorkerCommand(
  opts: ResolvedJobOptions,
  args: WorkerCommandArgs,
): string {
  const parts: string[] = [
    opts.command,
    quoteLiteral(args.workerEntry),
    "worker",
    quoteLiteral(args.schedulerAddress),
    // The index variable is the batch system's own name (SLURM_ARRAY_TASK_ID…): safe to expand.
    "--name", quoteLiteral(args.workerName) + (args.workerNameIndexVariable ? `-"\${${args.workerNameIndexVariable}}"` : ""),
    "--nthreads", String(opts.nthreads),
    "--memory-limit", formatMemoryLimit(opts.workerMemoryBytes),
  ];
  if (opts.processes > 1) parts.push("--nworkers", String(opts.processes));
  parts.push(opts.nanny ? "--nanny" : "--no-nanny");
  parts.push("--death-timeout", String(opts.deathTimeoutS));
  if (opts.localDirectory !== undefined) parts.push("--local-directory", quoteExpandable(opts.localDirectory));
  parts.push(...opts.workerExtraArgs.map(quoteExpandable));
  if (opts.interface !== undefined) parts.push("--interface", quoteLiteral(opts.interface));
  return parts.join(" ");
}

export function renderJobScript(
  system: BatchSystem,
  opts: ResolvedJobOptions,
  args: WorkerCommandArgs,
): string {
  return renderScriptWithCommand(system, opts, renderWorkerCommand(opts, args));
}

/** A job script running `command` (the worker command, or the scheduler job's). */
export function renderScriptWithCommand(system: BatchSystem, opts: ResolvedJobOptions, command: string): string {
  if (system.renderScript) return system.renderScript({ opts, header: renderHeader(system, opts), command });
  // dask-jobqueue's template: an empty prologue/epilogue still leaves its (blank) line.
  return [opts.shebang, "", renderHeader(system, opts).join("\n"), opts.jobScriptPrologue.join("\n"), command, opts.jobScriptEpilogue.join("\n")].join("\n");
}
