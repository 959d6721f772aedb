/**
 * `tessera scheduler [--host HOST] [--port 8786] [--protocol tcp|tls] [--secret-file PATH]`
 *
 * Runs a scheduler until SIGTERM/SIGINT. The secret comes from --secret-file (created with a fresh
 * secret, mode 0600, if it does not exist) or TESSERA_SECRET / TESSERA_SECRET_FILE; it is never
 * printed. Prints the address on stdout (one line) once listening.
 */
import { parseArgs } from "node:util";
import { access } from "node:fs/promises";
import { dirname } from "node:path";
import { Security } from "../protocol/index.js";
import { Scheduler } from "../scheduler/server.js";
import { parseDuration } from "../util/durations.js";

export const SCHEDULER_HELP = `usage: tessera scheduler [options]

  --host HOST           interface to listen on (default 127.0.0.1; 0.0.0.0 for all)
  --port PORT           port (default 8786; 0 = any free port)
  --protocol tcp|tls    transport (tls: temporary self-signed certificates, written beside the secret file)
  --secret-file PATH    the cluster's secret; created (0600) with a fresh secret if missing
                        (or set TESSERA_SECRET_FILE / TESSERA_SECRET)
  --worker-ttl DUR      remove workers silent for this long (default 5m)
`;

const OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  protocol: { type: "string" },
  "secret-file": { type: "string" },
  "worker-ttl": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

export async function schedulerCommand(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false, strict: true }));
  } catch (e) {
    const m = /Unknown option '([^']+)'/.exec((e as Error).message);
    process.stderr.write(
      m
        ? `tessera scheduler: unknown option '${m[1]}'; valid options: ${Object.keys(OPTIONS).map((k) => `--${k}`).join(", ")}\n`
        : `tessera scheduler: ${(e as Error).message}\n`,
    );
    return 2;
  }
  if (values.help) {
    process.stdout.write(SCHEDULER_HELP);
    return 0;
  }
  const port = values.port === undefined ? 8786 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`tessera scheduler: --port '${values.port}' is not a port number (0–65535)\n`);
    return 2;
  }
  const protocol = values.protocol ?? "tcp";
  if (protocol !== "tcp" && protocol !== "tls") {
    process.stderr.write(`tessera scheduler: --protocol '${protocol}' is not tcp or tls\n`);
    return 2;
  }
  let workerTtlMs: number | undefined;
  if (values["worker-ttl"] !== undefined) {
    try {
      workerTtlMs = parseDuration(values["worker-ttl"], "--worker-ttl") * 1000;
    } catch (e) {
      process.stderr.write(`tessera scheduler: ${(e as Error).message}\n`);
      return 2;
    }
  }
  let security: Security | undefined;
  try {
    const file = values["secret-file"];
    if (file !== undefined) {
      if (await exists(file)) security = await Security.fromSecretFile(file);
      else {
        security = protocol === "tls" ? await Security.temporary({ tls: true }) : Security.temporary();
        await Security.writeSecretFile(security, dirname(file));
        process.stderr.write(`tessera scheduler: wrote a new secret to ${dirname(file)}/tessera-secret (mode 0600)\n`);
      }
    } else security = Security.fromEnv();
  } catch (e) {
    process.stderr.write(`tessera scheduler: ${(e as Error).message}\n`);
    return 2;
  }
  if (!security) {
    process.stderr.write("tessera scheduler: no secret; pass --secret-file PATH (created if missing) or set TESSERA_SECRET_FILE\n");
    return 2;
  }
  if (protocol === "tls" && !security.tls) {
    process.stderr.write("tessera scheduler: --protocol tls needs certificates beside the secret file (use a new --secret-file path to create them)\n");
    return 2;
  }
  const scheduler = await Scheduler.start({
    host: values.host ?? "127.0.0.1",
    port,
    protocol,
    security,
    ...(workerTtlMs !== undefined ? { workerTtlMs } : {}),
  });
  process.stdout.write(`${scheduler.address}\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", () => resolve());
    process.once("SIGINT", () => resolve());
  });
  await scheduler.close();
  return 0;
}
