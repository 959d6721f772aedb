/**
 * Where a task may run: on named workers (`workers`: addresses, names or hosts) and/or on workers
 * that have the abstract resources it asks for (`resources`, e.g. {GPU: 1}, matched against what each
 * worker declared with `tessera worker --resources`). Restricted tasks skip the root-task queue and
 * work stealing; a task no current worker can take waits in `unrunnable` until one registers.
 * Resources also limit concurrency: the worker holds a task's resources while it runs, so a worker
 * with GPU=1 runs one {GPU: 1} task at a time (src/worker/resources.ts).
 */
import type { TaskState, WorkerState } from "./entities.js";
import type { SchedulerState } from "./state.js";

export interface Restrictions {
  readonly workers: ReadonlySet<string> | null;
  readonly resources: Readonly<Record<string, number>> | null;
}

export function restrictionsOf(t: { workers?: readonly string[]; resources?: Record<string, number> }): Restrictions | null {
  const workers = t.workers !== undefined && t.workers.length > 0 ? new Set(t.workers) : null;
  const resources = t.resources !== undefined && Object.keys(t.resources).length > 0 ? t.resources : null;
  return workers === null && resources === null ? null : { workers, resources };
}

const parsed = new WeakMap<WorkerState, Record<string, number>>();

/** A worker's resources, declared at registration as metadata.resources (JSON). */
export function workerResources(ws: WorkerState): Record<string, number> {
  let r = parsed.get(ws);
  if (r === undefined) {
    r = {};
    const raw = ws.metadata["resources"];
    if (raw !== undefined) {
      try {
        const o = JSON.parse(raw) as unknown;
        if (o !== null && typeof o === "object") for (const [k, v] of Object.entries(o)) if (typeof v === "number") r[k] = v;
      } catch {
        /* not JSON: no resources */
      }
    }
    parsed.set(ws, r);
  }
  return r;
}

export function allowedOn(r: Restrictions, ws: WorkerState): boolean {
  if (r.workers !== null && !r.workers.has(ws.address) && !r.workers.has(ws.name) && !r.workers.has(ws.host)) return false;
  if (r.resources !== null) {
    const have = workerResources(ws);
    for (const [k, need] of Object.entries(r.resources)) if ((have[k] ?? 0) < need) return false;
  }
  return true;
}

/** The least-loaded running worker allowed to run `ts`, or null. */
export function pickRestricted(st: SchedulerState, ts: TaskState, r: Restrictions): WorkerState | null {
  let best: WorkerState | null = null;
  let bestLoad = Infinity;
  for (const ws of st.workers.values()) {
    if (ws.status !== "running" || !allowedOn(r, ws)) continue;
    const load = ws.occupancy / ws.nthreads + ws.processing.size / ws.nthreads;
    if (load < bestLoad) {
      best = ws;
      bestLoad = load;
    }
  }
  void ts;
  return best;
}
