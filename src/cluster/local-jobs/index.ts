export { LocalJobCluster, type LocalJobClusterOptions } from "./cluster.js";
export { localJobs } from "./local-system.js";
