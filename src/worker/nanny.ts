/**
 * The nanny: a parent process that runs one worker as a child (`node <entry> ...args`) and restarts
 * it when it dies unexpectedly (policy in ./restart-policy.ts). The child learns how many times it
 * has been restarted from the TESSERA_NANNY_RESTARTS environment variable (so the worker can report
 * it to the scheduler) and the nanny reports every event through `onEvent`. SIGTERM/SIGINT to the
 * nanny are forwarded to the worker for a graceful shutdown (after `stopTimeoutS`, SIGKILL).
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { processRss } from "./memory/rss.js";
import { removeSpillDirsOf } from "./memory/spill-dirs.js";
import { decideRestart, defaultRestartPolicy, type RestartPolicy } from "./restart-policy.js";
import { workerProcessEnv } from "./process-env.js";

export const RESTARTS_ENV = "TESSERA_NANNY_RESTARTS";

export type NannyEvent =
  | { type: "started"; pid: number; restarts: number }
  | { type: "exited"; pid: number; code: number | null; signal: string | null }
  | { type: "restarting"; restarts: number; delayS: number; reason: string }
  | { type: "memory-kill"; pid: number; rssBytes: number; limitBytes: number }
  | { type: "stopped"; reason: string };

export interface NannyOptions {
  /** The worker's entry script. */
  entry: string;
  args?: readonly string[];
  env?: NodeJS.ProcessEnv;
  execArgv?: readonly string[];
  stdio?: StdioOptions;
  policy?: RestartPolicy;
  /** Seconds between SIGTERM and SIGKILL when stopping. Default 30. */
  stopTimeoutS?: number;
  onEvent?: (e: NannyEvent) => void;
  /**
   * Watch the worker's memory from outside (Dask's NannyMemoryManager): above terminateFraction
   * (default 0.95) of limitBytes the worker is killed (SIGKILL) and restarted. limitBytes 0 = off.
   */
  memory?: { limitBytes: number; terminateFraction?: number; intervalS?: number };
  /** The worker's --local-directory: when the worker dies, the spill files it left there are removed. */
  localDirectory?: string;
}

export class Nanny {
  private child: ChildProcess | undefined;
  private stopping = false;
  private finished = false;
  /** Removal of dead workers' spill directories; `stopped` waits for it. */
  private cleanup: Promise<void> = Promise.resolve();
  private failureTimes: number[] = [];
  private restartCount = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private signalHandlers: Array<[NodeJS.Signals, () => void]> = [];
  private resolveStopped!: (reason: string) => void;
  /** Resolves with the reason once the nanny has stopped for good (no child left). */
  readonly stopped: Promise<string>;

  private constructor(private readonly opts: NannyOptions) {
    this.stopped = new Promise((r) => (this.resolveStopped = r));
  }

  static start(opts: NannyOptions): Nanny {
    const n = new Nanny(opts);
    n.launch();
    return n;
  }

  /** The current child's pid (undefined between a death and its restart). */
  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  get restarts(): number {
    return this.restartCount;
  }

  /** Forward SIGTERM/SIGINT received by this process to the worker, then stop. */
  forwardSignals(signals: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT"]): void {
    for (const sig of signals) {
      const h = () => void this.stop(sig);
      process.on(sig, h);
      this.signalHandlers.push([sig, h]);
    }
  }

  /** Kill the current child with `signal` without stopping the nanny (it will restart it). For tests and chaos. */
  kill(signal: NodeJS.Signals = "SIGKILL"): boolean {
    return this.child?.kill(signal) ?? false;
  }

  /** Ask the worker to leave (signal, default SIGTERM) and stop restarting; SIGKILL after stopTimeoutS. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<string> {
    if (!this.stopping) {
      this.stopping = true;
      if (this.restartTimer) {
        clearTimeout(this.restartTimer);
        this.restartTimer = undefined;
        this.finish("stopped before a pending restart");
      }
      const c = this.child;
      if (c && c.exitCode === null && c.signalCode === null) {
        c.kill(signal);
        const t = setTimeout(() => c.kill("SIGKILL"), (this.opts.stopTimeoutS ?? 30) * 1000);
        t.unref();
        c.once("exit", () => clearTimeout(t));
      } else if (!this.restartTimer) {
        this.finish("stopped");
      }
    }
    return this.stopped;
  }

  private launch(): void {
    // glibc settings read at process start (memory returned promptly, huge pages for chunks): ./process-env.ts
    const env = { ...workerProcessEnv(this.opts.env ?? process.env), [RESTARTS_ENV]: String(this.restartCount) };
    const child = spawn(process.execPath, [...(this.opts.execArgv ?? []), this.opts.entry, ...(this.opts.args ?? [])], {
      env,
      stdio: this.opts.stdio ?? "inherit",
    });
    this.child = child;
    child.once("spawn", () => this.opts.onEvent?.({ type: "started", pid: child.pid!, restarts: this.restartCount }));
    child.once("error", (e) => {
      // Spawning itself failed (e.g. no such node binary): nothing to restart.
      if (child.pid === undefined) {
        this.stopping = true;
        this.finish(`cannot start the worker: ${e.message}`);
      }
    });
    child.once("exit", (code, signal) => this.onExit(child, code, signal));
    this.watchMemory(child);
  }

  private watchMemory(child: ChildProcess): void {
    const m = this.opts.memory;
    if (!m || !(m.limitBytes > 0)) return;
    const line = m.limitBytes * (m.terminateFraction ?? 0.95);
    let checking = false;
    const timer = setInterval(() => {
      if (checking || child.pid === undefined) return;
      checking = true;
      void processRss(child.pid).then((rss) => {
        checking = false;
        if (rss === undefined || rss <= line || child.exitCode !== null || child.signalCode !== null) return;
        this.opts.onEvent?.({ type: "memory-kill", pid: child.pid!, rssBytes: rss, limitBytes: m.limitBytes });
        child.kill("SIGKILL");
      });
    }, (m.intervalS ?? 0.1) * 1000);
    timer.unref();
    child.once("exit", () => clearInterval(timer));
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child.pid !== undefined) {
      this.opts.onEvent?.({ type: "exited", pid: child.pid, code, signal });
      // A worker killed hard cannot clean up after itself.
      if (this.opts.localDirectory) {
        const dir = this.opts.localDirectory;
        const pid = child.pid;
        this.cleanup = this.cleanup.then(() => removeSpillDirsOf(dir, pid)).then(() => undefined, () => undefined);
      }
    }
    if (child !== this.child) return;
    const now = performance.now() / 1000;
    const d = decideRestart({ code, signal, now, stopping: this.stopping }, this.failureTimes, this.opts.policy ?? defaultRestartPolicy);
    if (d.action === "stop") {
      this.finish(d.reason);
      return;
    }
    if (d.counted) this.failureTimes = [...this.failureTimes.filter((t) => now - t <= (this.opts.policy ?? defaultRestartPolicy).windowS), now];
    this.restartCount++;
    this.opts.onEvent?.({ type: "restarting", restarts: this.restartCount, delayS: d.delayS, reason: d.reason });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopping) this.launch();
    }, d.delayS * 1000);
  }

  private finish(reason: string): void {
    if (this.finished) return;
    this.finished = true;
    for (const [sig, h] of this.signalHandlers) process.off(sig, h);
    this.signalHandlers = [];
    this.child = undefined;
    this.opts.onEvent?.({ type: "stopped", reason });
    void this.cleanup.then(() => this.resolveStopped(reason));
  }
}
