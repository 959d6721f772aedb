/**
 * The options of a batch-system cluster — every dask-jobqueue parameter, camelCased — their defaults
 * (one documented place) and their validation. Pure: values in, a resolved record or a clear error out.
 */
import { expandableProblem, lineProblem } from "./shell-words.js";
import { parseBytes } from "../../util/sizes.js";
import { parseDuration } from "../../util/durations.js";
import { JobQueueConfigError } from "./errors.js";

/** Where the in-process scheduler listens and serves its dashboard (dask's `scheduler_options`). */
export interface SchedulerOptions {
  /** Host/IP to bind and to advertise to workers. Default: the address of `interface`, else this host's name. */
  host?: string;
  /** Port; 0 = any free port (default). */
  port?: number;
  /** Network interface whose IPv4 address the scheduler uses (e.g. 'ib0'). */
  interface?: string;
  /** Dashboard address like ':8787' or 'host:port'; false = no dashboard. Default ':0' (any free port). */
  dashboardAddress?: string | false;
  /** Ask for the dashboard's access token on loopback too (default true; beyond loopback it is always asked). */
  dashboardRequireToken?: boolean;
}

/** Options a user passes (or a site YAML supplies). Sizes like '120GB'; durations like '00:30:00' or '5s'. */
export interface JobQueueOptions {
  /** CPU cores per job (required). */
  cores?: number;
  /** Memory per job, e.g. '120GB' or '4GiB' (required). */
  memory?: string | number;
  /** Worker processes per job; default: cores if ≤ 4, else the smallest factor of cores ≥ √cores. */
  processes?: number;
  /** Partition / queue (`-p`). */
  queue?: string;
  /** Account / project (`-A`). */
  account?: string;
  /** Job walltime in the batch system's clock form, e.g. '00:30:00' (default '00:30:00', as dask-jobqueue). */
  walltime?: string;
  /** CPUs requested per job when it must differ from `cores` (`--cpus-per-task`). */
  jobCpu?: number;
  /** Job memory as written to the header (e.g. '10G'); default: `memory` rounded up for the batch system. */
  jobMem?: string;
  /** Job name shown by the batch system (`-J`); default 'tessera-worker'. */
  jobName?: string;
  /** Extra header directives, each written as `#SBATCH <item>` (or the batch system's prefix). */
  jobExtraDirectives?: string[];
  /** Drop every generated header line containing one of these substrings (e.g. ['--mem']). */
  jobDirectivesSkip?: string[];
  /** Shell lines before the worker command (module load, source env…). */
  jobScriptPrologue?: string[];
  /** Shell lines after the worker exits. */
  jobScriptEpilogue?: string[];
  /** First line of the job script; default '#!/usr/bin/env bash'. */
  shebang?: string;
  /** Worker scratch/spill directory on the compute node (e.g. '$TMPDIR', expanded in the job). */
  localDirectory?: string;
  /** Directory for the jobs' stdout/stderr files; created if missing. */
  logDirectory?: string;
  /** Seconds (or a duration) a worker waits for an unreachable scheduler before exiting; default 60. */
  deathTimeout?: number | string;
  /** Run workers under a nanny (restarts on crash/memory kill); default true. */
  nanny?: boolean;
  /** Network interface workers bind to (`--interface`), and the scheduler unless schedulerOptions say otherwise. */
  interface?: string;
  /** Extra worker CLI arguments, e.g. ['--lifetime', '55m', '--lifetime-stagger', '4m']. */
  workerExtraArgs?: string[];
  /** The interpreter prefix (dask-jobqueue's `python`), e.g. 'singularity exec img.sif node'. Default: this node binary. */
  command?: string;
  schedulerOptions?: SchedulerOptions;
  /** Cluster name, the prefix of worker names; default the class name (e.g. 'SLURMCluster'). */
  name?: string;
  /** Workers to request at start (converted to jobs). */
  nWorkers?: number;
  /** At most this many jobs in the batch queue at once; requests beyond it wait client-side. */
  maxJobs?: number;
}

export interface ResolvedJobOptions {
  readonly cores: number;
  readonly memoryBytes: number;
  readonly processes: number;
  /** Threads per worker process. */
  readonly nthreads: number;
  /** Memory limit per worker process in bytes. */
  readonly workerMemoryBytes: number;
  readonly queue: string | undefined;
  readonly account: string | undefined;
  readonly walltime: string | undefined;
  readonly walltimeS: number | undefined;
  readonly jobCpu: number | undefined;
  readonly jobMem: string | undefined;
  readonly jobName: string;
  readonly jobExtraDirectives: readonly string[];
  readonly jobDirectivesSkip: readonly string[];
  readonly jobScriptPrologue: readonly string[];
  readonly jobScriptEpilogue: readonly string[];
  readonly shebang: string;
  readonly localDirectory: string | undefined;
  readonly logDirectory: string | undefined;
  readonly deathTimeoutS: number;
  readonly nanny: boolean;
  readonly interface: string | undefined;
  readonly workerExtraArgs: readonly string[];
  readonly command: string;
  readonly schedulerOptions: Readonly<SchedulerOptions>;
  readonly name: string;
  readonly nWorkers: number;
  readonly maxJobs: number;
  /** Options only this batch system has (e.g. SGE's resourceSpec), validated by the system itself. */
  readonly system: Readonly<Record<string, unknown>>;
}

/** Every option name (used to reject typos in arguments and YAML files). */
export const JOB_QUEUE_OPTION_NAMES = [
  "cores", "memory", "processes", "queue", "account", "walltime", "jobCpu", "jobMem", "jobName",
  "jobExtraDirectives", "jobDirectivesSkip", "jobScriptPrologue", "jobScriptEpilogue", "shebang",
  "localDirectory", "logDirectory", "deathTimeout", "nanny", "interface", "workerExtraArgs", "command",
  "schedulerOptions", "name", "nWorkers", "maxJobs",
] as const satisfies readonly (keyof JobQueueOptions)[];

const SCHEDULER_OPTION_NAMES = ["host", "port", "interface", "dashboardAddress", "dashboardRequireToken"] as const;

/** Defaults, as dask-jobqueue's jobqueue.yaml where they make sense. */
export const JOB_QUEUE_DEFAULTS = {
  /** dask-jobqueue's 30-minute default (issue #500): explicit so users see it in the script. */
  walltime: "00:30:00",
  jobName: "tessera-worker",
  shebang: "#!/usr/bin/env bash",
  /** seconds */
  deathTimeout: 60,
  nanny: true,
} as const;

/** Dask's split of cores into processes × threads: ≤ 4 cores → one thread each; else the smallest factor ≥ √cores. */
export function defaultProcesses(cores: number): number {
  if (cores <= 4) return cores;
  const root = Math.sqrt(cores);
  for (let p = Math.ceil(root); p <= cores; p++) if (cores % p === 0) return p;
  return cores;
}

function bad(name: string, value: unknown, expected: string): never {
  throw new JobQueueConfigError(`${name}: ${JSON.stringify(value)} is not valid; ${expected}`);
}

function positiveInt(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) bad(name, v, "use a whole number ≥ 1");
  return v;
}

function nonNegativeInt(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) bad(name, v, "use a whole number ≥ 0");
  return v;
}

function optString(name: string, v: unknown, check: (s: string) => string | null = lineProblem): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || v.trim() === "") bad(name, v, "use a non-empty string");
  const p = check(v as string);
  if (p !== null) bad(name, v, `${p}`);
  return v as string;
}

function stringList(name: string, v: unknown, check: (s: string) => string | null = lineProblem): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) bad(name, v, "use a list of strings, e.g. ['--exclusive']");
  for (const [i, x] of (v as string[]).entries()) {
    const p = check(x);
    if (p !== null) bad(`${name}[${i}]`, x, `${p}; give one entry per line`);
  }
  return [...(v as string[])];
}

/** Reject unknown option names, naming the closest valid ones. `extra`: the batch system's own options. */
export function checkOptionNames(obj: object, where: string, extra: readonly string[] = []): void {
  const valid: readonly string[] = [...JOB_QUEUE_OPTION_NAMES, ...extra];
  for (const k of Object.keys(obj)) {
    if (!valid.includes(k)) {
      const hint = valid.find((v) => v.toLowerCase() === k.replace(/[-_]/g, "").toLowerCase());
      throw new JobQueueConfigError(
        `${where}: unknown option '${k}'${hint ? ` (did you mean '${hint}'?)` : ""}; valid options: ${valid.join(", ")}`,
      );
    }
  }
}

function resolveSchedulerOptions(v: unknown): SchedulerOptions {
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) bad("schedulerOptions", v, "use an object like {host, port, interface, dashboardAddress}");
  for (const k of Object.keys(v)) {
    if (!(SCHEDULER_OPTION_NAMES as readonly string[]).includes(k)) {
      throw new JobQueueConfigError(`schedulerOptions: unknown option '${k}'; valid: ${SCHEDULER_OPTION_NAMES.join(", ")}`);
    }
  }
  const o = v as SchedulerOptions;
  const out: SchedulerOptions = {};
  const host = optString("schedulerOptions.host", o.host);
  if (host !== undefined) out.host = host;
  if (o.port !== undefined) {
    if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) bad("schedulerOptions.port", o.port, "use a port 0–65535 (0 = any free port)");
    out.port = o.port;
  }
  const iface = optString("schedulerOptions.interface", o.interface);
  if (iface !== undefined) out.interface = iface;
  if (o.dashboardAddress !== undefined) {
    if (o.dashboardAddress !== false && typeof o.dashboardAddress !== "string") {
      bad("schedulerOptions.dashboardAddress", o.dashboardAddress, "use ':8787', 'host:port' or false");
    }
    out.dashboardAddress = o.dashboardAddress;
  }
  if (o.dashboardRequireToken !== undefined) {
    if (typeof o.dashboardRequireToken !== "boolean") bad("schedulerOptions.dashboardRequireToken", o.dashboardRequireToken, "use true (default) or false");
    out.dashboardRequireToken = o.dashboardRequireToken;
  }
  return out;
}

/**
 * Merge explicit options over file defaults (explicit wins, key by key) and validate everything.
 * `defaultName` is the cluster class name; `defaultCommand` the interpreter (this node binary).
 */
export function resolveJobOptions(
  explicit: JobQueueOptions,
  fileDefaults: JobQueueOptions,
  ctx: { defaultName: string; defaultCommand: string; systemOptions?: SystemOptionsSpec },
): ResolvedJobOptions {
  const systemNames = ctx.systemOptions?.names ?? [];
  checkOptionNames(explicit, "options", systemNames);
  const merged: Record<string, unknown> = { ...fileDefaults };
  for (const [k, v] of Object.entries(explicit)) if (v !== undefined) merged[k] = v;
  const rawSystem: Record<string, unknown> = {};
  for (const k of systemNames) {
    if (merged[k] !== undefined) rawSystem[k] = merged[k];
    delete merged[k];
  }
  const o = merged as JobQueueOptions;

  if (o.cores === undefined || o.memory === undefined) {
    throw new JobQueueConfigError(
      `you must say how many cores and how much memory each job has (missing: ${[
        o.cores === undefined ? "cores" : "",
        o.memory === undefined ? "memory" : "",
      ].filter(Boolean).join(", ")}); e.g. {cores: 2, memory: '4GB'}, or set them in the site's jobqueue.yaml`,
    );
  }
  const cores = positiveInt("cores", o.cores);
  let memoryBytes: number;
  try {
    memoryBytes = parseBytes(o.memory, "memory");
  } catch (e) {
    throw new JobQueueConfigError((e as Error).message);
  }
  if (memoryBytes <= 0) bad("memory", o.memory, "use a size > 0 such as '4GB'");
  const processes = o.processes === undefined ? defaultProcesses(cores) : positiveInt("processes", o.processes);
  if (processes > cores) {
    throw new JobQueueConfigError(`processes: ${processes} is more than cores (${cores}); each worker process needs at least one core`);
  }
  const nthreads = Math.max(1, Math.floor(cores / processes));

  let deathTimeoutS: number;
  try {
    deathTimeoutS = parseDuration(o.deathTimeout ?? JOB_QUEUE_DEFAULTS.deathTimeout, "deathTimeout");
  } catch (e) {
    throw new JobQueueConfigError((e as Error).message);
  }

  const walltime = o.walltime === null ? undefined : optString("walltime", o.walltime ?? JOB_QUEUE_DEFAULTS.walltime);
  let walltimeS: number | undefined;
  if (walltime !== undefined) {
    if (!/^(\d+-)?\d+(:\d+){0,2}$/.test(walltime.trim())) {
      bad("walltime", walltime, "use the batch system's clock form: 'HH:MM:SS', 'MM', 'MM:SS', 'D-HH' or 'D-HH:MM:SS' (e.g. '00:30:00')");
    }
    // A bare number is minutes for SLURM/PBS; parseDuration reads it as seconds.
    walltimeS = /^\d+$/.test(walltime.trim()) ? Number(walltime) * 60 : parseDuration(walltime, "walltime");
    if (walltimeS <= 0) bad("walltime", walltime, "use a time limit > 0");
  }

  const jobCpu = o.jobCpu === undefined || o.jobCpu === null ? undefined : positiveInt("jobCpu", o.jobCpu);
  const maxJobs = o.maxJobs === undefined || o.maxJobs === null ? Number.POSITIVE_INFINITY : positiveInt("maxJobs", o.maxJobs);
  const nWorkers = o.nWorkers === undefined ? 0 : nonNegativeInt("nWorkers", o.nWorkers);
  if (o.nanny !== undefined && typeof o.nanny !== "boolean") bad("nanny", o.nanny, "use true or false");
  const name = optString("name", o.name) ?? ctx.defaultName;
  if (!/^[A-Za-z0-9._-]+$/.test(name)) bad("name", name, "use letters, digits, '.', '_' and '-' only (it prefixes worker names)");
  const jobName = optString("jobName", o.jobName) ?? JOB_QUEUE_DEFAULTS.jobName;
  if (/\s/.test(jobName)) bad("jobName", jobName, "use a name without spaces");
  const shebang = optString("shebang", o.shebang) ?? JOB_QUEUE_DEFAULTS.shebang;
  if (!shebang.startsWith("#!")) bad("shebang", shebang, "start it with '#!', e.g. '#!/usr/bin/env bash'");

  return {
    cores,
    memoryBytes,
    processes,
    nthreads,
    workerMemoryBytes: Math.floor(memoryBytes / processes),
    queue: optString("queue", o.queue),
    account: optString("account", o.account),
    walltime: walltime?.trim(),
    walltimeS,
    jobCpu,
    jobMem: optString("jobMem", o.jobMem),
    jobName,
    jobExtraDirectives: stringList("jobExtraDirectives", o.jobExtraDirectives),
    jobDirectivesSkip: stringList("jobDirectivesSkip", o.jobDirectivesSkip),
    jobScriptPrologue: stringList("jobScriptPrologue", o.jobScriptPrologue),
    jobScriptEpilogue: stringList("jobScriptEpilogue", o.jobScriptEpilogue),
    shebang,
    localDirectory: optString("localDirectory", o.localDirectory, expandableProblem),
    logDirectory: optString("logDirectory", o.logDirectory),
    deathTimeoutS,
    nanny: o.nanny ?? JOB_QUEUE_DEFAULTS.nanny,
    interface: optString("interface", o.interface),
    workerExtraArgs: stringList("workerExtraArgs", o.workerExtraArgs, expandableProblem),
    command: optString("command", o.command) ?? ctx.defaultCommand,
    schedulerOptions: resolveSchedulerOptions(o.schedulerOptions),
    name,
    nWorkers,
    maxJobs,
    system: ctx.systemOptions ? ctx.systemOptions.resolve(rawSystem) : {},
  };
}

/** A batch system's own options: their names, and how to validate them (throwing JobQueueConfigError). */
export interface SystemOptionsSpec {
  readonly names: readonly string[];
  resolve(raw: Record<string, unknown>): Record<string, unknown>;
}
