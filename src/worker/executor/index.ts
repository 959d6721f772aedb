export { TaskThreadPool, type TaskThreadPoolOptions, type TaskOutcome, type TaskRequest, type TaskErrorInfo } from "./pool.js";
export { nbytes } from "./nbytes.js";
export { toShared, type ResultTransport } from "./transport.js";
