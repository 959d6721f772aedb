/**
 * The reconcile step, IO-free: given the desired number of jobs and what the batch queue and the
 * scheduler show, decide what to submit, cancel or retire. `scale()` only edits `desiredJobs`; the
 * cluster's loop runs this and carries out the plan. Also the failure bookkeeping: jobs that end
 * before any worker connected count as failures, delay resubmission (exponential backoff) and,
 * repeated, stop it.
 */
import type { JobState } from "./batch-system.js";

/**
 * submitting: sbatch running, no id yet; queued: in the batch queue, no worker connected;
 * running: at least one worker connected; retiring: workers being retired before cancel;
 * cancelling: cancel sent; ended: gone from the queue.
 */
export type JobPhase = "submitting" | "queued" | "running" | "retiring" | "cancelling" | "ended";

export interface JobView {
  /** Cluster-side job name = prefix of its workers' names (e.g. 'SLURMCluster-3'). */
  readonly name: string;
  readonly jobId: string | undefined;
  readonly phase: JobPhase;
  readonly state: JobState | "SUBMITTING";
  readonly submittedAtMs: number;
  /** Connected workers of this job. */
  readonly workers: number;
  /** True when none of its workers runs or holds tasks. */
  readonly idle: boolean;
}

export interface FailurePolicy {
  /** First resubmission delay after a failed job, ms. */
  readonly backoffBaseMs: number;
  /** Largest delay, ms. */
  readonly backoffMaxMs: number;
  /** Consecutive failed jobs after which resubmission stops. */
  readonly maxConsecutiveFailures: number;
}

export const DEFAULT_FAILURE_POLICY: FailurePolicy = { backoffBaseMs: 1000, backoffMaxMs: 60_000, maxConsecutiveFailures: 3 };

export interface FailureState {
  readonly consecutive: number;
  /** No submission before this time (epoch ms). */
  readonly notBeforeMs: number;
  /** Set once resubmission stopped; the message says why. */
  readonly gaveUp: string | undefined;
}

export const NO_FAILURES: FailureState = { consecutive: 0, notBeforeMs: 0, gaveUp: undefined };

/** A job ended. `connected`: did any of its workers ever connect? `wanted`: did we still want it? */
export function recordJobEnd(
  f: FailureState,
  ev: { connected: boolean; wanted: boolean; nowMs: number; description: string },
  policy: FailurePolicy = DEFAULT_FAILURE_POLICY,
): FailureState {
  if (!ev.wanted) return f;
  if (ev.connected) return { ...f, consecutive: 0, notBeforeMs: 0 };
  const consecutive = f.consecutive + 1;
  const delay = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (consecutive - 1));
  const gaveUp =
    consecutive >= policy.maxConsecutiveFailures
      ? `${consecutive} jobs in a row ended before any worker connected; stopped submitting. Last: ${ev.description}`
      : f.gaveUp;
  return { consecutive, notBeforeMs: ev.nowMs + delay, gaveUp };
}

/** A worker of some job connected: the setup works, forget earlier failures. */
export function recordWorkerConnected(f: FailureState): FailureState {
  return f.consecutive === 0 && f.gaveUp === undefined ? f : NO_FAILURES;
}

export interface ReconcileInput {
  readonly desiredJobs: number;
  readonly maxJobs: number;
  readonly jobs: readonly JobView[];
  readonly nowMs: number;
  readonly failures: FailureState;
}

export interface ReconcilePlan {
  /** New jobs to submit now. */
  readonly submit: number;
  /** Jobs without connected workers to cancel (pending ones first). */
  readonly cancel: readonly string[];
  /** Jobs with workers to retire gracefully, then cancel. */
  readonly retire: readonly string[];
  /** Jobs wanted but held back (maxJobs cap, backoff or given up). */
  readonly heldBack: number;
  /** When held back by backoff: retry at this time. */
  readonly retryAtMs: number | undefined;
}

const ACTIVE: ReadonlySet<JobPhase> = new Set(["submitting", "queued", "running"]);

/** Order in which jobs go when scaling down: not-yet-started first (newest first), then idle, then newest. */
export function scaleDownOrder(jobs: readonly JobView[]): JobView[] {
  const rank = (j: JobView) => (j.workers === 0 ? (j.state === "PENDING" ? 0 : 1) : j.idle ? 2 : 3);
  return [...jobs].sort((a, b) => rank(a) - rank(b) || b.submittedAtMs - a.submittedAtMs);
}

export function reconcile(input: ReconcileInput): ReconcilePlan {
  const active = input.jobs.filter((j) => ACTIVE.has(j.phase));
  const inQueue = input.jobs.filter((j) => j.phase !== "ended").length;
  const desired = Math.max(0, Math.floor(input.desiredJobs));
  if (active.length < desired) {
    const missing = desired - active.length;
    const room = Math.max(0, Math.min(missing, input.maxJobs - inQueue));
    const blockedByFailures = input.failures.gaveUp !== undefined || input.nowMs < input.failures.notBeforeMs;
    const submit = blockedByFailures ? 0 : room;
    return {
      submit,
      cancel: [],
      retire: [],
      heldBack: missing - submit,
      retryAtMs: blockedByFailures && input.failures.gaveUp === undefined ? input.failures.notBeforeMs : undefined,
    };
  }
  if (active.length > desired) {
    // A job still being submitted has no id yet: it is reconsidered on the next step.
    const candidates = scaleDownOrder(active.filter((j) => j.phase !== "submitting"));
    const chosen = candidates.slice(0, active.length - desired);
    return {
      submit: 0,
      cancel: chosen.filter((j) => j.workers === 0).map((j) => j.name),
      retire: chosen.filter((j) => j.workers > 0).map((j) => j.name),
      heldBack: 0,
      retryAtMs: undefined,
    };
  }
  return { submit: 0, cancel: [], retire: [], heldBack: 0, retryAtMs: undefined };
}
