/**
 * Flags every command takes: --log-level and --log-format. They are taken out of argv and put in the
 * environment (TESSERA_LOG_LEVEL / TESSERA_LOG_FORMAT), so that every logger of this process and of the
 * processes it starts (workers, nannies) follows them.
 */
import { LOG_FORMATS, LOG_LEVELS } from "../util/log.js";
import { UsageError } from "../util/errors.js";

export function extractGlobalFlags(argv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^--(log-level|log-format)(?:=(.*))?$/.exec(a);
    if (!m) {
      out.push(a);
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new UsageError(`--${m[1]} needs a value`);
    if (m[1] === "log-level") {
      const level = value.toLowerCase();
      if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new UsageError(`--log-level '${value}' is not a log level; use one of ${LOG_LEVELS.join(", ")}`);
      env["TESSERA_LOG_LEVEL"] = level;
    } else {
      const format = value.toLowerCase();
      if (!(LOG_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--log-format '${value}' is not one of ${LOG_FORMATS.join(", ")}`);
      env["TESSERA_LOG_FORMAT"] = format;
    }
  }
  return out;
}
