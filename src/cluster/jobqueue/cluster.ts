/**
 * JobQueueCluster: a scheduler in this process and workers as batch jobs. The IO shell around the
 * pure parts: options.ts (what a job is), script.ts (its script), reconcile.ts (what to submit or
 * cancel), ../adaptive (how many jobs to hold). Every `pollInterval` one step runs: read the queue
 * (`squeue`), match connected workers to jobs, reconcile. A batch system is data (batch-system.ts).
 */
import { createWorkDir, sweepStaleWorkDirs } from "./work-dirs.js";
import { mkdirSync, readFileSync, existsSync, rmSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { randomBytes } from "node:crypto";
import { Security } from "../../protocol/index.js";
import { parseBytes } from "../../util/sizes.js";
import { parseDuration } from "../../util/durations.js";
import { createLogger, type Logger } from "../../util/log.js";
import type { LevelWithSilent } from "pino";
import type { JobsSnapshot, LogEntry } from "../../dashboard/source.js";
import { workerLogEntries } from "./job-logs.js";
import type { Cluster } from "../cluster.js";
import { Adaptive, type AdaptOptions } from "../adaptive/adaptive.js";
import { loadJobQueueConfig } from "../config/jobqueue-config.js";
import { parseJobId, type BatchSystem, type JobArraySupport, type JobStatusRow } from "./batch-system.js";
import { BatchCommandError, JobQueueConfigError, JobsFailingError } from "./errors.js";
import { guardJobs, unguardJobs } from "./exit-guard.js";
import { jobInfo, jobNameOfWorker, type JobInfo, type JobRecord } from "./job-record.js";
import { JobTable, type JobEnd } from "./job-table.js";
import { jobEnvironment } from "./job-env.js";
import { resolveJobOptions, type JobQueueOptions, type ResolvedJobOptions } from "./options.js";
import { reconcile, type FailurePolicy } from "./reconcile.js";
import { renderClusterView } from "./repl-view.js";
import { checkResult, runCommand, runCommandSync, type CommandRunner } from "./run-command.js";
import { renderJobScript } from "./script.js";
import type { SchedulerPlugin } from "../../scheduler/plugin.js";
import { schedulerHost, startScheduler, type SchedulerPort, type WorkerSnapshot } from "./scheduler-port.js";
import { startSchedulerJob, type SchedulerJob } from "./scheduler-job.js";
import { ClosedError, TimeoutError, UsageError } from "../../util/errors.js";

/** Options of the cluster object itself (beyond the per-job options). */
export interface JobQueueClusterOptions extends JobQueueOptions {
  /** Shared secret (and TLS) for scheduler and workers; default: a fresh temporary secret. */
  security?: Security;
  /** Check the request against the batch system (e.g. `sinfo`) before submitting; default true. */
  preflight?: boolean;
  /** How often to read the batch queue; seconds or a duration, default 1 s. */
  pollInterval?: number | string;
  /** A job still running whose workers all left this long ago is cancelled and replaced; default 15 s. */
  lostJobTimeout?: number | string;
  /** Backoff and give-up rule for jobs that end before their workers connect. */
  failurePolicy?: Partial<FailurePolicy>;
  /**
   * Run the scheduler in a batch job of its own (for login nodes that refuse inbound connections):
   * this process connects to it outward; its dashboard is reached through the printed SSH tunnel.
   */
  schedulerJob?: boolean;
  /** How long to wait for the scheduler job to start (it may queue); default 10 minutes. */
  schedulerJobTimeout?: number | string;
  /** Read the site's jobqueue.yaml and TESSERA_JOBQUEUE__* variables; default true. */
  siteConfig?: boolean;
  /** Environment for site configuration lookup (default process.env). */
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  /** Runs batch-system commands (tests may wrap it). */
  runner?: CommandRunner;
}

const CLUSTER_ONLY_KEYS = [
  "security", "preflight", "pollInterval", "lostJobTimeout", "failurePolicy", "siteConfig", "env", "log", "runner", "schedulerJob", "schedulerJobTimeout",
] as const;

/** `scale()` arguments: a number of workers, or jobs / cores / memory (the largest wins, as dask). */
export type ScaleRequest = number | { workers?: number; jobs?: number; cores?: number; memory?: string | number; array?: boolean };

/** The absolute path of the worker entry point (dist/src/cli/main.js) that job scripts run. */
export const WORKER_ENTRY = fileURLToPath(new URL("../../cli/main.js", import.meta.url));

/** Default: a running job whose workers all left this long ago is cancelled and replaced (dask's lost-worker-timeout). */
const LOST_JOB_TIMEOUT_S = 15;

export class JobQueueCluster implements Cluster {
  readonly options: ResolvedJobOptions;
  readonly batchSystem: BatchSystem;
  readonly log: Logger;
  readonly #className: string;
  readonly #clusterOpts: JobQueueClusterOptions;
  readonly #run: CommandRunner;
  readonly #table: JobTable;
  readonly #pollMs: number;
  readonly #lostJobMs: number;
  readonly #submitDir = process.cwd();
  #security: Security | undefined;
  #scheduler: SchedulerPort | undefined;
  #schedulerJob: SchedulerJob | undefined;
  #workDir: string | undefined;
  #secretFile: string | undefined;
  #desiredJobs = 0;
  #nextIndex = 0;
  /** Submit new jobs as job arrays (scale({..., array: true})). */
  #useArrays = false;
  #timer: NodeJS.Timeout | undefined;
  #stepChain: Promise<void> = Promise.resolve();
  #stepQueued = false;
  #adaptive: Adaptive | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #starting: Promise<this> | undefined;
  #pending = new Set<Promise<unknown>>();
  #lastPollMs = 0;

  constructor(system: BatchSystem, className: string, opts: JobQueueClusterOptions = {}) {
    this.batchSystem = system;
    this.#className = className;
    this.#clusterOpts = opts;
    const jobOpts: Record<string, unknown> = { ...opts };
    for (const k of CLUSTER_ONLY_KEYS) delete jobOpts[k];
    const systemNames = system.options?.names ?? [];
    const site = opts.siteConfig === false ? {} : loadJobQueueConfig(system.name, opts.env ?? process.env, systemNames);
    this.options = resolveJobOptions(jobOpts as JobQueueOptions, site, {
      defaultName: className,
      defaultCommand: process.execPath,
      ...(system.options ? { systemOptions: system.options } : {}),
    });
    const wallErr = this.options.walltime !== undefined ? system.checkWalltime?.(this.options.walltime) : undefined;
    if (wallErr) throw new JobQueueConfigError(wallErr);
    this.#run = opts.runner ?? runCommand;
    this.#table = new JobTable({ coresPerJob: this.options.jobCpu ?? this.options.cores, ...(opts.failurePolicy ? { failurePolicy: opts.failurePolicy } : {}) });
    this.#pollMs = parseDuration(opts.pollInterval ?? 1, "pollInterval") * 1000;
    this.#lostJobMs = parseDuration(opts.lostJobTimeout ?? LOST_JOB_TIMEOUT_S, "lostJobTimeout") * 1000;
    // Quiet by default in a REPL, like dask-jobqueue's silence_logs="error": the Client and the cluster
    // views show the state; TESSERA_LOG_LEVEL=info brings the log lines back.
    this.log =
      opts.log ??
      createLogger(`tessera.${system.name}-cluster`, {
        bindings: { cluster: this.options.name },
        ...(process.env["TESSERA_LOG_LEVEL"] ? {} : { level: "warn" as const }),
      });
    // dask-jobqueue creates the log directory at construction, so the first job can write there.
    if (this.options.logDirectory !== undefined) mkdirSync(resolve(this.options.logDirectory), { recursive: true });
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Validate against the batch system, start the scheduler and the poll loop; submit `nWorkers`.
   * Idempotent: `scale`, `adapt` and `new Client(cluster)` call it, so `new SLURMCluster({...})`
   * followed by `new Client(cluster)` works as in dask-jobqueue.
   */
  start(): Promise<this> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  /** Resolves once the scheduler runs (what a Client waits for before connecting). */
  async ready(): Promise<void> {
    await this.start();
  }

  async #start(): Promise<this> {
    if (this.#scheduler) return this;
    if (this.#clusterOpts.preflight !== false) await this.preflight();
    this.#security = this.#clusterOpts.security ?? Security.temporary();
    const root = join(homedir(), ".tessera", "jobqueue");
    // what a cluster killed with SIGKILL left behind (its secret among it) goes now
    const swept = await sweepStaleWorkDirs(root);
    if (swept.length > 0) this.log.info({ removed: swept }, "removed folders of batch clusters that died without closing");
    this.#workDir = join(root, `${this.options.name}-${process.pid}-${randomBytes(4).toString("hex")}`);
    await createWorkDir(this.#workDir);
    // The secret goes to a 0600 file the jobs read (TESSERA_SECRET_FILE), never into a script.
    this.#secretFile = await Security.writeSecretFile(this.#security, this.#workDir);
    const so = this.options.schedulerOptions;
    if (this.#clusterOpts.schedulerJob === true) {
      this.#schedulerJob = await startSchedulerJob({
        system: this.batchSystem,
        options: this.options,
        security: this.#security,
        secretFile: this.#secretFile,
        workDir: this.#workDir,
        submitDir: this.#submitDir,
        run: this.#run,
        pollMs: this.#pollMs,
        log: this.log,
        timeoutMs: parseDuration(this.#clusterOpts.schedulerJobTimeout ?? 600, "schedulerJobTimeout") * 1000,
      });
      this.#scheduler = this.#schedulerJob.port;
    } else {
      this.#scheduler = await startScheduler({
        host: schedulerHost(so, this.options.interface),
        port: so.port ?? 0,
        security: this.#security,
        dashboardAddress: so.dashboardAddress,
        ...(so.dashboardRequireToken !== undefined ? { dashboardRequireToken: so.dashboardRequireToken } : {}),
        jobs: { jobs: () => this.jobsSnapshot() },
        workerLog: (address, limit) => this.workerLog(address, limit),
        log: createLogger("tessera.scheduler", { level: this.log.level as LevelWithSilent }),
      });
    }
    this.#scheduler.onWorkersChanged(() => this.#kick());
    this.#scheduler.onTaskTime((s) => this.#table.addBusySeconds(s));
    guardJobs(this);
    this.#timer = setInterval(() => this.#kick(), this.#pollMs);
    this.#timer.unref();
    if (this.options.nWorkers > 0) await this.scale(this.options.nWorkers);
    return this;
  }

  /** Check the request against the batch system before anything is submitted (subclasses override). */
  async preflight(): Promise<void> {}

  get schedulerAddress(): string {
    return this.#requireScheduler().address;
  }

  get security(): Security {
    if (!this.#security) throw new UsageError(`${this.#className} is not started; await cluster.start() first`);
    return this.#security;
  }

  get dashboardLink(): string | undefined {
    return this.#scheduler?.dashboardLink;
  }

  /** With `schedulerJob`: the SSH command that forwards the dashboard from the scheduler's node. */
  get dashboardTunnel(): string | undefined {
    return this.#schedulerJob?.dashboardTunnel;
  }

  /** With `schedulerJob`: the scheduler's own batch job id. */
  get schedulerJobId(): string | undefined {
    return this.#schedulerJob?.jobId;
  }

  /** The scheduler's view of connected workers. */
  get workers(): WorkerSnapshot[] {
    return this.#scheduler?.workers() ?? [];
  }

  /**
   * Watch the in-process scheduler (e.g. a notebook's per-task progress); the cluster must be started.
   * Returns false with `schedulerJob`, whose scheduler runs in a batch job.
   */
  addSchedulerPlugin(p: SchedulerPlugin): boolean {
    const s = this.#requireScheduler();
    if (!s.addPlugin) return false;
    s.addPlugin(p);
    return true;
  }

  /** Jobs submitted and not yet gone, with live batch-system status and their workers. */
  get jobs(): JobInfo[] {
    this.#syncWorkers();
    return this.#table.infos();
  }

  /** Recently ended jobs (newest last). */
  get endedJobs(): JobInfo[] {
    return this.#table.ended.map(jobInfo);
  }

  /** Set when something stops the cluster from reaching its size (e.g. jobs keep failing). */
  get problem(): string | undefined {
    return this.#table.problem;
  }

  get desiredJobs(): number {
    return this.#desiredJobs;
  }

  get adaptive(): Adaptive | undefined {
    return this.#adaptive;
  }

  /** The script a job runs (the worker name is the next job's). */
  jobScript(): string {
    return this.#renderScript(`${this.options.name}-${this.#nextIndex}`);
  }

  #renderScript(workerName: string, indexVariable?: string): string {
    const address = this.#scheduler?.address ?? "tcp://<scheduler-address>:<port>";
    return renderJobScript(this.batchSystem, this.options, {
      schedulerAddress: address,
      workerName,
      workerEntry: WORKER_ENTRY,
      ...(indexVariable ? { workerNameIndexVariable: indexVariable } : {}),
    });
  }

  // ------------------------------------------------------------------ scaling

  /** Jobs for a request: workers → ceil(n / processes); jobs, cores, memory → the largest. */
  jobsFor(req: ScaleRequest): number {
    const o = this.options;
    const check = (name: string, v: unknown) => {
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
        throw new JobQueueConfigError(`scale: ${name} ${JSON.stringify(v)} is not a number ≥ 0`);
      }
      return v;
    };
    if (typeof req === "number") return Math.ceil(check("n", req) / o.processes);
    if (typeof req !== "object" || req === null) throw new JobQueueConfigError(`scale: expected a number of workers or {jobs, cores, memory}, got ${JSON.stringify(req)}`);
    for (const k of Object.keys(req)) {
      if (!["workers", "jobs", "cores", "memory", "array"].includes(k)) throw new JobQueueConfigError(`scale: unknown key '${k}'; use workers, jobs, cores, memory or array`);
    }
    let n = 0;
    if (req.workers !== undefined) n = Math.max(n, Math.ceil(check("workers", req.workers) / o.processes));
    if (req.jobs !== undefined) n = Math.max(n, Math.ceil(check("jobs", req.jobs)));
    if (req.cores !== undefined) n = Math.max(n, Math.ceil(check("cores", req.cores) / o.cores));
    if (req.memory !== undefined) {
      let bytes: number;
      try {
        bytes = parseBytes(req.memory, "scale memory");
      } catch (e) {
        throw new JobQueueConfigError((e as Error).message);
      }
      n = Math.max(n, Math.ceil(bytes / o.memoryBytes));
    }
    return n;
  }

  /**
   * Hold this many workers/jobs. Stops adaptive scaling. Resolves once the needed jobs are
   * submitted (or cancelled); rejects with the batch system's error text if submission fails.
   */
  async scale(req: ScaleRequest): Promise<void> {
    const jobs = this.jobsFor(req);
    if (typeof req === "object" && req.array !== undefined) {
      if (typeof req.array !== "boolean") throw new JobQueueConfigError(`scale: array ${JSON.stringify(req.array)} is not true or false`);
      if (req.array && !this.batchSystem.jobArray) {
        throw new JobQueueConfigError(`scale: ${this.#className} cannot submit job arrays (${this.batchSystem.name} has none here); leave out 'array'`);
      }
      // New submissions (also adapt's) are arrays from now on; jobs already queued stay as they are.
      this.#useArrays = req.array;
    }
    await this.start();
    if (this.#adaptive) {
      this.#adaptive.stop();
      this.#adaptive = undefined;
    }
    this.#desiredJobs = jobs;
    // A fresh request is a fresh chance after earlier failures.
    this.#table.forgiveFailures();
    await this.#step({ throwSubmitErrors: true });
  }

  /** Scale with the load: see AdaptOptions. Replaces any earlier adapt(). */
  adapt(opts: AdaptOptions = {}): Adaptive {
    // Rounds ask the scheduler only once it runs; a start failure surfaces in the log and in scale().
    if (!this.#scheduler) this.start().catch((err: Error) => this.log.error({ err: err.message }, "the cluster could not start"));
    this.#adaptive?.stop();
    const adaptive = new Adaptive(
      {
        processes: this.options.processes,
        wantedWorkers: (d) => this.#scheduler?.adaptiveTarget(d) ?? 0,
        adaptiveJobs: () => this.#table.adaptiveJobs(this.#busyWorkerNames()),
        applyAdaptive: (target, close) => this.#applyAdaptive(target, close),
        onAdaptiveError: (err) => this.log.warn({ err }, "adaptive round failed"),
      },
      opts,
    );
    this.#adaptive = adaptive;
    adaptive.start();
    return adaptive;
  }

  async #applyAdaptive(targetJobs: number, close: readonly string[]): Promise<void> {
    for (const name of close) {
      const j = this.#table.get(name);
      if (j && j.phase !== "submitting") this.#removeJob(j);
    }
    this.#desiredJobs = targetJobs;
    await this.#step({ throwSubmitErrors: false });
  }

  /** Resolve when at least `n` workers are connected; reject on timeout or when jobs keep failing. */
  async waitForWorkers(n: number, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.workers.length >= n) return;
      if (this.#table.failures.gaveUp) throw new JobsFailingError(this.#table.failures.gaveUp);
      if (this.#closed) throw new ClosedError(`${this.#className} closed while waiting for ${n} workers`);
      if (Date.now() > deadline) {
        throw new TimeoutError(
          `timed out after ${timeoutMs} ms waiting for ${n} workers (have ${this.workers.length}); jobs:\n` +
            renderClusterView(this.#summary(), this.jobs),
        );
      }
      await new Promise((r) => setTimeout(r, 25).unref());
    }
  }

  // ------------------------------------------------------------------ the reconcile loop

  #kick(): void {
    if (this.#stepQueued || this.#closed) return;
    this.#stepQueued = true;
    void this.#step({ throwSubmitErrors: false }).catch((err) => this.log.warn({ err }, "reconcile step failed"));
  }

  /** One reconcile step, serialised with any other. */
  #step(o: { throwSubmitErrors: boolean }): Promise<void> {
    const run = this.#stepChain.then(() => {
      this.#stepQueued = false;
      return this.#stepOnce(o);
    });
    this.#stepChain = run.catch(() => undefined);
    return run;
  }

  async #stepOnce(o: { throwSubmitErrors: boolean }): Promise<void> {
    if (this.#closed || !this.#scheduler) return;
    // The batch system is asked at most once per poll interval, however often steps run
    // (worker events, adapt rounds): sites frown on hammering squeue.
    if (Date.now() - this.#lastPollMs >= this.#pollMs * 0.9) await this.#poll();
    try {
      await this.#scheduler.refresh(this.#adaptive?.targetDurationS);
    } catch (err) {
      this.log.warn({ err }, "cannot read the scheduler's state");
    }
    this.#syncWorkers();
    this.#cancelLostJobs();
    const plan = reconcile({
      desiredJobs: this.#desiredJobs,
      maxJobs: this.options.maxJobs,
      jobs: this.#table.views(this.#busyWorkerNames()),
      nowMs: Date.now(),
      failures: this.#table.failures,
    });
    for (const name of [...plan.cancel, ...plan.retire]) {
      const j = this.#table.get(name);
      if (j) this.#removeJob(j);
    }
    if (plan.submit > 0) {
      try {
        await this.#submit(plan.submit, this.#useArrays);
      } catch (err) {
        if (o.throwSubmitErrors) throw err;
      }
    }
  }

  /** Read the batch queue and update our jobs; report jobs that ended. */
  async #poll(): Promise<void> {
    const ids = this.#table.idsToPoll();
    if (ids.length === 0) return;
    this.#lastPollMs = Date.now();
    const argv = this.batchSystem.statusCommand(ids);
    let rows: JobStatusRow[];
    try {
      const r = await this.#run(argv, { timeoutMs: 30_000 });
      if (r.code !== 0) {
        this.log.warn({ argv, code: r.code, stderr: r.stderr.trim() }, "job status command failed; keeping the last known states");
        return;
      }
      rows = this.batchSystem.parseStatus(r.stdout);
    } catch (err) {
      this.log.warn({ err }, "job status command could not run");
      return;
    }
    for (const end of this.#table.applyStatus(rows, Date.now())) this.#reportEnd(end);
  }

  /** Log an unexpected end (with the job's log tail when no worker ever connected) and count it. */
  #reportEnd(end: JobEnd): void {
    if (!end.unexpected) return;
    const j = end.job;
    let description = end.description;
    if (!j.everConnected) {
      description += " before any of its workers connected" + this.#logTail(j);
      this.log.error({ job: j.name, jobId: j.jobId, state: j.state, reason: j.reason }, description);
    } else {
      this.log.warn({ job: j.name, jobId: j.jobId, state: j.state, reason: j.reason }, `${description}; replacing it`);
    }
    this.#table.recordEnd(end, description, Date.now());
  }

  /** Match connected workers to jobs. */
  #syncWorkers(): void {
    this.#table.syncWorkers((this.#scheduler?.workers() ?? []).map((w) => w.name), Date.now());
  }

  /** Jobs still running whose workers all left long ago (crashed, hung) hold cores for nothing. */
  #cancelLostJobs(): void {
    const lost = this.#table.lostJobs(Date.now(), this.#lostJobMs);
    if (lost.length === 0) return;
    this.log.warn({ jobs: lost.map((j) => j.jobId) }, `jobs whose workers left ${this.#lostJobMs / 1000} s ago; cancelling and replacing them`);
    void this.#track(this.#cancel(lost));
  }

  #busyWorkerNames(): Set<string> {
    return new Set((this.#scheduler?.workers() ?? []).filter((w) => w.processing > 0).map((w) => w.name));
  }

  /**
   * Submit `count` jobs: one submission each, or one job array of `count` elements whose records are
   * the elements (named '<cluster>-<k>-<index>', like their workers). Each element is then counted,
   * adapted and cancelled on its own.
   */
  async #submit(count: number, asArray: boolean): Promise<void> {
    const array = asArray ? this.batchSystem.jobArray : undefined;
    if (!array) {
      await Promise.all(Array.from({ length: count }, () => this.#submitJobs(`${this.options.name}-${this.#nextIndex++}`, undefined, 1)));
      return;
    }
    await this.#submitJobs(`${this.options.name}-${this.#nextIndex++}`, array, count);
  }

  async #submitJobs(name: string, array: JobArraySupport | undefined, count: number): Promise<void> {
    const now = Date.now();
    const indices = array ? Array.from({ length: count }, (_, i) => array.firstIndex + i) : [];
    const records = array ? indices.map((i) => this.#table.add(`${name}-${i}`, now)) : [this.#table.add(name, now)];
    try {
      // Inside an array element the shell expands the index variable into the worker name.
      const script = this.#renderScript(name, array?.indexVariable);
      const path = join(this.#workDir!, `${name}.sh`);
      // Owner-only and executable: some systems (OAR -S) run the script file itself.
      await writeFile(path, script, { mode: 0o700 });
      for (const j of records) j.scriptPath = path;
      // TESSERA_SECRET_FILE (and TESSERA_TLS_* with TLS) reach the job through the environment.
      const { env, names } = jobEnvironment(this.#security!, this.#secretFile!, this.#workDir!);
      const argv = this.batchSystem.submitCommand(path, this.options, names, array?.submitArgs(count));
      const r = await this.#run(argv, { env, timeoutMs: 60_000 });
      checkResult(`submitting job ${name}`, argv, r);
      const id = parseJobId(this.batchSystem, r.stdout);
      if (id === undefined) {
        throw new BatchCommandError(`submitting job ${name}: no job id in the output of ${argv.join(" ")}: ${r.stdout.trim()}`, argv, r.code, r.stdout, r.stderr);
      }
      records.forEach((j, k) => this.#table.submitted(j, array ? array.elementId(id, indices[k]!) : id));
      this.log.info({ job: name, jobId: id, ...(array ? { elements: count } : {}) }, array ? "job array submitted" : "job submitted");
      // Removed (scale down, close) while the submit command ran: cancel now that they have ids.
      const unwanted = records.filter((j) => !j.wanted || this.#closed);
      if (unwanted.length > 0) await this.#cancel(unwanted);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      for (const j of records) this.#table.submitFailed(j, msg, Date.now());
      this.log.error({ job: name, err: msg }, "job submission failed");
      throw err;
    }
  }

  /** Take a job out of the wanted set: cancel it if it has no workers, else retire them first. */
  #removeJob(j: JobRecord): void {
    if (!this.#table.unwant(j)) return;
    if (j.jobId === undefined) return; // #submitJobs cancels it once the submit command answers
    if (j.workers.size === 0) {
      void this.#track(this.#cancel([j]));
      return;
    }
    j.phase = "retiring";
    const names = [...j.workers];
    void this.#track(
      this.#scheduler!
        .retireWorkers({ names, closeWorkers: true })
        .catch((err) => this.log.warn({ err, job: j.name }, "retiring workers failed; cancelling the job anyway"))
        .then(() => this.#cancel([j])),
    );
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p)).catch(() => undefined);
    return p;
  }

  async #cancel(jobs: readonly JobRecord[]): Promise<void> {
    const ids = jobs.filter((j) => j.jobId !== undefined && j.phase !== "ended").map((j) => j.jobId!);
    this.#table.cancelling(jobs);
    if (ids.length === 0) return;
    const argv = this.batchSystem.cancelCommand(ids, this.options);
    const r = await this.#run(argv, { timeoutMs: 30_000 });
    // A job that ended on its own meanwhile (its workers retired) is no failure to cancel.
    const gone = /does not exist|unknown job|invalid job id|already (completed|finished)/i.test(r.stdout + r.stderr);
    if (r.code !== 0 && !gone) this.log.warn({ argv, stdout: r.stdout.trim(), stderr: r.stderr.trim() }, "cancel command failed");
  }

  /** The last lines of a job's output files, for failure reports. */
  #logTail(j: JobRecord): string {
    if (j.jobId === undefined) return "";
    const parts: string[] = [];
    for (const f of this.batchSystem.logFiles(this.options, j.jobId, this.#submitDir)) {
      if (!existsSync(f)) {
        parts.push(`\n  ${f}: (missing)`);
        continue;
      }
      const lines = readFileSync(f, "utf8").trimEnd().split("\n").slice(-20);
      parts.push(`\n  last lines of ${f}:\n${lines.map((l) => `    ${l}`).join("\n")}`);
    }
    return parts.join("");
  }

  // ------------------------------------------------------------------ closing

  /** Cancel every job synchronously (process exit / signals). */
  cancelAllJobsSync(): void {
    const ids = this.#table.idsToPoll();
    if (ids.length > 0) runCommandSync(this.batchSystem.cancelCommand(ids, this.options));
    this.#table.cancelling(this.#table.live);
    this.#schedulerJob?.cancelSync();
    // The secret file and scripts are of no use once the jobs are gone.
    if (this.#workDir) rmSync(this.#workDir, { recursive: true, force: true });
  }

  /** Retire workers, cancel every job, wait until the queue shows them gone, stop the scheduler. */
  close(opts: { timeoutMs?: number } = {}): Promise<void> {
    this.#closing ??= this.#close(opts.timeoutMs ?? 30_000);
    return this.#closing;
  }

  async #close(timeoutMs: number): Promise<void> {
    this.#adaptive?.stop();
    this.#adaptive = undefined;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#desiredJobs = 0;
    await this.#stepChain;
    this.#closed = true;
    const deadline = Date.now() + timeoutMs;
    // Graceful first (results move to peers), bounded; then cancel everything still queued.
    const running = this.#table.live.filter((j) => j.workers.size > 0);
    if (running.length > 0 && this.#scheduler) {
      const names = running.flatMap((j) => [...j.workers]);
      await Promise.race([
        this.#scheduler.retireWorkers({ names, closeWorkers: true }).catch(() => []),
        new Promise((r) => setTimeout(r, Math.min(5000, timeoutMs)).unref()),
      ]);
    }
    await Promise.allSettled([...this.#pending]);
    await this.#cancel(this.#table.live);
    while (this.#table.size > 0 && Date.now() < deadline) {
      await this.#poll();
      if (this.#table.size > 0) await new Promise((r) => setTimeout(r, 100));
    }
    if (this.#table.size > 0) {
      this.log.warn({ jobs: this.#table.idsToPoll() }, "jobs still listed after close; cancelled again");
      this.cancelAllJobsSync();
    }
    unguardJobs(this);
    await this.#scheduler?.close();
    await this.#schedulerJob?.cancel(Math.max(1000, deadline - Date.now()));
    if (this.#workDir) rmSync(this.#workDir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ------------------------------------------------------------------ views

  /** The last lines a worker logged, read from its job's output files (for the dashboard). */
  async workerLog(address: string, limit = 200): Promise<LogEntry[]> {
    const w = this.workers.find((x) => x.address === address || x.name === address);
    if (!w) throw new UsageError(`no worker ${address} in ${this.#className} '${this.options.name}'`);
    const jobs = this.#table.all;
    const jobName = jobNameOfWorker(w.name, jobs.map((j) => j.name));
    const job = jobs.find((j) => j.name === jobName);
    if (!job?.jobId) throw new UsageError(`worker ${w.name} belongs to no job of this cluster`);
    const entries: LogEntry[] = [];
    for (const f of this.batchSystem.logFiles(this.options, job.jobId, this.#submitDir)) {
      const text = await readFile(f, "utf8").catch(() => "");
      entries.push(...workerLogEntries(text, w.name, limit, job.runningSinceMs ?? job.submittedAtMs));
    }
    return entries.sort((a, b) => a.time - b.time).slice(-limit);
  }

  /** For the dashboard's Jobs page and the adaptive-efficiency figure. */
  jobsSnapshot(): JobsSnapshot {
    return this.#table.snapshot(this.batchSystem.name, Date.now());
  }

  #summary() {
    const ws = this.workers;
    const a = this.#adaptive;
    return {
      className: this.#className,
      name: this.options.name,
      schedulerAddress: this.#scheduler?.address ?? "(not started)",
      dashboardLink: this.dashboardLink,
      dashboardTunnel: this.dashboardTunnel,
      workers: ws.length,
      cores: ws.reduce((s, w) => s + w.nthreads, 0),
      memoryBytes: ws.reduce((s, w) => s + w.memoryLimit, 0),
      desiredJobs: this.#desiredJobs,
      adaptive: a ? `${a.minimumJobs}–${a.maximumJobs === Infinity ? "∞" : a.maximumJobs} jobs` : undefined,
      problem: this.#table.problem,
    };
  }

  toString(): string {
    return renderClusterView(this.#summary(), this.jobs);
  }

  [inspect.custom](): string {
    return this.toString();
  }

  #requireScheduler(): SchedulerPort {
    if (this.#closed) throw new ClosedError(`${this.#className} '${this.options.name}' is closed`);
    if (!this.#scheduler) throw new UsageError(`${this.#className} is not started; use 'await ${this.#className}.create(options)' or 'await cluster.start()'`);
    return this.#scheduler;
  }
}
