/**
 * Dask's worker memory thresholds as a pure policy (fractions of the worker's memory limit; any
 * can be `false` to disable it):
 *   target    0.60 of *managed* memory (bytes of results held in memory) → spill least-recently-used
 *             results until managed memory is back under it;
 *   spill     0.70 of *process* memory (RSS) → spill more, until process memory would be under target;
 *   pause     0.80 of process memory → stop starting new tasks (resume below it);
 *   terminate 0.95 of process memory → the nanny kills and restarts the worker.
 */
import { UsageError } from "../../util/errors.js";

export interface MemoryThresholds {
  readonly target: number | false;
  readonly spill: number | false;
  readonly pause: number | false;
  readonly terminate: number | false;
}

export const defaultMemoryThresholds: MemoryThresholds = { target: 0.6, spill: 0.7, pause: 0.8, terminate: 0.95 };

export interface MemorySample {
  /** Resident set size of the worker process, bytes. */
  readonly processBytes: number;
  /** Bytes of results held in memory (the store's memoryBytes). */
  readonly managedBytes: number;
  /** The memory limit, bytes; 0 = no limit (nothing is ever decided). */
  readonly limitBytes: number;
}

export interface MemoryDecision {
  /** Bytes of managed results to move to disk now (0 = none). */
  readonly spillBytes: number;
  readonly paused: boolean;
  readonly terminate: boolean;
  /** Which rule asked for the spill, for logs. */
  readonly reason: "none" | "target" | "spill";
}

export function validateThresholds(t: MemoryThresholds): MemoryThresholds {
  for (const [name, v] of Object.entries(t)) {
    if (v !== false && !(typeof v === "number" && v > 0 && v <= 1)) {
      throw new UsageError(`memory threshold '${name}' must be a fraction in (0, 1] or false, got ${String(v)}`);
    }
  }
  return t;
}

export function decideMemory(s: MemorySample, t: MemoryThresholds = defaultMemoryThresholds): MemoryDecision {
  if (!(s.limitBytes > 0)) return { spillBytes: 0, paused: false, terminate: false, reason: "none" };
  const frac = (f: number) => f * s.limitBytes;
  let spillBytes = 0;
  let reason: MemoryDecision["reason"] = "none";
  if (t.target !== false && s.managedBytes > frac(t.target)) {
    spillBytes = s.managedBytes - frac(t.target);
    reason = "target";
  }
  if (t.spill !== false && s.processBytes > frac(t.spill)) {
    // Evict until process memory would be under target (or under the spill line when target is off).
    const goal = frac(t.target !== false ? t.target : t.spill);
    const need = s.processBytes - goal;
    if (need > spillBytes) {
      spillBytes = need;
      reason = "spill";
    }
  }
  spillBytes = Math.min(Math.ceil(spillBytes), s.managedBytes);
  return {
    spillBytes: Math.max(0, spillBytes),
    paused: t.pause !== false && s.processBytes > frac(t.pause),
    terminate: t.terminate !== false && s.processBytes > frac(t.terminate),
    reason: spillBytes > 0 ? reason : "none",
  };
}

/**
 * Pause with nothing left to spill. Dask's rule (pause above the pause line, resume below it) looks
 * only at process memory, so a worker whose memory is all unmanaged (allocator slack, V8 heaps,
 * shared buffers still mapped) stays paused for good and the computation deadlocks. Tessera's rule:
 * once paused, with managed memory at most `floorBytes` and a garbage collection done and settled
 * since (`gcSettled`), the worker is "throttled" instead: it runs one task at a time (each task frees
 * inputs as it goes, so memory can only drop back) until process memory is under the target line;
 * spilling goes on as usual, and the terminate line still protects.
 */
export type PauseMode = "running" | "paused" | "throttled";

export function nextPauseMode(
  mode: PauseMode,
  s: MemorySample,
  opts: { gcSettled: boolean; floorBytes: number },
  t: MemoryThresholds = defaultMemoryThresholds,
): PauseMode {
  if (!(s.limitBytes > 0) || t.pause === false) return "running";
  const above = s.processBytes > t.pause * s.limitBytes;
  const resumeLine = (t.target !== false ? t.target : t.spill !== false ? t.spill : t.pause) * s.limitBytes;
  switch (mode) {
    case "running":
      return above ? "paused" : "running";
    case "paused":
      if (!above) return "running";
      return s.managedBytes <= opts.floorBytes && opts.gcSettled ? "throttled" : "paused";
    case "throttled":
      return s.processBytes < resumeLine ? "running" : "throttled";
  }
}

/** Managed bytes at or below this fraction of the limit count as "nothing left to spill". */
export const NOTHING_TO_SPILL_FRACTION = 0.02;
