/**
 * What the Client needs from a cluster manager (defined here so the client layer does not import
 * the cluster layer above it; src/cluster/cluster.ts's Cluster satisfies it), and the hook through
 * which LocalCluster lets `Client.connect()` with no address start one.
 */
import type { Security } from "../protocol/index.js";

export interface ClusterLike {
  readonly schedulerAddress: string;
  readonly security: Security;
  readonly dashboardLink: string | undefined;
  close(): Promise<void>;
}

export function isClusterLike(x: unknown): x is ClusterLike {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as ClusterLike).schedulerAddress === "string" &&
    typeof (x as ClusterLike).close === "function" &&
    typeof (x as ClusterLike).security === "object"
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
  if (!localClusterFactory) throw new Error("LocalCluster is not available: import 'tessera' to register it");
  return localClusterFactory(opts);
}
