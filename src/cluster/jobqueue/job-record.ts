/** The cluster's record of one batch job, and its public, read-only view. */
import type { JobState } from "./batch-system.js";
import type { JobPhase, JobView } from "./reconcile.js";

export interface JobRecord {
  /** Cluster-side name = prefix of its workers' names, e.g. 'SLURMCluster-3'. */
  readonly name: string;
  jobId: string | undefined;
  phase: JobPhase;
  state: JobState | "SUBMITTING";
  reason: string | undefined;
  readonly submittedAtMs: number;
  /** When the batch system first showed it RUNNING (epoch ms). */
  runningSinceMs: number | undefined;
  startTimeMs: number | undefined;
  timeLeftS: number | undefined;
  /** Names of its connected workers. */
  workers: Set<string>;
  /** When its first worker connected. */
  firstWorkerAtMs: number | undefined;
  /** Last time it had a connected worker. */
  lastWorkerSeenMs: number | undefined;
  everConnected: boolean;
  /** False once we decided to remove it (scale down, close): its end is then expected. */
  wanted: boolean;
  /** When it left the queue. */
  endedAtMs: number | undefined;
  scriptPath: string | undefined;
}

/** A job as `cluster.jobs` shows it. */
export interface JobInfo {
  readonly name: string;
  readonly jobId: string | undefined;
  readonly state: JobState | "SUBMITTING";
  /** Why it is pending (Resources, Priority, QOS limits…), or why it ended. */
  readonly reason: string | undefined;
  readonly submittedAt: Date;
  readonly startTime: Date | undefined;
  /** Seconds of walltime left (from the batch system), if running. */
  readonly walltimeLeftS: number | undefined;
  /** Its connected workers' names. */
  readonly workers: readonly string[];
  /** Seconds from RUNNING to its first worker connecting, once known. */
  readonly workersUpAfterRunningS: number | undefined;
}

export function newJobRecord(name: string, nowMs: number): JobRecord {
  return {
    name,
    jobId: undefined,
    phase: "submitting",
    state: "SUBMITTING",
    reason: undefined,
    submittedAtMs: nowMs,
    runningSinceMs: undefined,
    startTimeMs: undefined,
    timeLeftS: undefined,
    workers: new Set(),
    firstWorkerAtMs: undefined,
    lastWorkerSeenMs: undefined,
    everConnected: false,
    wanted: true,
    endedAtMs: undefined,
    scriptPath: undefined,
  };
}

export function jobInfo(r: JobRecord): JobInfo {
  return {
    name: r.name,
    jobId: r.jobId,
    state: r.state,
    reason: r.reason,
    submittedAt: new Date(r.submittedAtMs),
    startTime: r.startTimeMs === undefined ? undefined : new Date(r.startTimeMs),
    walltimeLeftS: r.timeLeftS,
    workers: [...r.workers].sort(),
    workersUpAfterRunningS:
      r.runningSinceMs !== undefined && r.firstWorkerAtMs !== undefined
        ? Math.max(0, (r.firstWorkerAtMs - r.runningSinceMs) / 1000)
        : undefined,
  };
}

export function jobView(r: JobRecord, idle: boolean): JobView {
  return {
    name: r.name,
    jobId: r.jobId,
    phase: r.phase,
    state: r.state,
    submittedAtMs: r.submittedAtMs,
    workers: r.workers.size,
    idle,
  };
}

/** Which job a worker belongs to: worker names are '<job name>' or '<job name>-<i>' (with --nworkers). */
export function jobNameOfWorker(workerName: string, jobNames: Iterable<string>): string | undefined {
  for (const j of jobNames) {
    if (workerName === j) return j;
    if (workerName.startsWith(j + "-") && /^\d+$/.test(workerName.slice(j.length + 1))) return j;
  }
  return undefined;
}
