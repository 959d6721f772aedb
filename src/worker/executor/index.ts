export { TaskThreadPool, ModuleLoadError, type TaskThreadPoolOptions, type TaskOutcome, type TaskRequest, type TaskErrorInfo, type UploadedModule } from "./pool.js";
export { nbytes } from "./nbytes.js";
export { toShared, type ResultTransport } from "./transport.js";
