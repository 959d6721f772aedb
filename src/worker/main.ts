#!/usr/bin/env node
/**
 * A worker process started by a nanny, the CLI or a LocalCluster (config as JSON in
 * TESSERA_WORKER_CONFIG). The task threads start first, so they boot while the main thread loads
 * the networking code: start-up time is what LocalCluster's readiness is made of.
 */
import { TaskThreadPool } from "./executor/index.js";

const raw = process.env["TESSERA_WORKER_CONFIG"];
const nthreads = raw ? Number((JSON.parse(raw) as { nthreads?: unknown }).nthreads) : NaN;
// Every thread can run the garbage-collection op the memory pause uses (./gc-op.ts).
const opModules = [new URL("./gc-op.js", import.meta.url).href];
const pool = Number.isInteger(nthreads) && nthreads >= 1 ? TaskThreadPool.start({ nthreads, opModules }) : undefined;
pool?.catch(() => undefined); // reported by runWorker

let code = 1;
try {
  const { configFromEnv, runWorker } = await import("./process.js");
  code = await runWorker(configFromEnv(), undefined, pool);
} catch (err) {
  process.stderr.write(`tessera worker: ${(err as Error).message}\n`);
}
process.exit(code);
