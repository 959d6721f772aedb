/**
 * What Client.compute / Client.persist accept besides raw graphs (Dask's collection protocol): an
 * object that can give its graph and output keys, and turn the computed values of those keys into
 * its result. Tessera arrays implement it.
 */
import type { Graph, Key } from "./spec.js";

export interface Collection<T = unknown> {
  /** The output keys, in the order finalize expects their values. */
  keys(): Key[];
  /** The graph computing them (optimised unless `optimize` is false). */
  buildGraph(optimize?: boolean): Graph;
  /** The result from the values of keys(). */
  finalize(values: readonly unknown[]): T;
}

export function isCollection(x: unknown): x is Collection {
  return (
    typeof x === "object" &&
    x !== null &&
    typeof (x as Collection).keys === "function" &&
    typeof (x as Collection).buildGraph === "function" &&
    typeof (x as Collection).finalize === "function"
  );
}
