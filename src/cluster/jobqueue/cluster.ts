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
import type { JobsSnapshot, JobState as DashboardJobState, LogEntry } from "../../dashboard/source.js";
import { workerLogEntries } from "./job-logs.js";
import type { Cluster } from "../cluster.js";
import { Adaptive, type AdaptOptions } from "../adaptive/adaptive.js";
import type { AdaptiveJob } from "../adaptive/policy.js";
import { loadJobQueueConfig } from "../config/jobqueue-config.js";
import { ENDED_STATES, parseJobId, type BatchSystem, type JobStatusRow } from "./batch-system.js";
import { BatchCommandError, JobQueueConfigError, JobsFailingError } from "./errors.js";
import { guardJobs, unguardJobs } from "./exit-guard.js";
import { jobInfo, jobNameOfWorker, jobView, newJobRecord, type JobInfo, type JobRecord } from "./job-record.js";
import { resolveJobOptions, type JobQueueOptions, type ResolvedJobOptions } from "./options.js";
import {
  DEFAULT_FAILURE_POLICY,
  NO_FAILURES,
  reconcile,
  recordJobEnd,
  recordWorkerConnected,
  type FailurePolicy,
  type FailureState,
} from "./reconcile.js";
import { renderClusterView } from "./repl-view.js";
import { checkResult, runCommand, runCommandSync, type CommandRunner } from "./run-command.js";
import { renderJobScript } from "./script.js";
import { schedulerHost, startScheduler, type SchedulerPort, type WorkerSnapshot } from "./scheduler-port.js";

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
  /** Read the site's jobqueue.yaml and TESSERA_JOBQUEUE__* variables; default true. */
  siteConfig?: boolean;
  /** Environment for site configuration lookup (default process.env). */
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  /** Runs batch-system commands (tests may wrap it). */
  runner?: CommandRunner;
}

const CLUSTER_ONLY_KEYS = ["security", "preflight", "pollInterval", "lostJobTimeout", "failurePolicy", "siteConfig", "env", "log", "runner"] as const;

/** `scale()` arguments: a number of workers, or jobs / cores / memory (the largest wins, as dask). */
export type ScaleRequest = number | { workers?: number; jobs?: number; cores?: number; memory?: string | number };

/** The absolute path of the worker entry point (dist/src/cli/main.js) that job scripts run. */
export const WORKER_ENTRY = fileURLToPath(new URL("../../cli/main.js", import.meta.url));

const ENDED_HISTORY = 50;
/** Default: a running job whose workers all left this long ago is cancelled and replaced (dask's lost-worker-timeout). */
const LOST_JOB_TIMEOUT_S = 15;

export class JobQueueCluster implements Cluster {
  readonly options: ResolvedJobOptions;
  readonly batchSystem: BatchSystem;
  readonly log: Logger;
  readonly #className: string;
  readonly #clusterOpts: JobQueueClusterOptions;
  readonly #run: CommandRunner;
  readonly #failurePolicy: FailurePolicy;
  readonly #pollMs: number;
  readonly #lostJobMs: number;
  readonly #submitDir = process.cwd();
  #security: Security | undefined;
  #scheduler: SchedulerPort | undefined;
  #workDir: string | undefined;
  #secretFile: string | undefined;
  #jobs = new Map<string, JobRecord>();
  #ended: JobRecord[] = [];
  #desiredJobs = 0;
  #nextIndex = 0;
  #failures: FailureState = NO_FAILURES;
  #problem: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stepChain: Promise<void> = Promise.resolve();
  #stepQueued = false;
  #adaptive: Adaptive | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #starting: Promise<this> | undefined;
  #busyCoreSeconds = 0;
  #heldCoreSecondsEnded = 0;
  #pending = new Set<Promise<unknown>>();
  #lastPollMs = 0;

  constructor(system: BatchSystem, className: string, opts: JobQueueClusterOptions = {}) {
    this.batchSystem = system;
    this.#className = className;
    this.#clusterOpts = opts;
    const jobOpts: Record<string, unknown> = { ...opts };
    for (const k of CLUSTER_ONLY_KEYS) delete jobOpts[k];
    const site = opts.siteConfig === false ? {} : loadJobQueueConfig(system.name, opts.env ?? process.env);
    this.options = resolveJobOptions(jobOpts as JobQueueOptions, site, { defaultName: className, defaultCommand: process.execPath });
    const wallErr = this.options.walltime !== undefined ? system.checkWalltime?.(this.options.walltime) : undefined;
    if (wallErr) throw new JobQueueConfigError(wallErr);
    this.#run = opts.runner ?? runCommand;
    this.#failurePolicy = { ...DEFAULT_FAILURE_POLICY, ...opts.failurePolicy };
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
    this.#scheduler.addPlugin({
      name: "jobqueue-cluster",
      addWorker: () => this.#kick(),
      removeWorker: () => this.#kick(),
      transition: (_key, _from, to, info) => {
        if ((to === "memory" || to === "erred") && info.duration !== undefined) this.#busyCoreSeconds += info.duration;
      },
    });
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
    if (!this.#security) throw new Error(`${this.#className} is not started; await cluster.start() first`);
    return this.#security;
  }

  get dashboardLink(): string | undefined {
    return this.#scheduler?.dashboardLink;
  }

  /** The scheduler's view of connected workers. */
  get workers(): WorkerSnapshot[] {
    return this.#scheduler?.workers() ?? [];
  }

  /** Jobs submitted and not yet gone, with live batch-system status and their workers. */
  get jobs(): JobInfo[] {
    this.#syncWorkers();
    return [...this.#jobs.values()].map(jobInfo);
  }

  /** Recently ended jobs (newest last). */
  get endedJobs(): JobInfo[] {
    return this.#ended.map(jobInfo);
  }

  /** Set when something stops the cluster from reaching its size (e.g. jobs keep failing). */
  get problem(): string | undefined {
    return this.#problem;
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

  #renderScript(workerName: string): string {
    const address = this.#scheduler?.address ?? "tcp://<scheduler-address>:<port>";
    return renderJobScript(this.batchSystem, this.options, { schedulerAddress: address, workerName, workerEntry: WORKER_ENTRY });
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
      if (!["workers", "jobs", "cores", "memory"].includes(k)) throw new JobQueueConfigError(`scale: unknown key '${k}'; use workers, jobs, cores or memory`);
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
    await this.start();
    if (this.#adaptive) {
      this.#adaptive.stop();
      this.#adaptive = undefined;
    }
    this.#desiredJobs = jobs;
    // A fresh request is a fresh chance after earlier failures.
    if (this.#failures.gaveUp) {
      this.#failures = NO_FAILURES;
      this.#problem = undefined;
    }
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
        adaptiveJobs: () => this.#adaptiveJobs(),
        applyAdaptive: (target, close) => this.#applyAdaptive(target, close),
        onAdaptiveError: (err) => this.log.warn({ err }, "adaptive round failed"),
      },
      opts,
    );
    this.#adaptive = adaptive;
    adaptive.start();
    return adaptive;
  }

  #adaptiveJobs(): AdaptiveJob[] {
    const busy = this.#busyWorkerNames();
    return [...this.#jobs.values()]
      .filter((j) => j.phase === "submitting" || j.phase === "queued" || j.phase === "running")
      .map((j) => ({
        name: j.name,
        started: j.phase === "running",
        idle: ![...j.workers].some((w) => busy.has(w)),
        submittedAtMs: j.submittedAtMs,
      }));
  }

  async #applyAdaptive(targetJobs: number, close: readonly string[]): Promise<void> {
    for (const name of close) {
      const j = this.#jobs.get(name);
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
      if (this.#failures.gaveUp) throw new JobsFailingError(this.#failures.gaveUp);
      if (this.#closed) throw new Error(`${this.#className} closed while waiting for ${n} workers`);
      if (Date.now() > deadline) {
        throw new Error(
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
    this.#syncWorkers();
    this.#cancelLostJobs();
    const busy = this.#busyWorkerNames();
    const plan = reconcile({
      desiredJobs: this.#desiredJobs,
      maxJobs: this.options.maxJobs,
      jobs: [...this.#jobs.values()].map((j) => jobView(j, ![...j.workers].some((w) => busy.has(w)))),
      nowMs: Date.now(),
      failures: this.#failures,
    });
    for (const name of [...plan.cancel, ...plan.retire]) {
      const j = this.#jobs.get(name);
      if (j) this.#removeJob(j);
    }
    if (plan.submit > 0) {
      const results = await Promise.allSettled(Array.from({ length: plan.submit }, () => this.#submitOne()));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed && o.throwSubmitErrors) throw failed.reason;
    }
  }

  /** Read the batch queue and update our jobs; detect jobs that ended. */
  async #poll(): Promise<void> {
    const ids = [...this.#jobs.values()].filter((j) => j.jobId !== undefined).map((j) => j.jobId!);
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
    const byId = new Map(rows.map((r) => [r.jobId, r]));
    const now = Date.now();
    for (const j of [...this.#jobs.values()]) {
      if (j.jobId === undefined || j.phase === "ended") continue;
      const row = byId.get(j.jobId);
      if (!row) {
        // Not even listed as ended: purged from the controller's memory. It is over.
        this.#jobEnded(j, j.state === "SUBMITTING" ? "UNKNOWN" : j.state, "no longer listed by the batch system");
        continue;
      }
      j.state = row.state;
      j.reason = row.reason;
      j.timeLeftS = row.timeLeftS;
      if (row.state === "RUNNING" || row.state === "COMPLETING") {
        j.startTimeMs = row.startTimeMs ?? j.startTimeMs;
        j.runningSinceMs ??= row.startTimeMs !== undefined ? Math.min(row.startTimeMs, now) : now;
      } else if (row.state === "PENDING") {
        j.startTimeMs = row.startTimeMs; // the expected start, when SLURM has one
      }
      if (ENDED_STATES.has(row.state)) this.#jobEnded(j, row.state, row.reason, row.endTimeMs);
    }
  }

  /** Match connected workers to jobs (by name: '<job>' or '<job>-<i>'). */
  #syncWorkers(): void {
    const workers = this.#scheduler?.workers() ?? [];
    const now = Date.now();
    const byJob = new Map<string, string[]>();
    const names = [...this.#jobs.keys()];
    for (const w of workers) {
      const job = jobNameOfWorker(w.name, names);
      if (job) (byJob.get(job) ?? byJob.set(job, []).get(job)!).push(w.name);
    }
    for (const j of this.#jobs.values()) {
      const ws = byJob.get(j.name) ?? [];
      if (ws.length > 0 || j.workers.size > 0) j.lastWorkerSeenMs = now;
      j.workers = new Set(ws);
      if (ws.length > 0 && !j.everConnected) {
        j.everConnected = true;
        j.firstWorkerAtMs = now;
        this.#failures = recordWorkerConnected(this.#failures);
        if (this.#problem && !this.#failures.gaveUp) this.#problem = undefined;
      }
      if (ws.length > 0 && j.phase === "queued") j.phase = "running";
    }
  }

  /** Jobs still running whose workers all left long ago (crashed, hung) hold cores for nothing. */
  #cancelLostJobs(): void {
    const now = Date.now();
    const lost = [...this.#jobs.values()].filter(
      (j) => j.phase === "running" && j.wanted && j.workers.size === 0 && j.lastWorkerSeenMs !== undefined && now - j.lastWorkerSeenMs > this.#lostJobMs,
    );
    if (lost.length === 0) return;
    this.log.warn({ jobs: lost.map((j) => j.jobId) }, `jobs whose workers left ${this.#lostJobMs / 1000} s ago; cancelling and replacing them`);
    void this.#track(this.#cancel(lost));
  }

  #busyWorkerNames(): Set<string> {
    return new Set((this.#scheduler?.workers() ?? []).filter((w) => w.processing > 0).map((w) => w.name));
  }

  async #submitOne(): Promise<void> {
    const name = `${this.options.name}-${this.#nextIndex++}`;
    const j = newJobRecord(name, Date.now());
    this.#jobs.set(name, j);
    try {
      const script = this.#renderScript(name);
      const path = join(this.#workDir!, `${name}.sh`);
      await writeFile(path, script, { mode: 0o600 });
      j.scriptPath = path;
      const argv = this.batchSystem.submitCommand(path);
      // TESSERA_SECRET_FILE (and TESSERA_TLS_* with TLS): sbatch passes the environment to the job.
      const env: NodeJS.ProcessEnv = { ...process.env };
      // A secret inherited from this shell (another cluster's) would win over the file: drop it.
      for (const k of ["TESSERA_SECRET", "TESSERA_TLS_CERT", "TESSERA_TLS_KEY", "TESSERA_TLS_CA"]) delete env[k];
      Object.assign(env, Security.toEnv(this.#security!, this.#secretFile!, this.#workDir!));
      const r = await this.#run(argv, { env, timeoutMs: 60_000 });
      checkResult(`submitting job ${name}`, argv, r);
      const id = parseJobId(this.batchSystem, r.stdout);
      if (id === undefined) {
        throw new BatchCommandError(`submitting job ${name}: no job id in the output of ${argv.join(" ")}: ${r.stdout.trim()}`, argv, r.code, r.stdout, r.stderr);
      }
      j.jobId = id;
      j.state = "PENDING";
      if (j.phase === "submitting") j.phase = "queued";
      this.log.info({ job: name, jobId: id }, "job submitted");
      // Removed (scale down, close) while sbatch ran: cancel it now that it has an id.
      if (!j.wanted || this.#closed) await this.#cancel([j]);
    } catch (err) {
      this.#jobs.delete(name);
      const msg = err instanceof Error ? err.message : String(err);
      this.#failures = recordJobEnd(this.#failures, { connected: false, wanted: true, nowMs: Date.now(), description: msg }, this.#failurePolicy);
      this.#problem = this.#failures.gaveUp ?? msg;
      this.log.error({ job: name, err: msg }, "job submission failed");
      throw err;
    }
  }

  /** Take a job out of the wanted set: cancel it if it has no workers, else retire them first. */
  #removeJob(j: JobRecord): void {
    if (!j.wanted) return;
    j.wanted = false;
    if (j.jobId === undefined) return; // #submitOne cancels it once sbatch answers
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
    for (const j of jobs) {
      j.wanted = false;
      if (j.phase !== "ended") j.phase = "cancelling";
    }
    if (ids.length === 0) return;
    const argv = this.batchSystem.cancelCommand(ids);
    const r = await this.#run(argv, { timeoutMs: 30_000 });
    if (r.code !== 0) this.log.warn({ argv, stderr: r.stderr.trim() }, "cancel command failed");
  }

  #jobEnded(j: JobRecord, state: JobRecord["state"], reason: string | undefined, endTimeMs?: number): void {
    if (j.phase === "ended") return;
    const now = Date.now();
    // The batch system's end time (whole seconds) when it has one: we notice ends up to a poll late.
    const endedAt = endTimeMs !== undefined && j.runningSinceMs !== undefined ? Math.max(j.runningSinceMs, Math.min(now, endTimeMs)) : now;
    j.phase = "ended";
    j.state = state;
    j.reason = reason;
    j.endedAtMs = endedAt;
    this.#jobs.delete(j.name);
    this.#ended.push(j);
    if (this.#ended.length > ENDED_HISTORY) this.#ended.shift();
    if (j.runningSinceMs !== undefined) this.#heldCoreSecondsEnded += (this.options.jobCpu ?? this.options.cores) * ((endedAt - j.runningSinceMs) / 1000);
    if (!j.wanted) return;
    let description = `job ${j.jobId} (${j.name}) ended ${state}${reason ? ` (${reason})` : ""}`;
    if (!j.everConnected) {
      description += " before any of its workers connected" + this.#logTail(j);
      this.log.error({ job: j.name, jobId: j.jobId, state, reason }, description);
    } else {
      this.log.warn({ job: j.name, jobId: j.jobId, state, reason }, `${description}; replacing it`);
    }
    this.#failures = recordJobEnd(this.#failures, { connected: j.everConnected, wanted: true, nowMs: now, description }, this.#failurePolicy);
    if (!j.everConnected) this.#problem = this.#failures.gaveUp ?? description;
    // Replacing it is the next reconcile step's job (desiredJobs is unchanged).
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
    const ids = [...this.#jobs.values()].filter((j) => j.jobId !== undefined).map((j) => j.jobId!);
    if (ids.length > 0) runCommandSync(this.batchSystem.cancelCommand(ids));
    for (const j of this.#jobs.values()) j.wanted = false;
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
    const running = [...this.#jobs.values()].filter((j) => j.workers.size > 0);
    if (running.length > 0 && this.#scheduler) {
      const names = running.flatMap((j) => [...j.workers]);
      await Promise.race([
        this.#scheduler.retireWorkers({ names, closeWorkers: true }).catch(() => []),
        new Promise((r) => setTimeout(r, Math.min(5000, timeoutMs)).unref()),
      ]);
    }
    await Promise.allSettled([...this.#pending]);
    await this.#cancel([...this.#jobs.values()]);
    while (this.#jobs.size > 0 && Date.now() < deadline) {
      await this.#poll();
      if (this.#jobs.size > 0) await new Promise((r) => setTimeout(r, 100));
    }
    if (this.#jobs.size > 0) {
      this.log.warn({ jobs: [...this.#jobs.values()].map((j) => j.jobId) }, "jobs still listed after close; cancelled again");
      this.cancelAllJobsSync();
    }
    unguardJobs(this);
    await this.#scheduler?.close();
    if (this.#workDir) rmSync(this.#workDir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ------------------------------------------------------------------ views

  /** The last lines a worker logged, read from its job's output files (for the dashboard). */
  async workerLog(address: string, limit = 200): Promise<LogEntry[]> {
    const w = this.workers.find((x) => x.address === address || x.name === address);
    if (!w) throw new Error(`no worker ${address} in ${this.#className} '${this.options.name}'`);
    const jobs = [...this.#jobs.values(), ...this.#ended];
    const jobName = jobNameOfWorker(w.name, jobs.map((j) => j.name));
    const job = jobs.find((j) => j.name === jobName);
    if (!job?.jobId) throw new Error(`worker ${w.name} belongs to no job of this cluster`);
    const entries: LogEntry[] = [];
    for (const f of this.batchSystem.logFiles(this.options, job.jobId, this.#submitDir)) {
      const text = await readFile(f, "utf8").catch(() => "");
      entries.push(...workerLogEntries(text, w.name, limit, job.runningSinceMs ?? job.submittedAtMs));
    }
    return entries.sort((a, b) => a.time - b.time).slice(-limit);
  }

  /** For the dashboard's Jobs page and the adaptive-efficiency figure. */
  jobsSnapshot(): JobsSnapshot {
    const now = Date.now();
    const cores = this.options.jobCpu ?? this.options.cores;
    let held = this.#heldCoreSecondsEnded;
    for (const j of this.#jobs.values()) if (j.runningSinceMs !== undefined) held += cores * ((now - j.runningSinceMs) / 1000);
    return {
      system: this.batchSystem.name.toUpperCase(),
      coreSecondsHeld: held,
      coreSecondsBusy: this.#busyCoreSeconds,
      jobs: [...this.#jobs.values()].map((j) => {
        const v = {
          id: j.jobId ?? j.name,
          state: dashboardState(j.state),
          workers: [...j.workers],
          cores,
          submittedAt: j.submittedAtMs,
          ...(j.reason !== undefined ? { reason: j.reason } : {}),
          // SLURM reports a pending job's full time limit as its time left; the page shows "–" until it runs.
          ...(j.timeLeftS !== undefined && j.runningSinceMs !== undefined ? { walltimeLeftS: j.timeLeftS } : {}),
          ...(j.runningSinceMs !== undefined ? { startedAt: j.runningSinceMs } : {}),
        };
        return v;
      }),
    };
  }

  #summary() {
    const ws = this.workers;
    const a = this.#adaptive;
    return {
      className: this.#className,
      name: this.options.name,
      schedulerAddress: this.#scheduler?.address ?? "(not started)",
      dashboardLink: this.dashboardLink,
      workers: ws.length,
      cores: ws.reduce((s, w) => s + w.nthreads, 0),
      memoryBytes: ws.reduce((s, w) => s + w.memoryLimit, 0),
      desiredJobs: this.#desiredJobs,
      adaptive: a ? `${a.minimumJobs}–${a.maximumJobs === Infinity ? "∞" : a.maximumJobs} jobs` : undefined,
      problem: this.#problem,
    };
  }

  toString(): string {
    return renderClusterView(this.#summary(), this.jobs);
  }

  [inspect.custom](): string {
    return this.toString();
  }

  #requireScheduler(): SchedulerPort {
    if (this.#closed) throw new Error(`${this.#className} '${this.options.name}' is closed`);
    if (!this.#scheduler) throw new Error(`${this.#className} is not started; use 'await ${this.#className}.create(options)' or 'await cluster.start()'`);
    return this.#scheduler;
  }
}

function dashboardState(s: JobRecord["state"]): DashboardJobState {
  switch (s) {
    case "SUBMITTING":
    case "PENDING":
    case "CONFIGURING":
    case "SUSPENDED":
      return "pending";
    case "RUNNING":
      return "running";
    case "COMPLETING":
      return "completing";
    case "COMPLETED":
      return "completed";
    case "CANCELLED":
      return "cancelled";
    case "TIMEOUT":
    case "DEADLINE":
      return "timeout";
    case "FAILED":
    case "NODE_FAIL":
    case "OUT_OF_MEMORY":
    case "BOOT_FAIL":
    case "PREEMPTED":
      return "failed";
    default:
      return "unknown";
  }
}

