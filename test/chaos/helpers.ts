/**
 * Chaos-test fixtures: a LocalCluster whose workers run under nannies (restarted when killed), the
 * workers' own pids as the scheduler knows them, and waiting helpers.
 */
import { LocalCluster, type LocalClusterOptions } from "../../src/cluster/local.js";
import { Client } from "../../src/client/client.js";
import { assertNoLeaks, isAlive, resourceCounts, silent, waitFor } from "../fixtures/cluster.js";

export { isAlive, silent, waitFor };

export interface ChaosContext {
  cluster: LocalCluster;
  client: Client;
}

/** Live workers, as the scheduler sees them: address → {name, pid}. */
export function liveWorkers(cluster: LocalCluster): Map<string, { name: string; pid: number; processing: number }> {
  const out = new Map<string, { name: string; pid: number; processing: number }>();
  for (const ws of cluster.scheduler.state.workers.values()) {
    if (ws.status === "running" || ws.status === "paused") out.set(ws.address, { name: ws.name, pid: ws.pid, processing: ws.processing.size });
  }
  return out;
}

/** Sum of the nanny restarts the scheduler's worker view reports. */
export function restartsSeen(cluster: LocalCluster): number {
  return cluster.scheduler.workers().reduce((n, w) => n + w.restarts, 0);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` on a fresh LocalCluster with nannies (2 workers × 1 thread by default); checks for leaks. */
export async function withNannyCluster(opts: LocalClusterOptions, fn: (ctx: ChaosContext) => Promise<void>): Promise<void> {
  const before = resourceCounts();
  const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, memoryLimit: "2GB", logLevel: "error", nanny: true, ...opts });
  const pids = new Set<number>();
  const track = (): void => {
    for (const p of cluster.workerPids().values()) pids.add(p);
    for (const w of liveWorkers(cluster).values()) pids.add(w.pid);
  };
  track();
  const tracker = setInterval(track, 50);
  let client: Client | undefined;
  try {
    client = await Client.connect(cluster, { log: silent(), setAsDefault: false });
    await fn({ cluster, client });
  } finally {
    clearInterval(tracker);
    track();
    await client?.close();
    await cluster.close();
    await waitFor(() => [...pids].every((p) => !isAlive(p)), 10_000, "nanny and worker processes to exit");
  }
  await assertNoLeaks(before);
}
