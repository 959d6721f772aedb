/** HTCondorCluster: JobQueueCluster with HTCondor's submit description and condor_submit / condor_rm / condor_q. */
import { JobQueueCluster, type JobQueueClusterOptions } from "../jobqueue/cluster.js";
import { htcondor } from "./htcondor-system.js";

export interface HTCondorClusterOptions extends JobQueueClusterOptions {
  /** Disk per job, e.g. '1GB' (required: HTCondor's RequestDisk). */
  disk?: string;
  /** Extra arguments for condor_submit, e.g. ['-name', 'schedd@host']. */
  submitCommandExtra?: string[];
  /** Extra arguments for condor_rm. */
  cancelCommandExtra?: string[];
}

export class HTCondorCluster extends JobQueueCluster {
  constructor(opts: HTCondorClusterOptions = {}) {
    super(htcondor, "HTCondorCluster", opts);
    // Fail at construction, not at the first jobScript(): HTCondor needs RequestDisk.
    htcondor.headerLines(this.options);
  }
}
