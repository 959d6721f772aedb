/**
 * A SchedulerPort for a scheduler that runs elsewhere (in a batch job of its own): a Client
 * connection, read once per reconcile step. Workers joining or leaving show up at the next refresh;
 * the adaptive target comes with the same request.
 */
import { Client } from "../../client/client.js";
import type { Security } from "../../protocol/index.js";
import type { SchedulerInfo } from "../../protocol/messages.js";
import { workerSnapshot, type SchedulerPort, type WorkerSnapshot } from "./scheduler-port.js";

export async function connectRemoteScheduler(opts: { address: string; dashboardLink: string | undefined; security: Security }): Promise<SchedulerPort> {
  const client = await Client.connect(opts.address, { security: opts.security, setAsDefault: false });
  let workers: WorkerSnapshot[] = [];
  let target = 0;
  const changed: (() => void)[] = [];
  const apply = (info: SchedulerInfo) => {
    const before = workers.map((w) => w.address).sort().join(" ");
    workers = info.workers.map(workerSnapshot);
    if (info.adaptiveTarget !== undefined) target = info.adaptiveTarget;
    if (workers.map((w) => w.address).sort().join(" ") !== before) for (const fn of changed) fn();
  };
  apply(await client.schedulerInfo());
  return {
    address: opts.address,
    dashboardLink: opts.dashboardLink,
    workers: () => workers,
    onWorkersChanged: (fn) => changed.push(fn),
    // Task run times stay with the remote scheduler (its own dashboard shows them).
    onTaskTime: () => undefined,
    adaptiveTarget: () => target,
    retireWorkers: (o) => client.retireWorkers({ names: [...o.names], closeWorkers: o.closeWorkers }),
    refresh: async (targetDurationS) => apply(await client.schedulerInfo(targetDurationS !== undefined ? { targetDurationS } : {})),
    close: () => client.close(),
  };
}
