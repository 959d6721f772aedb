/** LSFCluster: JobQueueCluster with LSF's header and bsub / bkill / bjobs. */
import { JobQueueCluster, type JobQueueClusterOptions } from "../jobqueue/cluster.js";
import { lsf } from "./lsf-system.js";

export interface LSFClusterOptions extends JobQueueClusterOptions {
  /** Project (`#BSUB -P`); defaults to `account`. */
  project?: string;
  /** Slots requested (`-n`); default `cores`. */
  ncpus?: number;
  /** Memory limit in bytes (`-M`, written in lsfUnits); default `memory`. */
  mem?: number;
  /** Units of LSF's memory limits (kb, mb, gb…); default LSF_UNIT_FOR_LIMITS from lsf.conf, else kb. */
  lsfUnits?: string;
  /** Submit as `bsub < script` (default true, as dask-jobqueue) or `bsub script`. */
  useStdin?: boolean;
}

export class LSFCluster extends JobQueueCluster {
  constructor(opts: LSFClusterOptions = {}) {
    super(lsf, "LSFCluster", opts);
  }
}
