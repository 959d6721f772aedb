/** OARCluster: JobQueueCluster with OAR's header and oarsub / oardel / oarstat. */
import { JobQueueCluster, type JobQueueClusterOptions } from "../jobqueue/cluster.js";
import { oar } from "./oar-system.js";

export interface OARClusterOptions extends JobQueueClusterOptions {
  /** Project (`--project`); defaults to `account`. */
  project?: string;
  /** Resource request; default `/nodes=1/core=<cores>` (walltime is appended on the same -l line). */
  resourceSpec?: string;
  /**
   * The site's property for memory per core in MiB (e.g. 'memcore'), so jobs get the memory the
   * workers use; 'not_applicable' where OAR does not manage memory.
   */
  memoryPerCorePropertyName?: string;
}

export class OARCluster extends JobQueueCluster {
  constructor(opts: OARClusterOptions = {}) {
    super(oar, "OARCluster", opts);
  }
}
