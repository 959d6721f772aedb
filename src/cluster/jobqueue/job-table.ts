/**
 * The job table, IO-free: the cluster's jobs, what the batch queue and the scheduler say of them,
 * failures, and core-seconds. Events in (a job submitted, status rows read, workers seen), decisions
 * and views out; time is passed in. cluster.ts owns the commands, files and timers around it, so
 * these rules are tested in milliseconds without a batch system (test/cluster/job-table.test.ts).
 */
import type { JobsSnapshot, JobState as DashboardJobState } from "../../dashboard/source.js";
import type { AdaptiveJob } from "../adaptive/policy.js";
import { ENDED_STATES, type JobStatusRow } from "./batch-system.js";
import { jobInfo, jobNameOfWorker, jobView, newJobRecord, type JobInfo, type JobRecord } from "./job-record.js";
import {
  DEFAULT_FAILURE_POLICY,
  NO_FAILURES,
  recordJobEnd,
  recordWorkerConnected,
  type FailurePolicy,
  type FailureState,
  type JobView,
} from "./reconcile.js";

/** Ended jobs kept for `endedJobs` and the dashboard. */
const ENDED_HISTORY = 50;

/** A job the status rows showed ended. `unexpected`: we still wanted it (the shell reports and replaces it). */
export interface JobEnd {
  readonly job: JobRecord;
  readonly unexpected: boolean;
  /** "job 12 (SLURMCluster-3) ended FAILED (NonZeroExitCode)" */
  readonly description: string;
}

export class JobTable {
  readonly #jobs = new Map<string, JobRecord>();
  readonly #ended: JobRecord[] = [];
  readonly #policy: FailurePolicy;
  /** Cores each job holds, for core-seconds. */
  readonly #coresPerJob: number;
  #failures: FailureState = NO_FAILURES;
  #problem: string | undefined;
  #busyCoreSeconds = 0;
  #heldCoreSecondsEnded = 0;

  constructor(opts: { coresPerJob: number; failurePolicy?: Partial<FailurePolicy> }) {
    this.#coresPerJob = opts.coresPerJob;
    this.#policy = { ...DEFAULT_FAILURE_POLICY, ...opts.failurePolicy };
  }

  // ------------------------------------------------------------------ reading

  /** Jobs not yet gone from the queue. */
  get live(): JobRecord[] {
    return [...this.#jobs.values()];
  }

  get size(): number {
    return this.#jobs.size;
  }

  get(name: string): JobRecord | undefined {
    return this.#jobs.get(name);
  }

  get failures(): FailureState {
    return this.#failures;
  }

  /** Set when something stops the cluster from reaching its size (jobs keep failing, submission fails). */
  get problem(): string | undefined {
    return this.#problem;
  }

  get ended(): readonly JobRecord[] {
    return this.#ended;
  }

  /** Live and recently ended jobs (for looking a worker's job up). */
  get all(): JobRecord[] {
    return [...this.#jobs.values(), ...this.#ended];
  }

  infos(): JobInfo[] {
    return this.live.map(jobInfo);
  }

  /** Ids the batch system should be asked about. */
  idsToPoll(): string[] {
    return this.live.filter((j) => j.jobId !== undefined).map((j) => j.jobId!);
  }

  /** Views for the reconcile step; `busy`: names of workers that run or hold tasks. */
  views(busy: ReadonlySet<string>): JobView[] {
    return this.live.map((j) => jobView(j, ![...j.workers].some((w) => busy.has(w))));
  }

  /** Jobs adapt may count as capacity (submitted, queued or running). */
  adaptiveJobs(busy: ReadonlySet<string>): AdaptiveJob[] {
    return this.live
      .filter((j) => j.phase === "submitting" || j.phase === "queued" || j.phase === "running")
      .map((j) => ({ name: j.name, started: j.phase === "running", idle: ![...j.workers].some((w) => busy.has(w)), submittedAtMs: j.submittedAtMs }));
  }

  // ------------------------------------------------------------------ submission

  /** A new job, before its submit command runs. */
  add(name: string, nowMs: number): JobRecord {
    const j = newJobRecord(name, nowMs);
    this.#jobs.set(name, j);
    return j;
  }

  /** The submit command answered with an id. */
  submitted(j: JobRecord, jobId: string): void {
    j.jobId = jobId;
    j.state = "PENDING";
    if (j.phase === "submitting") j.phase = "queued";
  }

  /** The submit command failed: the job never existed; it counts as a failure. */
  submitFailed(j: JobRecord, message: string, nowMs: number): void {
    this.#jobs.delete(j.name);
    this.#failures = recordJobEnd(this.#failures, { connected: false, wanted: true, nowMs, description: message }, this.#policy);
    this.#problem = this.#failures.gaveUp ?? message;
  }

  /** A fresh scale request is a fresh chance after earlier failures. */
  forgiveFailures(): void {
    if (!this.#failures.gaveUp) return;
    this.#failures = NO_FAILURES;
    this.#problem = undefined;
  }

  // ------------------------------------------------------------------ what the batch system says

  /**
   * Apply the status command's rows. Jobs the rows show ended, and jobs no longer listed at all (purged
   * from the batch system's memory), end. Returns the ends; failures are counted by `recordEnd`.
   */
  applyStatus(rows: readonly JobStatusRow[], nowMs: number): JobEnd[] {
    const byId = new Map(rows.map((r) => [r.jobId, r]));
    const ends: JobEnd[] = [];
    for (const j of this.live) {
      if (j.jobId === undefined || j.phase === "ended") continue;
      const row = byId.get(j.jobId);
      if (!row) {
        ends.push(this.#end(j, j.state === "SUBMITTING" ? "UNKNOWN" : j.state, "no longer listed by the batch system", undefined, nowMs));
        continue;
      }
      j.state = row.state;
      j.reason = row.reason;
      j.timeLeftS = row.timeLeftS;
      if (row.state === "RUNNING" || row.state === "COMPLETING") {
        j.startTimeMs = row.startTimeMs ?? j.startTimeMs;
        j.runningSinceMs ??= row.startTimeMs !== undefined ? Math.min(row.startTimeMs, nowMs) : nowMs;
      } else if (row.state === "PENDING") {
        j.startTimeMs = row.startTimeMs; // the expected start, when the system has one
      }
      if (ENDED_STATES.has(row.state)) ends.push(this.#end(j, row.state, row.reason, row.endTimeMs, nowMs));
    }
    return ends;
  }

  #end(j: JobRecord, state: JobRecord["state"], reason: string | undefined, endTimeMs: number | undefined, nowMs: number): JobEnd {
    // The batch system's end time (whole seconds) when it has one: we notice ends up to a poll late.
    const endedAt = endTimeMs !== undefined && j.runningSinceMs !== undefined ? Math.max(j.runningSinceMs, Math.min(nowMs, endTimeMs)) : nowMs;
    j.phase = "ended";
    j.state = state;
    j.reason = reason;
    j.endedAtMs = endedAt;
    this.#jobs.delete(j.name);
    this.#ended.push(j);
    if (this.#ended.length > ENDED_HISTORY) this.#ended.shift();
    if (j.runningSinceMs !== undefined) this.#heldCoreSecondsEnded += this.#coresPerJob * ((endedAt - j.runningSinceMs) / 1000);
    return { job: j, unexpected: j.wanted, description: `job ${j.jobId} (${j.name}) ended ${state}${reason ? ` (${reason})` : ""}` };
  }

  /**
   * Count an unexpected end (the shell adds the job's log tail to `description` for jobs whose workers
   * never connected). The replacement is the next reconcile step's job: desiredJobs is unchanged.
   */
  recordEnd(end: JobEnd, description: string, nowMs: number): void {
    if (!end.unexpected) return;
    const connected = end.job.everConnected;
    this.#failures = recordJobEnd(this.#failures, { connected, wanted: true, nowMs, description }, this.#policy);
    if (!connected) this.#problem = this.#failures.gaveUp ?? description;
  }

  // ------------------------------------------------------------------ what the scheduler says

  /** Match connected workers to jobs by name ('<job>' or '<job>-<i>'). */
  syncWorkers(workerNames: readonly string[], nowMs: number): void {
    const names = [...this.#jobs.keys()];
    const byJob = new Map<string, string[]>();
    for (const w of workerNames) {
      const job = jobNameOfWorker(w, names);
      if (job) (byJob.get(job) ?? byJob.set(job, []).get(job)!).push(w);
    }
    for (const j of this.#jobs.values()) {
      const ws = byJob.get(j.name) ?? [];
      if (ws.length > 0 || j.workers.size > 0) j.lastWorkerSeenMs = nowMs;
      j.workers = new Set(ws);
      if (ws.length > 0 && !j.everConnected) {
        j.everConnected = true;
        j.firstWorkerAtMs = nowMs;
        this.#failures = recordWorkerConnected(this.#failures);
        if (this.#problem && !this.#failures.gaveUp) this.#problem = undefined;
      }
      if (ws.length > 0 && j.phase === "queued") j.phase = "running";
    }
  }

  /** Jobs still running, wanted, whose workers all left more than `lostAfterMs` ago (crashed, hung). */
  lostJobs(nowMs: number, lostAfterMs: number): JobRecord[] {
    return this.live.filter(
      (j) => j.phase === "running" && j.wanted && j.workers.size === 0 && j.lastWorkerSeenMs !== undefined && nowMs - j.lastWorkerSeenMs > lostAfterMs,
    );
  }

  // ------------------------------------------------------------------ removal

  /** We no longer want this job (scale down, close): its end is expected. Returns false if already so. */
  unwant(j: JobRecord): boolean {
    if (!j.wanted) return false;
    j.wanted = false;
    return true;
  }

  /** A cancel command was sent for these jobs. */
  cancelling(jobs: readonly JobRecord[]): void {
    for (const j of jobs) {
      j.wanted = false;
      if (j.phase !== "ended") j.phase = "cancelling";
    }
  }

  // ------------------------------------------------------------------ core-seconds and the dashboard

  /** Task run time measured by the scheduler. */
  addBusySeconds(seconds: number): void {
    this.#busyCoreSeconds += seconds;
  }

  /** Core-seconds held by jobs (ended ones and running ones up to now). */
  heldCoreSeconds(nowMs: number): number {
    let held = this.#heldCoreSecondsEnded;
    for (const j of this.#jobs.values()) if (j.runningSinceMs !== undefined) held += this.#coresPerJob * ((nowMs - j.runningSinceMs) / 1000);
    return held;
  }

  /** For the dashboard's Jobs page and the adaptive-efficiency figure. */
  snapshot(system: string, nowMs: number): JobsSnapshot {
    const cores = this.#coresPerJob;
    return {
      system: system.toUpperCase(),
      coreSecondsHeld: this.heldCoreSeconds(nowMs),
      coreSecondsBusy: this.#busyCoreSeconds,
      jobs: this.live.map((j) => ({
        id: j.jobId ?? j.name,
        state: dashboardState(j.state),
        workers: [...j.workers],
        cores,
        submittedAt: j.submittedAtMs,
        ...(j.reason !== undefined ? { reason: j.reason } : {}),
        // SLURM reports a pending job's full time limit as its time left; the page shows "–" until it runs.
        ...(j.timeLeftS !== undefined && j.runningSinceMs !== undefined ? { walltimeLeftS: j.timeLeftS } : {}),
        ...(j.runningSinceMs !== undefined ? { startedAt: j.runningSinceMs } : {}),
      })),
    };
  }
}

export function dashboardState(s: JobRecord["state"]): DashboardJobState {
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
