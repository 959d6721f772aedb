/** `/metrics` in the Prometheus text exposition format (version 0.0.4), built from a snapshot. */
import type { Snapshot } from "./api-types.js";
import { isPaused, TASK_STATES, type JobState } from "./source.js";

const JOB_STATES: readonly JobState[] = ["pending", "running", "completing", "completed", "failed", "cancelled", "timeout", "unknown"];

export function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function labels(l: Record<string, string>): string {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function num(v: number): string {
  return Number.isFinite(v) ? String(v) : v > 0 ? "+Inf" : v < 0 ? "-Inf" : "NaN";
}

class Writer {
  readonly lines: string[] = [];
  family(name: string, type: "gauge" | "counter", help: string, samples: [Record<string, string>, number][]): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of samples) this.lines.push(`${name}${labels(l)} ${num(v)}`);
  }
}

export function renderMetrics(s: Snapshot): string {
  const w = new Writer();
  w.family(
    "tessera_tasks",
    "gauge",
    "Tasks the scheduler knows, by state.",
    TASK_STATES.filter((st) => st !== "forgotten").map((st) => [{ state: st }, s.taskCounts[st] ?? 0]),
  );
  w.family("tessera_tasks_finished_total", "counter", "Tasks that finished computing since the dashboard started.", [[{}, s.tasksFinished]]);
  w.family("tessera_tasks_erred_total", "counter", "Tasks that raised since the dashboard started.", [[{}, s.tasksErred]]);
  const prefixSamples: [Record<string, string>, number][] = [];
  for (const p of s.progress) {
    prefixSamples.push(
      [{ prefix: p.prefix, state: "waiting" }, p.waiting],
      [{ prefix: p.prefix, state: "processing" }, p.processing],
      [{ prefix: p.prefix, state: "memory" }, p.memory],
      [{ prefix: p.prefix, state: "done" }, p.done],
      [{ prefix: p.prefix, state: "erred" }, p.erred],
    );
  }
  w.family("tessera_prefix_tasks", "gauge", "Tasks of each prefix (task kind), by progress state.", prefixSamples);
  w.family("tessera_workers", "gauge", "Connected workers.", [[{}, s.totals.workers]]);
  w.family("tessera_threads", "gauge", "Task threads over all workers.", [[{}, s.totals.threads]]);
  w.family("tessera_memory_bytes", "gauge", "Process memory of all workers, bytes.", [[{}, s.totals.memory]]);
  w.family("tessera_memory_limit_bytes", "gauge", "Memory limits of all workers, bytes.", [[{}, s.totals.memoryLimit]]);
  w.family("tessera_spilled_bytes", "gauge", "Task results spilled to disk on all workers, bytes.", [[{}, s.totals.spilledBytes]]);
  w.family(
    "tessera_worker_memory_bytes",
    "gauge",
    "Process memory of each worker, bytes.",
    s.workers.map((wk) => [{ worker: wk.name, address: wk.address }, wk.memory]),
  );
  w.family(
    "tessera_worker_processing_tasks",
    "gauge",
    "Tasks assigned to each worker and not finished.",
    s.workers.map((wk) => [{ worker: wk.name, address: wk.address }, wk.processing]),
  );
  w.family("tessera_workers_paused", "gauge", "Workers paused because their memory is above the pause threshold.", [[{}, s.totals.paused]]);
  w.family(
    "tessera_worker_paused",
    "gauge",
    "1 when the worker is paused for memory, else 0.",
    s.workers.map((wk) => [{ worker: wk.name, address: wk.address }, isPaused(wk) ? 1 : 0]),
  );
  w.family(
    "tessera_worker_restarts_total",
    "counter",
    "Times each worker's nanny restarted it.",
    s.workers.map((wk) => [{ worker: wk.name, address: wk.address }, wk.restarts ?? 0]),
  );
  w.family("tessera_worker_spilled_bytes", "gauge", "Task results each worker spilled to disk, bytes.", s.workers.map((wk) => [{ worker: wk.name, address: wk.address }, wk.spilledBytes]));
  const jobCounts = new Map<JobState, number>(JOB_STATES.map((st) => [st, 0]));
  for (const j of s.jobs?.jobs ?? []) jobCounts.set(j.state, (jobCounts.get(j.state) ?? 0) + 1);
  w.family("tessera_jobs", "gauge", "Batch jobs, by state (all 0 on a local cluster).", [...jobCounts].map(([st, n]) => [{ state: st }, n]));
  w.family("tessera_core_seconds_held_total", "counter", "Core-seconds held by the cluster's batch jobs.", [[{}, s.jobs?.coreSecondsHeld ?? 0]]);
  w.family("tessera_core_seconds_busy_total", "counter", "Core-seconds spent running tasks.", [[{}, s.jobs?.coreSecondsBusy ?? 0]]);
  return w.lines.join("\n") + "\n";
}
