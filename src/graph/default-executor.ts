/**
 * The default executor: where `array.compute()` runs. A Client registers itself here when it
 * connects (like dask's default client); with none, the synchronous reference executor runs
 * in-process. This is the seam that keeps the array layer free of distributed imports.
 */
import type { Graph, Key } from "./spec.js";
import { UsageError } from "../util/errors.js";

export interface GraphExecutor {
  /** Compute `keys` of `graph`; resolves with their values in the same order. */
  computeGraph(graph: Graph, keys: readonly Key[], opts?: { progress?: (done: number, total: number) => void }): Promise<unknown[]>;
  /** Compute and keep `keys` where they are (on workers); returns a handle per key. */
  persistGraph?(graph: Graph, keys: readonly Key[]): Promise<Graph>;
}

let current: GraphExecutor | null = null;
let fallback: (() => GraphExecutor) | null = null;

export function setDefaultExecutor(executor: GraphExecutor | null): void {
  current = executor;
}

/** Registered by src/graph/execute.ts: the in-process synchronous executor. */
export function setFallbackExecutor(factory: () => GraphExecutor): void {
  fallback = factory;
}

export function getDefaultExecutor(): GraphExecutor {
  if (current) return current;
  if (fallback) return fallback();
  throw new UsageError("no executor: import 'tessera' (or src/graph/execute.js) to get the in-process executor");
}

export function hasDefaultClient(): boolean {
  return current !== null;
}

export type ProgressCallback = (done: number, total: number) => void;
/** Makes a progress callback for one computation (or none); the notebook kernel sets one. */
export type ProgressFactory = (graph: Graph | undefined, keys: readonly Key[]) => ProgressCallback | undefined;

let progressFactory: ProgressFactory | null = null;

/** Show progress for computations that ask for none (a notebook's live progress bar); null stops it. */
export function setDefaultProgress(factory: ProgressFactory | null): void {
  progressFactory = factory;
}

/** The default progress callback for a computation of `keys`, if one is set. */
export function defaultProgress(graph: Graph | undefined, keys: readonly Key[]): ProgressCallback | undefined {
  return progressFactory?.(graph, keys);
}
