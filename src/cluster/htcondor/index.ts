export { HTCondorCluster, type HTCondorClusterOptions } from "./cluster.js";
export { htcondor, parseCondorQ, quoteArguments } from "./htcondor-system.js";
