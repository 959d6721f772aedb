/**
 * What the kernel must stop on interrupt and close on restart: the clients and clusters a notebook
 * made. Found among the notebook's global names (where cells keep them) and the default client;
 * nothing is registered by the objects themselves.
 */
import { Client } from "../../client/client.js";
import { JobQueueCluster } from "../../cluster/jobqueue/cluster.js";
import { LocalCluster } from "../../cluster/local.js";
import { getDefaultExecutor, hasDefaultClient } from "../../graph/default-executor.js";

export interface NotebookResources {
  clients: Client[];
  clusters: (LocalCluster | JobQueueCluster)[];
}

export function findResources(names: Iterable<string>, scope: Record<string, unknown> = globalThis as unknown as Record<string, unknown>): NotebookResources {
  const clients = new Set<Client>();
  const clusters = new Set<LocalCluster | JobQueueCluster>();
  const visit = (v: unknown) => {
    if (v instanceof Client) {
      clients.add(v);
      const c = v.cluster;
      if (c instanceof LocalCluster || c instanceof JobQueueCluster) clusters.add(c);
    } else if (v instanceof LocalCluster || v instanceof JobQueueCluster) clusters.add(v);
  };
  for (const n of names) {
    const v = scope[n];
    visit(v);
    if (Array.isArray(v)) v.forEach(visit);
  }
  if (hasDefaultClient()) visit(getDefaultExecutor());
  return { clients: [...clients], clusters: [...clusters] };
}

/** Closes clients, then clusters (SLURM jobs cancelled at once), within `timeoutMs`. */
export async function closeAll(r: NotebookResources, timeoutMs: number): Promise<void> {
  for (const c of r.clusters) if (c instanceof JobQueueCluster) c.cancelAllJobsSync();
  const work = (async () => {
    await Promise.allSettled(r.clients.map((c) => c.close()));
    await Promise.allSettled(r.clusters.map((c) => c.close()));
  })();
  await Promise.race([work, new Promise((res) => setTimeout(res, timeoutMs).unref())]);
}
