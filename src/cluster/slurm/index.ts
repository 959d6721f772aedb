export { SLURMCluster, type SLURMClusterOptions } from "./cluster.js";
export { slurm, slurmFormatBytesCeil, parseSqueue, parseSlurmTime, SQUEUE_FORMAT } from "./slurm-system.js";
export { parseSinfo, checkAgainstPartitions, slurmMemToMiB, type PartitionInfo } from "./sinfo.js";
