import { UsageError } from "./errors.js";
/**
 * Durations as Dask and SLURM write them, in seconds: '5s', '100ms', '55m', '1h', '2d', '1.5 hours',
 * a bare number = seconds, and SLURM clock forms 'MM:SS', 'HH:MM:SS', 'D-HH', 'D-HH:MM', 'D-HH:MM:SS'
 * ('10:00' = ten minutes, '00:30:00' = thirty minutes).
 */

const UNITS: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>([
    ["ns", 1e-9], ["us", 1e-6], ["µs", 1e-6], ["ms", 1e-3], ["s", 1], ["m", 60], ["h", 3600], ["d", 86400], ["w", 604800],
    ["", 1],
  ]);
  const words: Record<string, number> = {
    nanosecond: 1e-9, microsecond: 1e-6, millisecond: 1e-3, second: 1, sec: 1, minute: 60, min: 60,
    hour: 3600, hr: 3600, day: 86400, week: 604800,
  };
  for (const [w, v] of Object.entries(words)) {
    m.set(w, v);
    m.set(w + "s", v);
  }
  return m;
})();

function durationError(what: string | undefined, s: unknown, why: string): Error {
  const label = what ? `${what}: ` : "";
  return new UsageError(`${label}'${String(s)}' is not a duration (${why}); use e.g. '5s', '55m', '1h', '100ms' or '00:30:00'`);
}

function parseClock(t: string, what: string | undefined, original: string): number {
  let days = 0;
  let rest = t;
  const dash = t.indexOf("-");
  if (dash >= 0) {
    const d = t.slice(0, dash);
    if (!/^\d+$/.test(d)) throw durationError(what, original, `bad day count '${d}'`);
    days = Number(d);
    rest = t.slice(dash + 1);
  }
  const parts = rest.split(":");
  if (parts.some((p) => !/^\d+(\.\d+)?$/.test(p)) || parts.length > 3) {
    throw durationError(what, original, "clock form must be [D-]HH:MM:SS, MM:SS or D-HH[:MM]");
  }
  const nums = parts.map(Number);
  let h = 0, m = 0, s = 0;
  if (dash >= 0) {
    // SLURM: D-HH, D-HH:MM, D-HH:MM:SS
    [h = 0, m = 0, s = 0] = nums;
  } else if (nums.length === 3) {
    [h = 0, m = 0, s = 0] = nums;
  } else {
    // MM:SS
    [m = 0, s = 0] = nums;
  }
  return days * 86400 + h * 3600 + m * 60 + s;
}

/** Parse a duration into seconds. */
export function parseDuration(s: string | number, what?: string): number {
  if (typeof s === "number") {
    if (!Number.isFinite(s) || s < 0) throw durationError(what, s, "must be a finite number ≥ 0");
    return s;
  }
  if (typeof s !== "string") throw durationError(what, s, "expected a string or a number");
  const t = s.trim();
  if (t === "") throw durationError(what, s, "empty");
  if (t.includes(":") || /^\d+-/.test(t)) return parseClock(t, what, s);
  const m = /^([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-zA-Zµ]*)$/.exec(t);
  if (!m) throw durationError(what, s, "expected a number followed by a unit");
  const mult = UNITS.get(m[2]!.toLowerCase());
  if (mult === undefined) throw durationError(what, s, `unknown unit '${m[2]}'`);
  return Number(m[1]) * mult;
}

/** Seconds as SLURM's HH:MM:SS (rounded up to whole seconds). */
export function formatClock(seconds: number): string {
  const total = Math.ceil(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (x: number) => String(x).padStart(2, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)}`;
}
