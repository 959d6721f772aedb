/**
 * No orphaned jobs: when the process exits or gets SIGINT/SIGTERM, every live cluster cancels its
 * jobs synchronously. One set of process handlers for all clusters, removed when the last closes.
 * (After SIGKILL nothing runs here: workers exit after their death timeout and their jobs end.)
 */

export interface ExitGuarded {
  /** Cancel every job now, synchronously. Must not throw. */
  cancelAllJobsSync(): void;
}

const live = new Set<ExitGuarded>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function cancelAll(): void {
  for (const c of live) {
    try {
      c.cancelAllJobsSync();
    } catch {
      // best effort: the process is going away
    }
  }
  live.clear();
}

function onExit(): void {
  cancelAll();
}

function onSignal(sig: NodeJS.Signals): void {
  cancelAll();
  uninstall();
  // Re-raise so the default action (or the application's own handlers) still happens.
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}

let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off("exit", onExit);
  for (const s of SIGNALS) process.off(s, onSignal);
}

export function guardJobs(c: ExitGuarded): void {
  live.add(c);
  install();
}

export function unguardJobs(c: ExitGuarded): void {
  live.delete(c);
  if (live.size === 0) uninstall();
}
