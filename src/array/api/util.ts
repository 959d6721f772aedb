/** Argument checks shared by the array API functions. */
import { rechunk } from "../rechunk.js";
import type { TArray } from "../core.js";
import { ArrayArgumentError, showValue } from "../errors.js";

/** One axis, negative counting from the end. */
export function normAxis(axis: unknown, nd: number, where: string): number {
  if (typeof axis !== "number" || !Number.isInteger(axis) || axis < -nd || axis >= nd) {
    throw new ArrayArgumentError(`${where}: axis ${showValue(axis)} is out of range for an array with ${nd} axes (use -${nd}..${nd - 1})`);
  }
  return axis < 0 ? axis + nd : axis;
}

/** Arrays whose chunk sizes are unknown (NaN, after boolean indexing) must be resolved first. */
export function requireKnownChunks(a: TArray, where: string): void {
  if (a.chunks.some((c) => c.some((n) => Number.isNaN(n)))) {
    throw new ArrayArgumentError(`${where}: the array's chunk sizes are unknown (NaN, as after boolean indexing); call await a.computeChunkSizes() first`);
  }
}

/** The array without zero-size blocks along `axis` (kernels that need ≥1 element per line). */
export function dropEmptyBlocks(a: TArray, axis: number): TArray {
  const c = a.chunks[axis]!;
  if (!c.includes(0) || c.length === 1) return a;
  const kept = c.filter((n) => n > 0);
  return rechunk(a, a.chunks.map((x, k) => (k === axis ? (kept.length > 0 ? kept : [0]) : x)));
}

/** The array with `axis` in one block. */
export function wholeAxis(a: TArray, axis: number): TArray {
  if (a.chunks[axis]!.length === 1) return a;
  return rechunk(a, a.chunks.map((x, k) => (k === axis ? [a.shape[axis]!] : x)));
}

export function checkInt(v: unknown, what: string, where: string, min = 0): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw new ArrayArgumentError(`${where}: ${what} ${showValue(v)} must be an integer >= ${min}`);
  return v;
}
