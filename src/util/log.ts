/** Logging: pino to stderr, level from TESSERA_LOG_LEVEL (default "info"; "silent" in quiet tests). */
import { pino, type Logger as PinoLogger, type LevelWithSilent } from "pino";

export type Logger = PinoLogger;

const LEVELS: readonly LevelWithSilent[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

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
    throw new Error(`TESSERA_LOG_LEVEL '${raw}' is not a log level; use one of ${LEVELS.join(", ")}`);
  }
  return level;
}

export function createLogger(name: string, opts: CreateLoggerOptions = {}): Logger {
  const level = opts.level ?? logLevelFromEnv(opts.env);
  // pino.destination(2) writes synchronously to stderr: no worker thread, nothing left open in tests.
  return pino({ name, level, base: { pid: process.pid, ...opts.bindings } }, pino.destination({ dest: 2, sync: true }));
}

/** A logger that drops everything (default for library code given no logger). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
