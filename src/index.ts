/**
 * Tessera: parallel computing for TypeScript on Node.js.
 *
 *   import { Client, LocalCluster } from "tessera";
 *   const client = await Client.connect();          // starts a LocalCluster
 *   await client.submit((x: number) => x + 1, 41);  // 42
 *
 * Arrays live in "tessera/array".
 */
import "./graph/execute.js"; // registers the in-process fallback executor

export { Client, type ClientOptions, type SubmitOptions, type WaitOptions, type ReturnWhen, type ComputeCollectionOptions, type FutureOr, type TaskArgs, type MapArgs } from "./client/client.js";
export { Future, type FutureStatus } from "./client/future.js";
export { AsCompleted, asCompleted } from "./client/as-completed.js";
export { CollectionFuture } from "./client/collection-future.js";
export { terminalProgress, type ProgressReporter } from "./client/progress.js";
export type { Collection } from "./graph/collection.js";
export { TaskError, KilledWorker, CancelledError, SchedulerGoneError, ClientClosedError, SchedulerRequestError } from "./client/errors.js";
export {
  TesseraError,
  KILLED_WORKER_CODE,
  ProtocolError,
  FrameTooLargeError,
  AuthenticationError,
  VersionMismatchError,
  HandshakeTimeoutError,
  ConnectError,
  AddressError,
  SecurityConfigError,
  CommClosedError,
  UsageError,
  TimeoutError,
  InternalError,
  ClosedError,
  GraphError,
  UnknownOpError,
  FunctionLoadError,
  SpillFileError,
  RegistrationRefusedError,
} from "./util/errors.js";
export { UploadError } from "./scheduler/uploads.js";
export { ClusterStartError } from "./cluster/local.js";
export { describeFunction, remote, UnshippableFunctionError, type FunctionDescriptor } from "./client/functions.js";
export { LocalCluster, type LocalClusterOptions } from "./cluster/local.js";
export type { Cluster, ScaleRequest, Adaptive, AdaptOptions } from "./cluster/cluster.js";
export { SLURMCluster, type SLURMClusterOptions } from "./cluster/slurm/index.js";
export { SGECluster, type SGEClusterOptions } from "./cluster/sge/index.js";
export { PBSCluster, MoabCluster, type PBSClusterOptions } from "./cluster/pbs/index.js";
export { LSFCluster, type LSFClusterOptions } from "./cluster/lsf/index.js";
export { HTCondorCluster, type HTCondorClusterOptions } from "./cluster/htcondor/index.js";
export { OARCluster, type OARClusterOptions } from "./cluster/oar/index.js";
export { LocalJobCluster, type LocalJobClusterOptions } from "./cluster/local-jobs/index.js";
export { JobQueueCluster, type JobQueueClusterOptions, type JobInfo } from "./cluster/jobqueue/index.js";
export { Scheduler, type SchedulerOptions } from "./scheduler/server.js";
export type { SchedulerPlugin, TransitionInfo, WorkerInfo } from "./scheduler/plugin.js";
export type { SchedulerView, WorkerView, PrefixView } from "./scheduler/view.js";
export type { RebalanceResult } from "./protocol/messages.js";
export { Worker, type WorkerOptions } from "./worker/server.js";
export { Security } from "./protocol/index.js";
export { registerOp, getOp, hasOp, registeredOps, type OpFn } from "./graph/ops.js";
export { ref, isRef, isTask, type Graph, type Key, type GraphNode, type TaskNode, type DataNode } from "./graph/spec.js";
export { blockKey, keyPrefix } from "./graph/spec.js";
export { tokenize, tokenName } from "./graph/keys.js";
export { executeGraph, dependencies, topologicalOrder } from "./graph/execute.js";
export { optimizeGraph, cull, registerGraphPass, graphPasses, type GraphPass } from "./graph/optimize.js";
export { parseBytes, formatBytes, formatBytesDecimal } from "./util/sizes.js";
export { parseDuration } from "./util/durations.js";
export { dashboardPane, DashboardPane, type PaneOptions } from "./notebook/pane.js";
