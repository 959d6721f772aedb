export { OARCluster, type OARClusterOptions } from "./cluster.js";
export { oar, parseOarstat } from "./oar-system.js";
