/**
 * Cluster-wide figures: the summary sent to clients and the adaptive target (how many workers to want).
 */
import type { ClusterSummary } from "../protocol/messages.js";
import type { SchedulerState } from "./state.js";

export function clusterSummary(st: SchedulerState): ClusterSummary {
  let threads = 0;
  let memoryLimit = 0;
  for (const ws of st.workers.values()) {
    threads += ws.nthreads;
    memoryLimit += ws.memoryLimit;
  }
  return { workers: st.workers.size, threads, memoryLimit };
}

/**
 * Workers wanted so that queued and running work finishes in about `targetDurationS` seconds, and
 * stored results use at most ~60% of memory (Dask's adaptive_target).
 */
export function adaptiveTarget(st: SchedulerState, targetDurationS = 5): number {
  let occupancy = 0;
  let nthreads = 0;
  let nbytes = 0;
  let memLimit = 0;
  for (const ws of st.workers.values()) {
    occupancy += ws.occupancy;
    nthreads += ws.nthreads;
    nbytes += ws.metrics?.managedBytes ?? ws.nbytes;
    memLimit += ws.memoryLimit;
  }
  const queued = st.queued.values();
  let queuedOcc = 0;
  const sample = Math.min(queued.length, 100);
  for (let i = 0; i < sample; i++) {
    const ts = queued[i]!;
    queuedOcc += ts.prefix.durationAverage >= 0 ? ts.prefix.durationAverage : st.defaultTaskDuration;
  }
  if (sample > 0) queuedOcc *= queued.length / sample;
  const threadsPerWorker = st.workers.size > 0 ? nthreads / st.workers.size : 1;
  let cpu = Math.ceil((occupancy + queuedOcc) / Math.max(1e-9, targetDurationS) / threadsPerWorker);
  if (queued.length > 0 && cpu === 0) cpu = 1;
  // Never ask for more workers than there are tasks to run on their threads.
  let runnable = queued.length;
  for (const ws of st.workers.values()) runnable += ws.processing.size;
  cpu = Math.min(cpu, Math.ceil(runnable / threadsPerWorker));
  let memory = 0;
  const memPerWorker = st.workers.size > 0 ? memLimit / st.workers.size : 0;
  if (memPerWorker > 0 && nbytes > 0.6 * memLimit) memory = Math.ceil((2 * nbytes) / memPerWorker);
  let target = Math.max(cpu, memory);
  // Workers holding results stay (closing them would lose data).
  let holding = 0;
  for (const ws of st.workers.values()) if (ws.hasWhat.size > 0 || ws.processing.size > 0) holding++;
  if (target < st.workers.size) target = Math.max(target, holding);
  return target;
}
