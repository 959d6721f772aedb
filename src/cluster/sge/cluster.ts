/**
 * SGECluster: JobQueueCluster with Grid Engine's header and commands (qsub / qdel / qstat).
 *
 *   const cluster = new SGECluster({ cores: 4, memory: "8GB", queue: "all.q", resourceSpec: "h_vmem=8G",
 *                                    jobExtraDirectives: ["-pe smp 4"], walltime: "01:00:00" });
 *   await cluster.scale({ jobs: 3 });
 */
import { JobQueueCluster, type JobQueueClusterOptions } from "../jobqueue/cluster.js";
import { sge } from "./sge-system.js";

export interface SGEClusterOptions extends JobQueueClusterOptions {
  /** Project of each job (`#$ -P`); defaults to `account`. */
  project?: string;
  /** Resource request (`#$ -l`), e.g. 'h_vmem=8G,mem_free=8G': the only way memory reaches Grid Engine. */
  resourceSpec?: string;
}

export class SGECluster extends JobQueueCluster {
  constructor(opts: SGEClusterOptions = {}) {
    super(sge, "SGECluster", opts);
  }

  static async create(opts: SGEClusterOptions = {}): Promise<SGECluster> {
    return new SGECluster(opts).start();
  }
}
