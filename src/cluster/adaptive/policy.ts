/**
 * Adaptive scaling policy, IO-free. Each round takes the scheduler's wish (workers wanted for the
 * queued work, measured task durations and memory: `adaptiveTarget`) and the cluster's jobs, and
 * decides how many jobs to hold and which to close. Rules, from dask-jobqueue's complaints:
 * - a job is the unit: the target is rounded up to whole jobs, clamped to [minimumJobs, maximumJobs];
 * - jobs still pending count as capacity, so a slow queue does not cause a flood of submissions;
 * - scale-down closes whole jobs, not-started ones first, then idle ones; a busy job is never closed;
 * - hysteresis: a running job must be suggested for closing `waitCount` rounds in a row.
 */

export interface AdaptiveJob {
  readonly name: string;
  /** False while the job waits in the batch queue or its workers have not connected yet. */
  readonly started: boolean;
  /** True when none of its workers runs or holds work. */
  readonly idle: boolean;
  readonly submittedAtMs: number;
}

export interface AdaptiveLimits {
  readonly minimumJobs: number;
  readonly maximumJobs: number;
  readonly processes: number;
  readonly waitCount: number;
}

export interface AdaptiveDecision {
  /** Jobs the cluster should hold after this round. */
  readonly targetJobs: number;
  /** Jobs to close now (cancel if not started, retire gracefully otherwise). */
  readonly close: readonly string[];
  /** Close suggestions carried to the next round (name → consecutive rounds suggested). */
  readonly closeCounts: ReadonlyMap<string, number>;
}

/** Worker limits (dask's minimum/maximum) and job limits combined into job limits. */
export function jobLimits(o: {
  minimum?: number;
  maximum?: number;
  minimumJobs?: number;
  maximumJobs?: number;
  processes: number;
}): { minimumJobs: number; maximumJobs: number } {
  const p = o.processes;
  let min = 0;
  if (o.minimum !== undefined) min = Math.max(min, Math.ceil(o.minimum / p));
  if (o.minimumJobs !== undefined) min = Math.max(min, o.minimumJobs);
  let max = Number.POSITIVE_INFINITY;
  // At least one job when any worker is allowed: dask-jobqueue's maximum < processes looped forever (#249/#498).
  if (o.maximum !== undefined) max = Math.min(max, o.maximum <= 0 ? 0 : Math.max(1, Math.floor(o.maximum / p)));
  if (o.maximumJobs !== undefined) max = Math.min(max, o.maximumJobs);
  return { minimumJobs: min, maximumJobs: max };
}

export function decideAdaptive(
  wantedWorkers: number,
  jobs: readonly AdaptiveJob[],
  limits: AdaptiveLimits,
  previousCounts: ReadonlyMap<string, number>,
): AdaptiveDecision {
  const wanted = Math.max(0, Number.isFinite(wantedWorkers) ? wantedWorkers : 0);
  const maximum = Math.max(limits.minimumJobs, limits.maximumJobs);
  const targetJobs = Math.min(maximum, Math.max(limits.minimumJobs, Math.ceil(wanted / limits.processes)));
  const current = jobs.length;
  if (targetJobs >= current) return { targetJobs, close: [], closeCounts: new Map() };

  // Not-started jobs go first (newest first), without waiting: they hold no work.
  const notStarted = jobs.filter((j) => !j.started).sort((a, b) => b.submittedAtMs - a.submittedAtMs);
  const idle = jobs.filter((j) => j.started && j.idle).sort((a, b) => b.submittedAtMs - a.submittedAtMs);
  let excess = current - targetJobs;
  const close: string[] = [];
  for (const j of notStarted) {
    if (excess === 0) break;
    close.push(j.name);
    excess--;
  }
  const counts = new Map<string, number>();
  for (const j of idle) {
    if (excess === 0) break;
    const n = (previousCounts.get(j.name) ?? 0) + 1;
    if (n >= limits.waitCount) close.push(j.name);
    else counts.set(j.name, n);
    excess--;
  }
  return { targetJobs: current - close.length, close, closeCounts: counts };
}
