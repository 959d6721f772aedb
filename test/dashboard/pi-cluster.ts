/**
 * A real LocalCluster (worker processes over TCP) computing a Monte-Carlo π with the `tessera/array`
 * API, with the dashboard attached to its scheduler (token required), for the browser tests.
 */
import { LocalCluster } from "../../src/cluster/local.js";
import { Client } from "../../src/client/client.js";
import { random } from "../../src/array/index.js";
import { startSchedulerDashboard } from "../../src/dashboard/scheduler-source.js";
import type { Dashboard } from "../../src/dashboard/server.js";
import type { SchedulerPlugin } from "../../src/scheduler/plugin.js";

export interface PiCluster {
  readonly dashboardUrl: string;
  workerAddresses(): string[];
  /** π from `points` random points in the unit square, in chunks of `chunk`. */
  computePi(opts: { points: number; chunk: number }): Promise<number>;
  /** Run a task that raises; resolves with the error the client got. */
  runFailingTask(): Promise<Error>;
  /** Tasks the scheduler saw finish, by prefix. */
  finishedByPrefix(): Record<string, number>;
  schedulerNumbers(): { tasksFinished: number; workers: number; threads: number };
  schedulerWorkers(): { address: string; nthreads: number; stored: number; restarts: number }[];
  close(): Promise<void>;
}

export async function startPiCluster(opts: { workers: number; threadsPerWorker: number }): Promise<PiCluster> {
  const cluster = await LocalCluster.start({
    nWorkers: opts.workers,
    threadsPerWorker: opts.threadsPerWorker,
    memoryLimit: "2GiB",
    dashboard: false,
    logLevel: "warn",
  });
  let dashboard: Dashboard | undefined;
  let client: Client | undefined;
  try {
    dashboard = await startSchedulerDashboard(cluster.scheduler, {
      address: "127.0.0.1:0",
      secret: cluster.security.secret,
      requireToken: true,
      log: cluster.log,
    });
    client = await Client.connect(cluster);
  } catch (err) {
    await client?.close();
    await cluster.close();
    throw err;
  }
  const finished: Record<string, number> = {};
  const counter: SchedulerPlugin = {
    name: "test-counter",
    transition(_key, from, to, info) {
      if (from === "processing" && to === "memory") finished[info.prefix] = (finished[info.prefix] ?? 0) + 1;
    },
  };
  cluster.scheduler.addPlugin(counter);
  let seed = 1;

  return {
    dashboardUrl: dashboard.url,
    workerAddresses: () => cluster.scheduler.workers().map((w) => w.address),
    async computePi({ points, chunk }) {
      const x = random.random({ shape: [points], chunks: [chunk], seed: seed++ });
      const y = random.random({ shape: [points], chunks: [chunk], seed: seed++ });
      const inside = await x.mul(x).add(y.mul(y)).le(1).sum().compute();
      return (4 * Number(inside)) / points;
    },
    async runFailingTask() {
      const checkSample = (n: number): number => {
        if (n > 1) throw new RangeError(`sample size ${n} is above 1`);
        return n;
      };
      try {
        await client!.submit(checkSample, 7);
      } catch (err) {
        return err as Error;
      }
      throw new Error("the failing task did not fail");
    },
    finishedByPrefix: () => ({ ...finished }),
    schedulerNumbers() {
      const v = cluster.scheduler.view();
      return { tasksFinished: v.counters.tasksFinished, workers: v.workers.length, threads: v.workers.reduce((s, w) => s + w.nthreads, 0) };
    },
    schedulerWorkers: () => cluster.scheduler.workers().map((w) => ({ address: w.address, nthreads: w.nthreads, stored: w.stored, restarts: w.restarts })),
    async close() {
      await client?.close();
      await cluster.close(); // closes the scheduler, and with it the dashboard
    },
  };
}
