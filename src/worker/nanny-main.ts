#!/usr/bin/env node
/**
 * A nanny process for one worker (what LocalCluster starts when `nanny: true`, Dask's default):
 * config as JSON in TESSERA_WORKER_CONFIG, like ./main.ts. It waits for the scheduler address (from
 * the config or over its IPC channel), then runs ./main.js as a child under a Nanny that restarts it
 * when it dies and kills it above 95 % of its memory limit. Nanny events go to the parent as
 * `{type: "nanny-event", event}` IPC messages. SIGTERM/SIGINT or the parent leaving stop the worker
 * gracefully (it hands its results to peers), then this process exits 0.
 */
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { Nanny, type NannyEvent } from "./nanny.js";
import { createLogger } from "../util/log.js";
import { UsageError } from "../util/errors.js";

const CONFIG_ENV = "TESSERA_WORKER_CONFIG";
const WORKER_MAIN = fileURLToPath(new URL("./main.js", import.meta.url));

interface NannyProcessConfig {
  schedulerAddress?: string;
  name: string;
  memoryLimit: number;
  localDirectory?: string;
  /** Fraction of memoryLimit above which the worker is killed (default 0.95; false = off). */
  memory?: { terminate?: number | false };
}

function addressFromParent(): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!process.send) {
      reject(new UsageError("no scheduler address in the config and no IPC channel to ask for one"));
      return;
    }
    const onMsg = (m: unknown): void => {
      const a = (m as { schedulerAddress?: unknown }).schedulerAddress;
      if (typeof a === "string") {
        process.off("message", onMsg);
        resolve(a);
      }
    };
    process.on("message", onMsg);
    process.send({ type: "waiting-for-address" });
  });
}

async function main(): Promise<number> {
  const raw = process.env[CONFIG_ENV];
  if (!raw) throw new UsageError(`${CONFIG_ENV} is not set`);
  const config = JSON.parse(raw) as NannyProcessConfig;
  const log = createLogger("tessera.nanny", { bindings: { worker: config.name } });
  const schedulerAddress = config.schedulerAddress ?? (await addressFromParent());
  const terminate = config.memory?.terminate ?? 0.95;
  const send = (event: NannyEvent): void => {
    if (process.connected) process.send?.({ type: "nanny-event", event });
  };
  const nanny = Nanny.start({
    entry: WORKER_MAIN,
    env: { ...process.env, [CONFIG_ENV]: JSON.stringify({ ...config, schedulerAddress }) },
    // The IPC channel tells the worker when this nanny dies (it then leaves too).
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    localDirectory: config.localDirectory ?? tmpdir(),
    ...(config.memoryLimit > 0 && terminate !== false ? { memory: { limitBytes: config.memoryLimit, terminateFraction: terminate } } : {}),
    stopTimeoutS: 10,
    onEvent: (e) => {
      if (e.type === "memory-kill") log.warn(e, "worker above the terminate threshold of its memory limit; killed, restarting");
      else if (e.type === "restarting") log.warn(e, "restarting the worker");
      else log.debug(e, "nanny event");
      send(e);
    },
  });
  nanny.forwardSignals(["SIGTERM", "SIGINT"]);
  process.on("disconnect", () => void nanny.stop("SIGTERM"));
  const reason = await nanny.stopped;
  log.debug({ reason }, "nanny stopped");
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  process.stderr.write(`tessera nanny: ${(err as Error).message}\n`);
}
process.exit(code);
