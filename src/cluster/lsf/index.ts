export { LSFCluster, type LSFClusterOptions } from "./cluster.js";
export { lsf, parseBjobs, lsfFormatBytesCeil } from "./lsf-system.js";
