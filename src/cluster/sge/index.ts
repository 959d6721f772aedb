export { SGECluster, type SGEClusterOptions } from "./cluster.js";
export { sge, parseQstat } from "./sge-system.js";
