/**
 * What a JobQueueCluster needs from its scheduler — in this process (startScheduler), or in a batch
 * job of its own (remote-scheduler.ts) — and how it starts one in-process. Kept narrow so the
 * reconcile/adapt machinery can be read without the scheduler's internals.
 */
import { networkInterfaces } from "node:os";
import { Scheduler } from "../../scheduler/server.js";
import type { SchedulerPlugin } from "../../scheduler/plugin.js";
import type { Security } from "../../protocol/index.js";
import type { Logger } from "../../util/log.js";
import { startSchedulerDashboard } from "../../dashboard/scheduler-source.js";
import type { JobsProvider, LogEntry } from "../../dashboard/source.js";
import { JobQueueConfigError } from "./errors.js";
import type { SchedulerOptions } from "./options.js";

export interface WorkerSnapshot {
  readonly name: string;
  readonly address: string;
  readonly nthreads: number;
  readonly memoryLimit: number;
  /** Tasks processing on it now. */
  readonly processing: number;
  /** Results it holds. */
  readonly stored: number;
  readonly metadata: Readonly<Record<string, string>>;
}

/** The fields a cluster reads, from a scheduler's worker view (in-process or from scheduler-info). */
export function workerSnapshot(w: WorkerSnapshot): WorkerSnapshot {
  return { name: w.name, address: w.address, nthreads: w.nthreads, memoryLimit: w.memoryLimit, processing: w.processing, stored: w.stored, metadata: w.metadata };
}

export interface SchedulerPort {
  readonly address: string;
  readonly dashboardLink: string | undefined;
  workers(): WorkerSnapshot[];
  /** `fn` runs after workers join or leave. */
  onWorkersChanged(fn: () => void): void;
  /** `fn` gets each finished task's run time in seconds (only where the scheduler runs in this process). */
  onTaskTime(fn: (seconds: number) => void): void;
  adaptiveTarget(targetDurationS: number): number;
  retireWorkers(opts: { names: readonly string[]; closeWorkers: boolean }): Promise<string[]>;
  /** Watch the scheduler's events (only where it runs in this process). */
  addPlugin?(p: SchedulerPlugin): void;
  /** Bring the view of a scheduler elsewhere up to date (a no-op in-process). */
  refresh(targetDurationS: number | undefined): Promise<void>;
  close(): Promise<void>;
}

/** IPv4 address of a network interface, or a clear error listing the interfaces there are. */
export function interfaceAddress(name: string): string {
  const nics = networkInterfaces();
  const nic = nics[name];
  const v4 = nic?.find((a) => a.family === "IPv4");
  if (!v4) {
    throw new JobQueueConfigError(
      `interface '${name}' has no IPv4 address on this machine; interfaces: ${Object.keys(nics).join(", ")}`,
    );
  }
  return v4.address;
}

/** Where workers on compute nodes can reach this machine: explicit host, an interface's address, else the first external IPv4. */
export function schedulerHost(o: SchedulerOptions, workerInterface: string | undefined): string {
  if (o.host !== undefined) return o.host;
  const iface = o.interface ?? workerInterface;
  if (iface !== undefined) return interfaceAddress(iface);
  for (const addrs of Object.values(networkInterfaces())) {
    const ext = addrs?.find((a) => a.family === "IPv4" && !a.internal);
    if (ext) return ext.address;
  }
  return "127.0.0.1";
}

export async function startScheduler(opts: {
  host: string;
  port: number;
  security: Security;
  /** undefined: loopback, any free port (the link is in the REPL view); false: no dashboard. */
  dashboardAddress: string | false | undefined;
  /** Default true: the token is asked on loopback too. */
  dashboardRequireToken?: boolean;
  jobs: JobsProvider;
  workerLog: (address: string, limit: number) => Promise<readonly LogEntry[]>;
  log: Logger;
}): Promise<SchedulerPort> {
  const s = await Scheduler.start({
    host: opts.host,
    port: opts.port,
    security: opts.security,
    log: opts.log,
  });
  if (opts.dashboardAddress !== false) {
    try {
      await startSchedulerDashboard(s, {
        address: opts.dashboardAddress ?? "127.0.0.1:0",
        secret: opts.security.secret,
        requireToken: opts.dashboardRequireToken !== false,
        jobs: opts.jobs,
        workerLog: opts.workerLog,
        log: opts.log,
      });
    } catch (err) {
      // An address the user chose must work; the default is a convenience.
      if (opts.dashboardAddress !== undefined) {
        await s.close();
        throw err;
      }
      opts.log.warn({ err }, "dashboard not started");
    }
  }
  return {
    get address() {
      return s.address;
    },
    get dashboardLink() {
      return s.dashboardLink;
    },
    workers: () => s.workers().map(workerSnapshot),
    onWorkersChanged: (fn) => s.addPlugin({ name: "jobqueue-workers", addWorker: fn, removeWorker: fn } satisfies SchedulerPlugin),
    onTaskTime: (fn) =>
      s.addPlugin({
        name: "jobqueue-task-time",
        transition: (_key, _from, to, info) => {
          if ((to === "memory" || to === "erred") && info.duration !== undefined) fn(info.duration);
        },
      } satisfies SchedulerPlugin),
    addPlugin: (p) => s.addPlugin(p),
    adaptiveTarget: (d) => s.adaptiveTarget(d),
    retireWorkers: (o) => s.retireWorkers(o),
    refresh: async () => undefined,
    close: () => s.close(),
  };
}
