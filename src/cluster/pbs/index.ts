export { PBSCluster, MoabCluster, type PBSClusterOptions } from "./cluster.js";
export { pbs, moab, parseQstatFull, pbsFormatBytesCeil } from "./pbs-system.js";
