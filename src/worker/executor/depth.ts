/**
 * How many tasks to hand one thread at a time. Trivial tasks want big batches (one message carries
 * many tasks), long tasks want one at a time (so a task never waits behind another on a busy thread
 * while a different thread is idle). An exponential moving average of task durations decides.
 */

export interface DepthPolicy {
  /** Aim for about this much queued work per thread, in seconds. */
  readonly targetQueuedS: number;
  readonly minDepth: number;
  readonly maxDepth: number;
  /** Weight of the newest duration in the moving average. */
  readonly alpha: number;
}

export const defaultDepthPolicy: DepthPolicy = { targetQueuedS: 0.001, minDepth: 1, maxDepth: 256, alpha: 0.05 };

/** Moving average of task durations; starts pessimistic (1 ms) so unknown tasks go one by one. */
export function updateAverage(avgS: number, durationS: number, policy: DepthPolicy = defaultDepthPolicy): number {
  return avgS + policy.alpha * (durationS - avgS);
}

export function threadDepth(avgS: number, policy: DepthPolicy = defaultDepthPolicy): number {
  if (!(avgS > 0)) return policy.maxDepth;
  const d = Math.floor(policy.targetQueuedS / avgS);
  return Math.max(policy.minDepth, Math.min(policy.maxDepth, d));
}
