/**
 * `tessera worker` command line, as job scripts write it (dask-worker's flags):
 *   tessera worker tcp://HOST:PORT --name N --nthreads T --memory-limit 55.88GiB --nworkers P
 *     --nanny|--no-nanny --death-timeout 60 --local-directory DIR --lifetime 55m --lifetime-stagger 4m
 *     --lifetime-restart --host H --interface ib0 --secret-file F --protocol tcp|tls --resources "GPU=1"
 * Pure: argv in, typed options out (sizes in bytes, durations in seconds), clear errors for bad input.
 */
import { TesseraError } from "../util/errors.js";
import { parseArgs } from "node:util";
import { availableParallelism, totalmem } from "node:os";
import { parseBytes } from "../util/sizes.js";
import { parseDuration } from "../util/durations.js";

export interface WorkerCliOptions {
  /** tcp://host:port or tls://host:port (a bare host:port gets tcp://). */
  schedulerAddress: string;
  name: string | undefined;
  /** Task threads per worker process. Default: the machine's cores divided among the worker processes. */
  nthreads: number;
  /** Bytes per worker process; 0 = no limit. Default 'auto': the machine's memory shared like the cores. */
  memoryLimit: number;
  /** Worker processes to start. */
  nworkers: number;
  nanny: boolean;
  /** Seconds a worker (or nanny) keeps trying to reach its scheduler before exiting; undefined = forever. */
  deathTimeoutS: number | undefined;
  localDirectory: string | undefined;
  /** Seconds after which the worker retires gracefully; undefined = never. */
  lifetimeS: number | undefined;
  /** Random spread (±) added to the lifetime so workers do not all leave at once. */
  lifetimeStaggerS: number;
  /** Restart (instead of exit) when the lifetime is reached (needs the nanny). */
  lifetimeRestart: boolean;
  host: string | undefined;
  interface: string | undefined;
  secretFile: string | undefined;
  protocol: "tcp" | "tls";
  /** Abstract resources, e.g. {GPU: 1}. */
  resources: Record<string, number>;
}

const OPTIONS = {
  name: { type: "string" },
  nthreads: { type: "string" },
  "memory-limit": { type: "string" },
  nworkers: { type: "string" },
  nanny: { type: "boolean" },
  "no-nanny": { type: "boolean" },
  "death-timeout": { type: "string" },
  "local-directory": { type: "string" },
  lifetime: { type: "string" },
  "lifetime-stagger": { type: "string" },
  "lifetime-restart": { type: "boolean" },
  host: { type: "string" },
  interface: { type: "string" },
  "secret-file": { type: "string" },
  protocol: { type: "string" },
  resources: { type: "string" },
} as const;

export const WORKER_FLAGS: readonly string[] = Object.keys(OPTIONS).map((k) => `--${k}`);

const USAGE = "usage: tessera worker tcp://HOST:PORT [--name N] [--nthreads T] [--memory-limit 55.88GiB|auto|0] [--nworkers P] [--nanny|--no-nanny] ...";

export class WorkerArgsError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_WORKER_ARGS", message);
  }
}

function fail(msg: string): never {
  throw new WorkerArgsError(msg);
}

function positiveInt(flag: string, v: string): number {
  if (!/^\d+$/.test(v.trim()) || Number(v) < 1) fail(`${flag}: '${v}' is not a whole number ≥ 1`);
  return Number(v);
}

/** Validate and normalise a scheduler address: tcp://host:port or tls://host:port. */
export function parseSchedulerAddress(raw: string): { address: string; protocol: "tcp" | "tls"; host: string; port: number } {
  const m = /^(?:([a-z]+):\/\/)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d+)$/.exec(raw);
  if (!m) fail(`'${raw}' is not a scheduler address; use tcp://HOST:PORT or tls://HOST:PORT (e.g. tcp://10.1.2.3:8786)`);
  const protocol = m[1] ?? "tcp";
  if (protocol !== "tcp" && protocol !== "tls") fail(`'${raw}': unsupported protocol '${protocol}://'; use tcp:// or tls://`);
  const port = Number(m[3]);
  if (port < 1 || port > 65535) fail(`'${raw}': port ${m[3]} is out of range 1–65535`);
  return { address: `${protocol}://${m[2]}:${port}`, protocol, host: m[2]!, port };
}

/** Dask's --resources form: "GPU=2 MEM=10e9" (spaces or commas between entries). */
export function parseResources(s: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of s.split(/[\s,]+/).filter(Boolean)) {
    const m = /^([A-Za-z_][\w.-]*)=(.+)$/.exec(part);
    const n = m ? Number(m[2]) : Number.NaN;
    if (!m || !Number.isFinite(n) || n < 0) fail(`--resources: '${part}' is not NAME=NUMBER (e.g. --resources "GPU=1 MEM=10e9")`);
    out[m[1]!] = n;
  }
  return out;
}

export function parseWorkerArgs(argv: readonly string[], machine: { cores: number; memoryBytes: number } = { cores: availableParallelism(), memoryBytes: totalmem() }): WorkerCliOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = (e as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(msg);
    if (unknown) fail(`unknown option '${unknown[1]}' for tessera worker; valid options: ${WORKER_FLAGS.join(", ")}`);
    fail(`tessera worker: ${msg}\n${USAGE}`);
  }
  const { values: v, positionals } = parsed;
  if (positionals.length === 0) fail(`missing the scheduler address\n${USAGE}`);
  if (positionals.length > 1) fail(`expected one scheduler address, got ${positionals.length}: ${positionals.join(" ")}\n${USAGE}`);
  const addr = parseSchedulerAddress(positionals[0]!);

  let protocol = addr.protocol;
  if (v.protocol !== undefined) {
    if (v.protocol !== "tcp" && v.protocol !== "tls") fail(`--protocol: '${v.protocol}' is not tcp or tls`);
    if (positionals[0]!.includes("://") && v.protocol !== addr.protocol) {
      fail(`--protocol ${v.protocol} contradicts the scheduler address ${addr.address}`);
    }
    protocol = v.protocol;
  }
  const schedulerAddress = `${protocol}://${addr.host}:${addr.port}`;

  if (v.nanny && v["no-nanny"]) fail("--nanny and --no-nanny are both given; choose one");
  const nworkers = v.nworkers === undefined ? 1 : positiveInt("--nworkers", v.nworkers);
  const nthreads = v.nthreads === undefined ? Math.max(1, Math.floor(machine.cores / nworkers)) : positiveInt("--nthreads", v.nthreads);

  let memoryLimit: number;
  const mem = (v["memory-limit"] ?? "auto").trim();
  if (mem.toLowerCase() === "auto") {
    // Dask: the machine's memory, shared in proportion to the threads this process runs.
    memoryLimit = Math.floor(machine.memoryBytes * Math.min(1, nthreads / machine.cores));
  } else {
    try {
      memoryLimit = parseBytes(mem, "--memory-limit");
    } catch (e) {
      fail(`${(e as Error).message}, 'auto' or 0 for no limit`);
    }
  }

  const dur = (flag: string, s: string | undefined): number | undefined => {
    if (s === undefined) return undefined;
    try {
      return parseDuration(s, flag);
    } catch (e) {
      fail((e as Error).message);
    }
  };
  const deathTimeoutS = dur("--death-timeout", v["death-timeout"]);
  const lifetimeS = dur("--lifetime", v.lifetime);
  const lifetimeStaggerS = dur("--lifetime-stagger", v["lifetime-stagger"]) ?? 0;
  if (v["lifetime-restart"] && lifetimeS === undefined) fail("--lifetime-restart needs --lifetime (e.g. --lifetime 55m)");
  if (v["lifetime-stagger"] !== undefined && lifetimeS === undefined) fail("--lifetime-stagger needs --lifetime (e.g. --lifetime 55m --lifetime-stagger 4m)");

  for (const flag of ["name", "local-directory", "host", "interface", "secret-file"] as const) {
    if (v[flag] !== undefined && v[flag]!.trim() === "") fail(`--${flag} is empty`);
  }

  return {
    schedulerAddress,
    name: v.name,
    nthreads,
    memoryLimit,
    nworkers,
    nanny: !v["no-nanny"],
    deathTimeoutS,
    localDirectory: v["local-directory"],
    lifetimeS,
    lifetimeStaggerS,
    lifetimeRestart: v["lifetime-restart"] ?? false,
    host: v.host,
    interface: v.interface,
    secretFile: v["secret-file"],
    protocol,
    resources: v.resources === undefined ? {} : parseResources(v.resources),
  };
}
