/**
 * `tessera scheduler [--host HOST] [--port 8786] [--protocol tcp|tls] [--secret-file PATH] [--dashboard-address A]`
 *
 * Runs a scheduler until SIGTERM/SIGINT. The secret comes from --secret-file PATH (read, or created
 * with a fresh secret, mode 0600, at exactly PATH), else TESSERA_SECRET / TESSERA_SECRET_FILE, else
 * ~/.tessera/secret (read or created); it is never printed, only where it is. Prints the address on
 * stdout (one line) once listening; the dashboard link and the secret's path go to stderr.
 */
import { parseArgs } from "node:util";
import { access, chmod, mkdir, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Security } from "../protocol/index.js";
import { Scheduler } from "../scheduler/server.js";
import { parseDuration } from "../util/durations.js";
import { createLogger } from "../util/log.js";

export const SCHEDULER_HELP = `usage: tessera scheduler [options]

  --host HOST                interface to listen on (default 127.0.0.1; 0.0.0.0 for all)
  --port PORT                port (default 8786; 0 = any free port)
  --protocol tcp|tls         transport (tls: temporary self-signed certificates, written beside the secret file)
  --secret-file PATH         the cluster's secret: read from PATH, or created there (0600) if missing.
                             Default: TESSERA_SECRET_FILE / TESSERA_SECRET, else ~/.tessera/secret
  --dashboard-address ADDR   serve the dashboard at HOST:PORT (e.g. :8787, 127.0.0.1:0); --no-dashboard: none
                             (default 127.0.0.1:8787, any free port if taken)
  --worker-ttl DUR           remove workers silent for this long (default 5m)
  --log-level LEVEL          fatal … trace, silent (default info); --log-format pretty|json
`;

const OPTIONS = {
  host: { type: "string" },
  port: { type: "string" },
  protocol: { type: "string" },
  "secret-file": { type: "string" },
  "dashboard-address": { type: "string" },
  "no-dashboard": { type: "boolean" },
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

/** The default secret file when neither --secret-file nor the environment names one. */
export function defaultSecretFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env["HOME"] || homedir(), ".tessera", "secret");
}

/** Read the secret at exactly `file`, or create it there (0600; TLS pem files beside it). */
async function secretAt(file: string, tls: boolean): Promise<{ security: Security; created: boolean }> {
  if (await exists(file)) return { security: await Security.fromSecretFile(file), created: false };
  const security = tls ? await Security.temporary({ tls: true }) : Security.temporary();
  const dir = dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const put = async (p: string, text: string): Promise<void> => {
    await writeFile(p, text, { mode: 0o600, flag: "wx" });
    await chmod(p, 0o600);
  };
  await put(file, security.secret + "\n");
  if (security.tls) {
    await put(join(dir, "tessera-cert.pem"), security.tls.cert);
    await put(join(dir, "tessera-key.pem"), security.tls.key);
    await put(join(dir, "tessera-ca.pem"), security.tls.ca);
  }
  return { security, created: true };
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
  if (values["no-dashboard"] && values["dashboard-address"] !== undefined) {
    process.stderr.write("tessera scheduler: --dashboard-address and --no-dashboard are both given; choose one\n");
    return 2;
  }
  let security: Security | undefined;
  let secretNote: string | undefined;
  try {
    let file = values["secret-file"];
    if (file === undefined) {
      security = Security.fromEnv();
      if (!security) file = defaultSecretFile();
    }
    if (file !== undefined) {
      file = resolve(file);
      const r = await secretAt(file, protocol === "tls");
      security = r.security;
      secretNote = `${r.created ? "created a new secret in" : "using the secret in"} ${file} (mode 0600); ` +
        `workers and clients: --secret-file ${file} or TESSERA_SECRET_FILE=${file}`;
    }
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
    log: createLogger("tessera.scheduler"),
  });
  // The address first: workers and clients can connect while the dashboard starts.
  process.stdout.write(`${scheduler.address}\n`);
  if (secretNote) process.stderr.write(`tessera scheduler: ${secretNote}\n`);
  if (!values["no-dashboard"]) {
    try {
      const { startSchedulerDashboard } = await import("../dashboard/scheduler-source.js");
      const d = await startSchedulerDashboard(scheduler, {
        ...(values["dashboard-address"] !== undefined ? { address: values["dashboard-address"] } : {}),
        secret: security.secret,
      });
      process.stderr.write(`tessera scheduler: dashboard at ${d.url}\n`);
    } catch (e) {
      process.stderr.write(`tessera scheduler: ${(e as Error).message}\n`);
      await scheduler.close();
      return 2;
    }
  }
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", () => resolve());
    process.once("SIGINT", () => resolve());
  });
  await scheduler.close();
  return 0;
}
