/**
 * SLURMCluster: JobQueueCluster with SLURM's header and commands, plus pre-flight validation
 * against `sinfo`.
 *
 *   const cluster = await SLURMCluster.create({ cores: 2, processes: 2, memory: "4GB", queue: "short",
 *                                               walltime: "00:10:00", logDirectory: "logs" });
 *   console.log(cluster.jobScript());
 *   await cluster.scale({ jobs: 3 });
 */
import { JobQueueCluster, type JobQueueClusterOptions } from "../jobqueue/cluster.js";
import { JobQueueValidationError } from "../jobqueue/errors.js";
import { checkResult } from "../jobqueue/run-command.js";
import { runCommand } from "../jobqueue/run-command.js";
import { checkAgainstPartitions, parseSinfo, SINFO_ARGS } from "./sinfo.js";
import { slurm } from "./slurm-system.js";

export type SLURMClusterOptions = JobQueueClusterOptions;

export class SLURMCluster extends JobQueueCluster {
  constructor(opts: SLURMClusterOptions = {}) {
    super(slurm, "SLURMCluster", opts);
  }

  /** Construct, validate against sinfo, start the scheduler (and submit nWorkers). */
  static async create(opts: SLURMClusterOptions = {}): Promise<SLURMCluster> {
    return new SLURMCluster(opts).start();
  }

  /** Same as create() (LocalCluster.start's spelling). */
  static async start(opts: SLURMClusterOptions = {}): Promise<SLURMCluster> {
    return SLURMCluster.create(opts);
  }

  /** Unknown partition, cores above the largest node, memory above node memory, walltime above the limit. */
  override async preflight(): Promise<void> {
    const r = checkResult("reading the partitions", SINFO_ARGS, await runCommand(SINFO_ARGS, { timeoutMs: 30_000 }));
    const problems = checkAgainstPartitions(this.options, parseSinfo(r.stdout));
    if (problems.length > 0) {
      throw new JobQueueValidationError(`SLURMCluster: the job request does not fit this cluster:\n  - ${problems.join("\n  - ")}`);
    }
  }
}
