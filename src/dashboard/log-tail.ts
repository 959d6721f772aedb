/**
 * The last lines of a log, for the Info page. A LogTail takes pino's JSON lines (or plain text) as a
 * writable stream would — a worker process's stderr piped in, or a logger's destination — and keeps
 * the newest `capacity` entries.
 */
import { pino, type LevelWithSilent } from "pino";
import type { Logger } from "../util/log.js";
import type { LogEntry } from "./source.js";

const PINO_LEVELS: Record<number, LogEntry["level"]> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };

/** One log line as an entry: pino JSON ({time, level, msg, err}) or plain text (level "info"). */
export function parseLogLine(line: string, now = Date.now()): LogEntry {
  if (line.startsWith("{")) {
    try {
      const o = JSON.parse(line) as { time?: number; level?: number | string; msg?: string; err?: { message?: string; stack?: string } };
      const level = typeof o.level === "number" ? (PINO_LEVELS[o.level] ?? "info") : ((o.level as LogEntry["level"] | undefined) ?? "info");
      let msg = o.msg ?? "";
      if (o.err?.message) msg += `${msg ? ": " : ""}${o.err.message}`;
      return { time: typeof o.time === "number" ? o.time : now, level, msg };
    } catch {
      // not JSON after all: keep the text
    }
  }
  return { time: now, level: "info", msg: line };
}

export class LogTail {
  readonly capacity: number;
  #entries: LogEntry[] = [];
  #partial = "";

  constructor(capacity = 1000) {
    this.capacity = capacity;
  }

  /** Stream-compatible: accepts chunks that may end mid-line. */
  write(chunk: string | Uint8Array): boolean {
    const text = this.#partial + (typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    const lines = text.split("\n");
    this.#partial = lines.pop() ?? "";
    for (const line of lines) if (line.trim() !== "") this.push(parseLogLine(line));
    return true;
  }

  push(entry: LogEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.capacity * 1.5) this.#entries = this.#entries.slice(-this.capacity);
  }

  /** The newest `limit` entries, oldest first. */
  entries(limit: number): LogEntry[] {
    return this.#entries.slice(-Math.min(limit, this.capacity));
  }
}

/**
 * A pino logger that writes to stderr as usual (unless `stderr: false`) and also into `tail`, so the
 * dashboard can show what a scheduler or an in-process worker logged.
 */
export function createTailedLogger(name: string, tail: LogTail, opts: { level?: LevelWithSilent; stderr?: boolean } = {}): Logger {
  const level = opts.level ?? "info";
  const streams: pino.StreamEntry[] = [{ level: level === "silent" ? "fatal" : level, stream: tail }];
  if (opts.stderr !== false) streams.push({ level: level === "silent" ? "fatal" : level, stream: pino.destination({ dest: 2, sync: true }) });
  return pino({ name, level }, pino.multistream(streams));
}
