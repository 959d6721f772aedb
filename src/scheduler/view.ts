/**
 * Read-only snapshots of scheduler state for dashboards and `scheduler-info`: plain data, copied,
 * so observers can never mutate the scheduler.
 */
import type { TaskStateName } from "./entities.js";
import type { SchedulerState } from "./state.js";
import type { WorkerMetrics } from "../protocol/messages.js";

export interface WorkerView {
  address: string;
  name: string;
  nthreads: number;
  memoryLimit: number;
  /** Bytes of results held (worker-reported managed memory when known). */
  memory: number;
  rss: number | undefined;
  processing: number;
  stored: number;
  executed: number;
  occupancy: number;
  status: string;
  lastSeen: number;
  pid: number;
  host: string;
  metadata: Record<string, string>;
  metrics: WorkerMetrics | undefined;
  /** Times its nanny restarted this worker (0 without a nanny). */
  restarts: number;
  /** Bytes of results this worker spilled to disk (0 when unknown). */
  spilledBytes: number;
  /** The worker stopped starting tasks because its memory is above the pause threshold. */
  paused: boolean;
  /** CPU use of the worker process in percent of one core over its last heartbeat interval (undefined until reported). */
  cpuPercent: number | undefined;
}

export interface PrefixView {
  name: string;
  counts: Record<TaskStateName, number>;
  durationAverage: number;
}

export interface SchedulerView {
  workers: WorkerView[];
  prefixes: PrefixView[];
  tasks: number;
  queued: number;
  clients: number;
  counters: Readonly<SchedulerState["counters"]>;
}

export function workerViews(state: SchedulerState): WorkerView[] {
  const out: WorkerView[] = [];
  for (const ws of state.workers.values()) {
    out.push({
      address: ws.address,
      name: ws.name,
      nthreads: ws.nthreads,
      memoryLimit: ws.memoryLimit,
      memory: ws.metrics?.managedBytes ?? ws.nbytes,
      rss: ws.metrics?.rss,
      processing: ws.processing.size,
      stored: ws.hasWhat.size,
      executed: ws.executedCount,
      occupancy: ws.occupancy,
      status: ws.status,
      lastSeen: ws.lastSeen,
      pid: ws.pid,
      host: ws.host,
      metadata: { ...ws.metadata },
      metrics: ws.metrics ? { ...ws.metrics } : undefined,
      restarts: ws.metrics?.restarts ?? (Number(ws.metadata["restarts"] ?? "0") || 0),
      spilledBytes: ws.metrics?.spilledBytes ?? 0,
      paused: ws.metrics?.paused ?? false,
      cpuPercent: ws.metrics?.cpuPercent,
    });
  }
  return out;
}

export function schedulerView(state: SchedulerState): SchedulerView {
  const prefixes: PrefixView[] = [];
  for (const p of state.prefixes.values()) {
    prefixes.push({ name: p.name, counts: { ...p.counts }, durationAverage: p.durationAverage });
  }
  return {
    workers: workerViews(state),
    prefixes,
    tasks: state.tasks.size,
    queued: state.queued.size,
    clients: state.clients.size,
    counters: { ...state.counters },
  };
}
