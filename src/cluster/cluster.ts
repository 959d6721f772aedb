/**
 * What a Client needs from a cluster manager (LocalCluster, SLURMCluster, ...): where the scheduler
 * is, the secret to reach it, the dashboard link, and scaling.
 */
import type { Security } from "../protocol/index.js";

export interface ScaleRequest {
  /** Batch jobs (JobQueueCluster). */
  jobs?: number;
  /** Total cores wanted. */
  cores?: number;
  /** Total memory wanted ('120GB' or bytes). */
  memory?: string | number;
  /** Submit new jobs as one job array (JobQueueCluster on SLURM, SGE, PBS). */
  array?: boolean;
}

export interface Adaptive {
  stop(): void;
}

export interface AdaptOptions {
  minimum?: number;
  maximum?: number;
  /** Seconds of work per worker the policy aims for. */
  targetDurationS?: number;
  intervalMs?: number;
}

export interface Cluster {
  readonly schedulerAddress: string;
  readonly security: Security;
  readonly dashboardLink: string | undefined;
  /** Ask for `n` workers (or jobs/cores/memory); resolves once the request is made. */
  scale(n: number | ScaleRequest): Promise<void>;
  adapt?(opts?: AdaptOptions): Adaptive;
  close(): Promise<void>;
}

export function isCluster(x: unknown): x is Cluster {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as Cluster).schedulerAddress === "string" &&
    typeof (x as Cluster).close === "function" &&
    typeof (x as Cluster).security === "object"
  );
}
