/**
 * One worker process: its configuration (from the CLI or from a LocalCluster, as JSON in the
 * environment), signal handling (SIGTERM → graceful retirement) and exit codes: 0 when it left on
 * purpose (closed by the scheduler, retired, scheduler gone past the death timeout), 1 when it could
 * not start.
 */
import { Security } from "../protocol/index.js";
import type { Logger } from "../util/log.js";
import { createLogger } from "../util/log.js";
import { Worker } from "./server.js";
import type { TransferLimits } from "./state.js";
import type { TaskThreadPool } from "./executor/index.js";
import { wireWorkerMemory, type WorkerMemoryWiring } from "./memory-wiring.js";
import type { MemoryThresholds } from "./memory/thresholds.js";
import { RESTART_EXIT_CODE } from "./restart-policy.js";
import { ClosedError, SecurityConfigError, UsageError } from "../util/errors.js";

export const WORKER_CONFIG_ENV = "TESSERA_WORKER_CONFIG";

export interface WorkerProcessConfig {
  /** Omitted when the address arrives later over the IPC channel (LocalCluster starts workers early). */
  schedulerAddress?: string;
  name: string;
  nthreads: number;
  memoryLimit: number;
  host?: string;
  deathTimeoutS?: number;
  localDirectory?: string;
  secretFile?: string;
  lifetimeS?: number;
  /** At the end of the lifetime, exit with RESTART_EXIT_CODE so that the nanny starts a fresh worker. */
  lifetimeRestart?: boolean;
  /** Memory thresholds as fractions of memoryLimit (Dask's distributed.worker.memory.*; false = off). */
  memory?: Partial<MemoryThresholds>;
  metadata?: Record<string, string>;
  /** Limits on fetching inputs from peers (bytes / requests in flight; Dask's distributed.worker.transfer.*). */
  transferLimits?: Partial<TransferLimits>;
  /** Abstract resources (`--resources "GPU=2"`): placement and concurrency limits for tasks asking for them. */
  resources?: Record<string, number>;
}

async function securityFor(config: WorkerProcessConfig): Promise<Security> {
  // A secret file may carry TLS certificates beside it (Security.writeSecretFile).
  const sec = config.secretFile ? await Security.fromSecretFile(config.secretFile) : Security.fromEnv();
  if (!sec) {
    throw new SecurityConfigError("no cluster secret: pass --secret-file PATH (a 0600 file) or set TESSERA_SECRET_FILE / TESSERA_SECRET in the environment");
  }
  return sec;
}

function addressFromIpc(): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!process.send) {
      reject(new UsageError("no scheduler address: give one, or start this process with an IPC channel"));
      return;
    }
    const onMsg = (m: unknown) => {
      const a = (m as { schedulerAddress?: unknown }).schedulerAddress;
      if (typeof a === "string") {
        process.off("message", onMsg);
        resolve(a);
      }
    };
    process.on("message", onMsg);
    process.once("disconnect", () => reject(new ClosedError("the parent process left before sending the scheduler address")));
    process.send({ type: "waiting-for-address" });
  });
}

/** Runs one worker in this process until it leaves; resolves with the exit code to use. */
export async function runWorker(config: WorkerProcessConfig, log?: Logger, pool?: Promise<TaskThreadPool>): Promise<number> {
  const logger = log ?? createLogger("tessera.worker", { bindings: { worker: config.name } });
  let worker: Worker;
  let memory: WorkerMemoryWiring | undefined;
  try {
    // Memory management (spilling, pausing) when there is a limit; a plain in-memory store otherwise.
    if (config.memoryLimit > 0) {
      memory = wireWorkerMemory({
        memoryLimitBytes: config.memoryLimit,
        log: logger,
        ...(config.localDirectory !== undefined ? { localDirectory: config.localDirectory } : {}),
        ...(config.memory !== undefined ? { thresholds: config.memory } : {}),
      });
    }
    const security = await securityFor(config);
    const schedulerAddress = config.schedulerAddress ?? addressFromIpc();
    // Set by the nanny (src/worker/nanny.ts RESTARTS_ENV); not imported to keep start-up lean.
    const restarts = Number(process.env["TESSERA_NANNY_RESTARTS"] ?? "0") || 0;
    worker = await Worker.start({
      schedulerAddress,
      security,
      name: config.name,
      nthreads: config.nthreads,
      memoryLimit: config.memoryLimit,
      ...(config.host !== undefined ? { host: config.host } : {}),
      ...(config.deathTimeoutS !== undefined ? { deathTimeoutMs: config.deathTimeoutS * 1000 } : {}),
      ...(config.localDirectory !== undefined ? { localDirectory: config.localDirectory } : {}),
      ...(config.metadata !== undefined ? { metadata: config.metadata } : {}),
      ...(config.transferLimits !== undefined ? { transferLimits: config.transferLimits } : {}),
      ...(config.resources !== undefined ? { resources: config.resources } : {}),
      restarts,
      log: logger,
      ...(memory !== undefined ? { store: memory.store } : {}),
      ...(pool !== undefined ? { pool } : {}),
    });
  } catch (err) {
    logger.error({ err: (err as Error).message }, "worker failed to start");
    await memory?.close();
    return 1;
  }
  memory?.attach(worker);
  if (process.send) process.send({ type: "worker-started", address: worker.address });
  const onTerm = () => void worker.retire();
  process.on("SIGTERM", onTerm);
  process.on("SIGINT", onTerm);
  if (process.send) {
    // The parent (LocalCluster) going away closes the IPC channel: leave too.
    process.on("disconnect", () => void worker.close("parent process left"));
  }
  let lifetime: NodeJS.Timeout | undefined;
  let lifetimeReached = false;
  if (config.lifetimeS !== undefined) {
    lifetime = setTimeout(() => {
      lifetimeReached = true;
      logger.info({ lifetimeS: config.lifetimeS }, "lifetime reached; retiring (results move to peers first)");
      void worker.retire();
    }, Math.max(0, config.lifetimeS) * 1000);
    lifetime.unref();
  }
  await worker.closed;
  await memory?.close();
  if (lifetime) clearTimeout(lifetime);
  process.off("SIGTERM", onTerm);
  process.off("SIGINT", onTerm);
  // --lifetime-restart: the nanny starts a fresh worker (exit code 0 would make it stop).
  return lifetimeReached && config.lifetimeRestart ? RESTART_EXIT_CODE : 0;
}

/** Entry point: `node dist/src/worker/main.js` with the config as JSON in TESSERA_WORKER_CONFIG. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerProcessConfig {
  const raw = env[WORKER_CONFIG_ENV];
  if (!raw) throw new UsageError(`${WORKER_CONFIG_ENV} is not set; start workers with 'tessera worker tcp://HOST:PORT'`);
  const c = JSON.parse(raw) as WorkerProcessConfig;
  if (typeof c.name !== "string" || !(c.nthreads >= 1)) throw new UsageError(`${WORKER_CONFIG_ENV}: needs name and nthreads ≥ 1`);
  return c;
}
