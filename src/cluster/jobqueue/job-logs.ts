/**
 * Worker log tails from job output files, for the dashboard's worker log view. Workers log pino JSON
 * lines to stderr, which the batch system writes to the job's .err file; the lines of one worker carry
 * its name. Other lines (the batch system's own, a shell's) are kept as plain info lines.
 */
import type { LogEntry } from "../../dashboard/source.js";

const LEVELS: Record<number, LogEntry["level"]> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };

/** The last `limit` entries of `text` that belong to `workerName` (or to nobody in particular). */
export function workerLogEntries(text: string, workerName: string, limit: number, fallbackTimeMs: number): LogEntry[] {
  const out: LogEntry[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let entry: LogEntry | undefined;
    if (line.startsWith("{")) {
      try {
        const o = JSON.parse(line) as { level?: number; time?: number; msg?: string; worker?: string };
        if (o.worker !== undefined && o.worker !== workerName) continue;
        const { level, time, msg, ...rest } = o;
        delete rest.worker;
        const extra = Object.entries(rest).filter(([k]) => !["pid", "hostname", "name"].includes(k));
        entry = {
          time: typeof time === "number" ? time : fallbackTimeMs,
          level: LEVELS[level ?? 30] ?? "info",
          msg: (msg ?? "") + (extra.length ? " " + extra.map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ") : ""),
        };
      } catch {
        entry = undefined;
      }
    }
    out.push(entry ?? { time: fallbackTimeMs, level: /error/i.test(line) ? "error" : "info", msg: line });
  }
  return out.slice(-limit);
}
