/** Errors of the batch-system cluster managers, each with a stable code (callers branch on `code`). */
import { TesseraError } from "../../util/errors.js";

/** A cluster option is missing, malformed or contradicts another (before anything is submitted). */
export class JobQueueConfigError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("TESSERA_ERR_JOBQUEUE_CONFIG", message, options);
  }
}

/** The request does not fit the batch system (partition, cores, memory, walltime), found before submitting. */
export class JobQueueValidationError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_JOBQUEUE_VALIDATION", message);
  }
}

/** A batch-system command (sbatch, scancel, squeue, sinfo…) failed; its output is kept verbatim. */
export class BatchCommandError extends TesseraError {
  constructor(
    message: string,
    readonly command: readonly string[],
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super("TESSERA_ERR_BATCH_COMMAND", message);
  }
}

/** Jobs kept ending before their workers connected; resubmission stopped. */
export class JobsFailingError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_JOBS_FAILING", message);
  }
}

/** The scheduler's own batch job (`schedulerJob: true`) ended or never started its scheduler. */
export class SchedulerJobError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_SCHEDULER_JOB", message);
  }
}
