/**
 * Logging: pino to stderr, level from TESSERA_LOG_LEVEL (default "info"; "silent" in quiet tests).
 * Lines are JSON when stderr is piped (for log collectors) and human-readable on a terminal;
 * TESSERA_LOG_FORMAT=json|pretty overrides.
 */
import { writeSync } from "node:fs";
import { pino, type Logger as PinoLogger, type LevelWithSilent } from "pino";
import { UsageError } from "./errors.js";
import { prettyLine } from "./log-pretty.js";

export type Logger = PinoLogger;

export const LOG_LEVELS: readonly LevelWithSilent[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const LEVELS = LOG_LEVELS;
export const LOG_FORMATS = ["pretty", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function logFormatFromEnv(env: NodeJS.ProcessEnv = process.env, isTTY = Boolean(process.stderr.isTTY)): LogFormat {
  const raw = env["TESSERA_LOG_FORMAT"];
  if (raw === undefined || raw === "") return isTTY ? "pretty" : "json";
  const f = raw.toLowerCase();
  if (f !== "pretty" && f !== "json") throw new UsageError(`TESSERA_LOG_FORMAT '${raw}' is not pretty or json`);
  return f;
}

/** Writes pino's JSON lines to stderr as readable lines (synchronously, like pino.destination). */
const prettyStderr = {
  write(line: string): void {
    writeSync(2, prettyLine(line, Boolean(process.stderr.isTTY)));
  },
};

export interface CreateLoggerOptions {
  /** Overrides TESSERA_LOG_LEVEL. */
  level?: LevelWithSilent;
  /** Extra fields on every line (e.g. a worker name). */
  bindings?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LevelWithSilent {
  const raw = env["TESSERA_LOG_LEVEL"];
  if (raw === undefined || raw === "") return "info";
  const level = raw.toLowerCase() as LevelWithSilent;
  if (!LEVELS.includes(level)) {
    throw new UsageError(`TESSERA_LOG_LEVEL '${raw}' is not a log level; use one of ${LEVELS.join(", ")}`);
  }
  return level;
}

export function createLogger(name: string, opts: CreateLoggerOptions = {}): Logger {
  const level = opts.level ?? logLevelFromEnv(opts.env);
  // pino.destination(2) writes synchronously to stderr: no worker thread, nothing left open in tests.
  const dest = logFormatFromEnv(opts.env) === "pretty" ? prettyStderr : pino.destination({ dest: 2, sync: true });
  return pino({ name, level, base: { pid: process.pid, ...opts.bindings } }, dest);
}

/** A logger that drops everything (default for library code given no logger). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
