/**
 * LocalJobCluster: the job-queue cluster with jobs as local processes (dask-jobqueue's LocalCluster of
 * "local jobs"). Same options, job script, scale, adapt, lifetime and job table as SLURMCluster:
 * try cluster code on a laptop, then change the class name.
 *
 *   const cluster = new LocalJobCluster({ cores: 2, processes: 2, memory: "4GB" });
 *   await cluster.scale({ jobs: 2 });
 */
import { JobQueueCluster, type JobQueueClusterOptions } from "../jobqueue/cluster.js";
import { localJobs } from "./local-system.js";

export type LocalJobClusterOptions = JobQueueClusterOptions;

export class LocalJobCluster extends JobQueueCluster {
  constructor(opts: LocalJobClusterOptions = {}) {
    super(localJobs, "LocalJobCluster", { ...opts, schedulerOptions: { host: "127.0.0.1", ...opts.schedulerOptions } });
  }

  static async create(opts: LocalJobClusterOptions = {}): Promise<LocalJobCluster> {
    return new LocalJobCluster(opts).start();
  }
}
