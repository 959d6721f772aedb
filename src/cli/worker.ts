/**
 * `tessera worker tcp://HOST:PORT [--name N] [--nthreads T] [--memory-limit 55.88GiB] [--nworkers P]
 *  [--nanny|--no-nanny] [--death-timeout 60] [--local-directory DIR] ...`
 *
 * One worker in this process (--no-nanny, one worker), or P workers named `<name>-0..P-1`, each in
 * its own process, under a Nanny that restarts it when it dies (--nanny, the default). The secret
 * comes from --secret-file or TESSERA_SECRET / TESSERA_SECRET_FILE, never from the command line.
 */
import { fileURLToPath } from "node:url";
import { hostname, networkInterfaces, tmpdir } from "node:os";
import { parseWorkerArgs, WorkerArgsError, type WorkerCliOptions } from "./worker-args.js";
import { Nanny } from "../worker/nanny.js";
import { runWorker, WORKER_CONFIG_ENV, type WorkerProcessConfig } from "../worker/process.js";
import { Security } from "../protocol/index.js";

const WORKER_MAIN = fileURLToPath(new URL("../worker/main.js", import.meta.url));

export const WORKER_HELP = `usage: tessera worker tcp://HOST:PORT [options]

Start worker process(es) that connect to a Tessera scheduler.

  --name N              worker name (with --nworkers P: N-0 … N-(P-1))
  --nthreads T          task threads per worker process (default: cores / nworkers)
  --memory-limit SIZE   per worker process: '55.88GiB', '120GB', 'auto' (default) or 0 (no limit)
  --nworkers P          worker processes to start (default 1)
  --nanny / --no-nanny  run each worker under a nanny that restarts it when it dies (default --nanny)
  --death-timeout DUR   exit when the scheduler cannot be reached for this long ('60', '60s', '1m')
  --local-directory DIR scratch and spill space
  --lifetime DUR        retire gracefully after this long (--lifetime-stagger DUR spreads it;
                        --lifetime-restart: the nanny then starts a fresh worker)
  --host HOST           address to listen on for peers (default: the one used to reach the scheduler)
  --secret-file PATH    the cluster's secret (a 0600 file); or set TESSERA_SECRET_FILE / TESSERA_SECRET
  --protocol tcp|tls    transport (tls needs the certificates beside the secret file)
  --resources "GPU=1 MEM=10e9"  abstract resources; tasks submitted with {resources: {GPU: 1}} run only
                        on workers that declare them, at most as many at once as the amounts allow
  --interface NAME      listen on this network interface's address (e.g. ib0); instead of --host
  --log-level LEVEL     fatal … trace, silent (default info); --log-format pretty|json
`;

function processConfig(o: WorkerCliOptions, name: string): WorkerProcessConfig {
  const c: WorkerProcessConfig = { schedulerAddress: o.schedulerAddress, name, nthreads: o.nthreads, memoryLimit: o.memoryLimit };
  if (o.host !== undefined) c.host = o.host;
  if (o.deathTimeoutS !== undefined) c.deathTimeoutS = o.deathTimeoutS;
  if (o.localDirectory !== undefined) c.localDirectory = o.localDirectory;
  if (o.secretFile !== undefined) c.secretFile = o.secretFile;
  if (o.lifetimeS !== undefined) c.lifetimeS = Math.max(0, o.lifetimeS + (Math.random() * 2 - 1) * o.lifetimeStaggerS);
  if (o.lifetimeRestart) c.lifetimeRestart = true;
  // Tasks submitted with {resources} run only on workers declaring them, as many at once as they allow.
  if (Object.keys(o.resources).length > 0) c.resources = o.resources;
  return c;
}

/** The IPv4 address (else IPv6) of network interface `name`, as dask-worker's --interface does. */
export function interfaceAddress(name: string, interfaces = networkInterfaces()): string {
  const addrs = interfaces[name];
  if (!addrs || addrs.length === 0) {
    throw new WorkerArgsError(`--interface: no network interface '${name}' on ${hostname()}; interfaces here: ${Object.keys(interfaces).join(", ")}`);
  }
  const v4 = addrs.find((a) => a.family === "IPv4");
  return (v4 ?? addrs[0]!).address;
}

/** Runs the worker command; resolves with the process exit code. */
export async function workerCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(WORKER_HELP);
    return 0;
  }
  let o: WorkerCliOptions;
  try {
    o = parseWorkerArgs(argv);
  } catch (e) {
    if (e instanceof WorkerArgsError) {
      process.stderr.write(`tessera worker: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (o.interface !== undefined) {
    if (o.host !== undefined) {
      process.stderr.write("tessera worker: --host and --interface are both given; choose one\n");
      return 2;
    }
    try {
      o = { ...o, host: interfaceAddress(o.interface) };
    } catch (e) {
      process.stderr.write(`tessera worker: ${(e as Error).message}\n`);
      return 2;
    }
  }
  // Fail early (before spawning anything) when there is no secret.
  try {
    if (o.secretFile) await Security.fromSecretFile(o.secretFile);
    else if (!Security.fromEnv()) {
      process.stderr.write(
        "tessera worker: no cluster secret; pass --secret-file PATH (the scheduler's 0600 secret file) or set TESSERA_SECRET_FILE\n",
      );
      return 2;
    }
  } catch (e) {
    process.stderr.write(`tessera worker: ${(e as Error).message}\n`);
    return 2;
  }
  const base = o.name ?? `${hostname()}-${process.pid}`;
  const names = o.nworkers === 1 ? [base] : Array.from({ length: o.nworkers }, (_, i) => `${base}-${i}`);
  if (!o.nanny && names.length === 1) return runWorker(processConfig(o, names[0]!));

  // One process per worker; under a nanny unless --no-nanny.
  const children = names.map((name) => {
    const env = { ...process.env, [WORKER_CONFIG_ENV]: JSON.stringify(processConfig(o, name)) };
    if (o.nanny) {
      const nanny = Nanny.start({
        entry: WORKER_MAIN,
        env,
        stdio: "inherit",
        // The nanny kills (and restarts) a worker above 95 % of its memory limit, like Dask's.
        ...(o.memoryLimit > 0 ? { memory: { limitBytes: o.memoryLimit } } : {}),
        // Where a killed worker's spill files are removed from (the worker's default is the temp dir).
        localDirectory: o.localDirectory ?? tmpdir(),
      });
      return { stop: (sig: NodeJS.Signals) => nanny.stop(sig), done: nanny.stopped };
    }
    // Without a nanny, several workers still need processes of their own; nothing restarts them.
    const n = Nanny.start({ entry: WORKER_MAIN, env, stdio: "inherit", policy: { maxRestarts: 0, windowS: 1, initialBackoffS: 0, maxBackoffS: 0 } });
    return { stop: (sig: NodeJS.Signals) => n.stop(sig), done: n.stopped };
  });
  const onSignal = (sig: NodeJS.Signals) => {
    for (const c of children) void c.stop(sig);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  await Promise.all(children.map((c) => c.done));
  return 0;
}
