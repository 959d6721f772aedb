/**
 * Colours. Task prefixes get a colour from a palette by hash, so the same kind of task has the same
 * colour in the task stream and the progress bars, on every page and every reload. Red, orange, black
 * and grey are reserved (as in Dask): transfers, disk spills, errors, idle.
 */
import type { MemoryThresholds, TaskAction } from "../api-types.js";

const PALETTE = [
  "#4e79a7", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#3d5a80", "#8cd17d",
  "#499894", "#d4a6c8", "#86bcb6", "#a0cbe8", "#b6992d", "#79706e", "#6a51a3", "#2ca25f",
];

export const RESERVED: Record<Exclude<TaskAction, "compute">, string> & { erred: string; idle: string } = {
  transfer: "#e15759",
  "disk-write": "#f28e2b",
  "disk-read": "#f28e2b",
  deserialize: "#bbbbbb",
  erred: "#111111",
  idle: "#ffffff",
};

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export function prefixColour(prefix: string): string {
  return PALETTE[hash(prefix) % PALETTE.length]!;
}

export function spanColour(prefix: string, action: TaskAction, erred: boolean): string {
  if (erred) return RESERVED.erred;
  if (action === "compute") return prefixColour(prefix);
  return RESERVED[action];
}

export type MemoryLevel = "ok" | "high" | "critical" | "paused";

/**
 * Blue below the target fraction, orange from it (spilling soon / spilling), red from pause (about to
 * pause or be killed), red stripes when the worker is paused (it starts no tasks).
 */
export function memoryLevel(used: number, limit: number, t: MemoryThresholds, status: string, paused = false): MemoryLevel {
  if (paused || status === "paused") return "paused";
  if (status === "closing") return "critical";
  if (limit <= 0) return "ok";
  const f = used / limit;
  if (f >= t.pause) return "critical";
  if (f >= t.target) return "high";
  return "ok";
}

export const MEMORY_COLOURS: Record<MemoryLevel, string> = {
  ok: "#4e79a7",
  high: "#f28e2b",
  critical: "#e15759",
  paused: "repeating-linear-gradient(135deg, #e15759 0 5px, #f5b7b8 5px 9px)",
};
