export { JobQueueCluster, WORKER_ENTRY, type JobQueueClusterOptions, type ScaleRequest } from "./cluster.js";
export type { BatchSystem, JobState, JobStatusRow } from "./batch-system.js";
export { ENDED_STATES, parseJobId } from "./batch-system.js";
export type { JobInfo } from "./job-record.js";
export {
  defaultProcesses,
  resolveJobOptions,
  JOB_QUEUE_DEFAULTS,
  JOB_QUEUE_OPTION_NAMES,
  type JobQueueOptions,
  type ResolvedJobOptions,
  type SchedulerOptions,
} from "./options.js";
export { renderJobScript, renderHeader, renderWorkerCommand, formatMemoryLimit } from "./script.js";
export { BatchCommandError, JobQueueConfigError, JobQueueValidationError, JobsFailingError } from "./errors.js";
export { reconcile, recordJobEnd, recordWorkerConnected, scaleDownOrder, type FailurePolicy } from "./reconcile.js";
