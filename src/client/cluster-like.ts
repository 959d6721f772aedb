/**
 * What the Client needs from a cluster manager (defined here so the client layer does not import
 * the cluster layer above it; src/cluster/cluster.ts's Cluster satisfies it), and the hook through
 * which LocalCluster lets `Client.connect()` with no address start one.
 */
import type { Security } from "../protocol/index.js";
import { UsageError } from "../util/errors.js";

export interface ClusterLike {
  readonly schedulerAddress: string;
  readonly security: Security;
  readonly dashboardLink: string | undefined;
  close(): Promise<void>;
  /** Resolves once the cluster's scheduler runs (clusters that start lazily, e.g. SLURMCluster). */
  ready?(): Promise<unknown>;
  /** Replace every worker by a fresh process (LocalCluster). */
  restart?(opts?: { timeoutMs?: number }): Promise<void>;
}

export function isClusterLike(x: unknown): x is ClusterLike {
  return (
    typeof x === "object" &&
    x !== null &&
    "schedulerAddress" in x && // a getter that may throw until the cluster has started
    typeof (x as ClusterLike).close === "function" &&
    "security" in x
  );
}

type LocalClusterFactory = (opts: Record<string, unknown>) => Promise<ClusterLike>;
let localClusterFactory: LocalClusterFactory | undefined;

/** Called by src/cluster/local.ts when it is loaded. */
export function registerLocalClusterFactory(f: LocalClusterFactory): void {
  localClusterFactory = f;
}

export async function startLocalCluster(opts: Record<string, unknown>): Promise<ClusterLike> {
  if (!localClusterFactory) {
    // The package entry registers it; load it on demand for code that imported the client directly.
    await import(new URL("../cluster/local.js", import.meta.url).href);
  }
  if (!localClusterFactory) throw new UsageError("LocalCluster is not available: import 'tessera' to register it");
  return localClusterFactory(opts);
}
