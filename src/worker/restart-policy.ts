/**
 * When the nanny restarts its worker: a pure function of the exit and the recent restart history.
 *
 * - exit code 0: the worker left on purpose (retired, lifetime reached, scheduler gone) → stop;
 * - exit code RESTART_EXIT_CODE: the worker asks to be restarted (--lifetime-restart) → restart now,
 *   not counted as a failure;
 * - any other exit or a signal (crash, SIGKILL by the OOM killer or an admin) → restart, after a
 *   backoff that grows with the failures in the recent window; more than `maxRestarts` failures
 *   within `windowS` → give up (something is wrong with every start, do not spin).
 * - once asked to stop, never restart.
 */

export const RESTART_EXIT_CODE = 75;

export interface RestartPolicy {
  readonly maxRestarts: number;
  readonly windowS: number;
  /** First failure restarts after this delay; each further failure in the window doubles it… */
  readonly initialBackoffS: number;
  /** …up to this. */
  readonly maxBackoffS: number;
}

export const defaultRestartPolicy: RestartPolicy = { maxRestarts: 10, windowS: 60, initialBackoffS: 0, maxBackoffS: 5 };

export interface ExitInfo {
  /** Exit code, or null when killed by a signal. */
  readonly code: number | null;
  readonly signal: string | null;
  /** Seconds (any monotonic clock). */
  readonly now: number;
  /** The nanny was asked to stop (SIGTERM, close). */
  readonly stopping: boolean;
}

export type RestartDecision =
  | { readonly action: "restart"; readonly delayS: number; readonly counted: boolean; readonly reason: string }
  | { readonly action: "stop"; readonly reason: string };

/** `failureTimes`: times of earlier counted restarts (any order). */
export function decideRestart(exit: ExitInfo, failureTimes: readonly number[], policy: RestartPolicy = defaultRestartPolicy): RestartDecision {
  const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
  if (exit.stopping) return { action: "stop", reason: `worker ${how} while the nanny was stopping` };
  if (exit.code === 0) return { action: "stop", reason: "worker exited cleanly (code 0)" };
  if (exit.code === RESTART_EXIT_CODE) return { action: "restart", delayS: 0, counted: false, reason: "worker asked to be restarted" };
  const recent = failureTimes.filter((t) => exit.now - t <= policy.windowS).length;
  if (recent >= policy.maxRestarts) {
    return { action: "stop", reason: `worker ${how}; it already failed ${recent} times in the last ${policy.windowS} s, giving up` };
  }
  const delayS = recent === 0 ? policy.initialBackoffS : Math.min(policy.maxBackoffS, Math.max(policy.initialBackoffS, 0.1) * 2 ** (recent - 1));
  return { action: "restart", delayS, counted: true, reason: `worker ${how}` };
}
