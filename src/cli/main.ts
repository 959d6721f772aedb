#!/usr/bin/env node
/**
 * `tessera <command> [options]`: worker, scheduler, and commands other parts add (e.g. `pi`, from
 * ./pi.js when present). Each command module exports `<name>Command(argv): Promise<number>`.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { extractGlobalFlags } from "./global-flags.js";

const HELP = `usage: tessera <command> [options]

commands:
  worker      start worker process(es) for a scheduler   (tessera worker --help)
  scheduler   run a scheduler                            (tessera scheduler --help)
  pi          the Monte-Carlo π tutorial (when installed) (tessera pi --help)
  kernel      install the Jupyter kernel for TypeScript   (tessera kernel install --user)

options for every command:
  --log-level LEVEL   fatal, error, warn, info (default), debug, trace or silent (TESSERA_LOG_LEVEL)
  --log-format F      pretty (default on a terminal) or json (default when piped) (TESSERA_LOG_FORMAT)
  --version           print the version and exit

The cluster's secret is passed by --secret-file or TESSERA_SECRET_FILE, never on the command line.
`;

/** This package's version (package.json sits two levels above dist/src/cli). */
export function version(): string {
  for (const rel of ["../../../package.json", "../../package.json"]) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) {
      const pkg = JSON.parse(readFileSync(url, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "tessera" && pkg.version) return pkg.version;
    }
  }
  return "unknown";
}

type Command = (argv: readonly string[]) => Promise<number>;

/** Commands by name: module (relative to this file) and the exported function. */
const COMMANDS: Record<string, { module: string; fn: string }> = {
  worker: { module: "./worker.js", fn: "workerCommand" },
  scheduler: { module: "./scheduler.js", fn: "schedulerCommand" },
  pi: { module: "./pi.js", fn: "piCommand" },
  kernel: { module: "./kernel.js", fn: "kernelCommand" },
};

export async function main(rawArgv: readonly string[]): Promise<number> {
  let argv: string[];
  try {
    argv = extractGlobalFlags(rawArgv, process.env);
  } catch (e) {
    process.stderr.write(`tessera: ${(e as Error).message}\n`);
    return 2;
  }
  if (argv.includes("--version") || argv.includes("-V")) {
    process.stdout.write(`tessera ${version()}\n`);
    return 0;
  }
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(HELP);
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`tessera: unknown command '${name}'; commands: ${Object.keys(COMMANDS).join(", ")} (tessera --help)\n`);
    return 2;
  }
  const url = new URL(entry.module, import.meta.url);
  if (!existsSync(fileURLToPath(url))) {
    process.stderr.write(`tessera: the '${name}' command is not installed in this build\n`);
    return 2;
  }
  const mod = (await import(url.href)) as Record<string, unknown>;
  const fn = mod[entry.fn];
  if (typeof fn !== "function") {
    process.stderr.write(`tessera: ${entry.module} does not export ${entry.fn}\n`);
    return 2;
  }
  return (fn as Command)(rest);
}

function isEntryPoint(): boolean {
  const arg = process.argv[1];
  if (arg === undefined) return false;
  try {
    return realpathSync(arg) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
const isEntry = isEntryPoint();
if (isEntry) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`tessera: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
