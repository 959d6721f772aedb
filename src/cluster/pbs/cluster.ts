/** PBSCluster and MoabCluster: JobQueueCluster with PBS's header and qsub / qdel / qstat (msub / canceljob for Moab). */
import { JobQueueCluster, type JobQueueClusterOptions } from "../jobqueue/cluster.js";
import { moab, pbs } from "./pbs-system.js";

export interface PBSClusterOptions extends JobQueueClusterOptions {
  /** `#PBS -l` resource request; default `select=1:ncpus=<cores>:mem=<memory>`. */
  resourceSpec?: string;
  /** Old name of `account` (`-A`), honoured when account is unset, as in dask-jobqueue. */
  project?: string;
}

export class PBSCluster extends JobQueueCluster {
  constructor(opts: PBSClusterOptions = {}) {
    super(pbs, "PBSCluster", opts);
  }
}

export class MoabCluster extends JobQueueCluster {
  constructor(opts: PBSClusterOptions = {}) {
    super(moab, "MoabCluster", opts);
  }
}
