/**
 * LocalCluster: a scheduler in this process and worker processes on this machine, over TCP on
 * 127.0.0.1 with a fresh secret. Worker processes are spawned before the scheduler listens (they load
 * their code and start their task threads meanwhile) and learn its address over their IPC channel,
 * so a small cluster is ready in a few hundred milliseconds.
 */
import { ClosedError, TesseraError, TimeoutError, UsageError } from "../util/errors.js";
import { checkOptions } from "../util/options.js";
import { spawn, type ChildProcess } from "node:child_process";
import { availableParallelism, totalmem } from "node:os";
import { inspect } from "node:util";
import { fileURLToPath } from "node:url";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Security } from "../protocol/index.js";
import { Scheduler, type SchedulerOptions } from "../scheduler/server.js";
import type { SchedulerPlugin } from "../scheduler/plugin.js";
import { parseBytes, formatBytesDecimal } from "../util/sizes.js";
import { createLogger, type Logger } from "../util/log.js";
import { registerLocalClusterFactory } from "../client/cluster-like.js";
import type { Cluster, ScaleRequest } from "./cluster.js";
import { WORKER_CONFIG_ENV, type WorkerProcessConfig } from "../worker/process.js";
import type { NannyEvent } from "../worker/nanny.js";
import { workerProcessEnv } from "../worker/process-env.js";
import type { MemoryThresholds } from "../worker/memory/thresholds.js";

export interface LocalClusterOptions {
  /** Worker processes (default: from the machine's cores, like Dask). */
  nWorkers?: number;
  /** Task threads per worker (default: cores / nWorkers). */
  threadsPerWorker?: number;
  /** Per worker: bytes, a size ('4GB', '3.5GiB'), 'auto' (machine memory / nWorkers) or 0 (no limit). */
  memoryLimit?: number | string;
  /** A Security, or true for TLS with temporary certificates (default: a fresh secret, plain TCP). */
  security?: Security | boolean;
  /**
   * Serve the dashboard (src/dashboard/) for this cluster: true for 127.0.0.1:8787 (any free port if
   * taken), or {address: "HOST:PORT", requireToken?}; false for none. Default true, as in Dask: it
   * starts while the workers boot, so the cluster is not slower to start.
   */
  dashboard?: boolean | { address?: string; requireToken?: boolean };
  /** Worker name prefix (names are `<name>-0`, `<name>-1`, ...). */
  name?: string;
  /** Log level for the scheduler and the workers (default 'warn', like Dask's silence_logs). */
  logLevel?: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** More scheduler options (allowed failures, worker TTL, ...). */
  scheduler?: Partial<Omit<SchedulerOptions, "security" | "host" | "port">>;
  /** Seconds workers wait for a scheduler they lost before exiting. */
  deathTimeoutS?: number;
  /** Extra environment for worker processes. */
  env?: Record<string, string>;
  /** Extra node flags for worker processes (e.g. ['--cpu-prof']). */
  workerExecArgv?: string[];
  /**
   * Run each worker under a nanny process that restarts it when it dies and kills it above 95 % of
   * its memory limit (Dask's default). Default false here: a nanny adds a process start to the
   * cluster's start-up time; turn it on for long-running work.
   */
  nanny?: boolean;
  /** Where workers spill results (default the OS temporary directory). */
  localDirectory?: string;
  /** Memory thresholds as fractions of memoryLimit (default target 0.6, spill 0.7, pause 0.8, terminate 0.95). */
  memory?: Partial<MemoryThresholds>;
  /**
   * Abstract resources of every worker (e.g. {GPU: 2}, as `tessera worker --resources "GPU=2"`): tasks
   * submitted with {resources: {GPU: 1}} run only on workers declaring them, at most two at once here.
   */
  resources?: Record<string, number>;
  /** Workers retire gracefully after durationS ± staggerS seconds (Dask's --lifetime); restart needs the nanny. */
  lifetime?: { durationS: number; staggerS?: number; restart?: boolean };
}

/** A worker process of a LocalCluster exited before the cluster was ready (its log says why). */
export class ClusterStartError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_CLUSTER_START", message);
  }
}

const LOCAL_CLUSTER_OPTIONS = [
  "nWorkers", "threadsPerWorker", "memoryLimit", "security", "dashboard", "name", "logLevel", "scheduler", "deathTimeoutS",
  "env", "workerExecArgv", "nanny", "localDirectory", "memory", "resources", "lifetime",
] as const satisfies readonly (keyof LocalClusterOptions)[];

/** A nanny's event, with the name of the worker it watches. */
export type LocalNannyEvent = NannyEvent & { worker: string };

/** Dask's nprocesses_nthreads: ≤ 4 cores → one single-threaded worker per core; else ~√cores workers. */
export function defaultWorkersAndThreads(cores: number): { nWorkers: number; threadsPerWorker: number } {
  if (cores <= 4) return { nWorkers: Math.max(1, cores), threadsPerWorker: 1 };
  let p = Math.ceil(Math.sqrt(cores));
  while (cores % p !== 0) p++;
  return { nWorkers: p, threadsPerWorker: cores / p };
}

const WORKER_MAIN = fileURLToPath(new URL("../worker/main.js", import.meta.url));
const NANNY_MAIN = fileURLToPath(new URL("../worker/nanny-main.js", import.meta.url));

interface LocalWorker {
  name: string;
  /** The worker process, or its nanny. */
  child: ChildProcess;
  /** The worker's own pid when it runs under a nanny (from the nanny's events). */
  workerPid: number | undefined;
  exited: Promise<void>;
}

export class LocalCluster implements Cluster {
  readonly log: Logger;
  readonly nThreads: number;
  readonly memoryLimit: number;
  #opts: LocalClusterOptions;
  #scheduler: Scheduler | undefined;
  #security!: Security;
  #workers = new Map<string, LocalWorker>();
  #nextIndex = 0;
  #ready: Promise<void>;
  #closed = false;
  #waiting = new Set<ChildProcess>();
  #readyWaiters: (() => void)[] = [];
  #exitHandler = (): void => {
    for (const w of this.#workers.values()) w.child.kill("SIGKILL");
  };
  #startError: Error | undefined;
  #tlsDir: string | undefined;
  #securityEnv: Record<string, string> = {};
  #nannyEvents: LocalNannyEvent[] = [];

  constructor(opts: LocalClusterOptions = {}) {
    // A misspelt option silently ignored would give a different cluster than asked for.
    checkOptions(opts, LOCAL_CLUSTER_OPTIONS, "LocalCluster");
    if (opts.resources !== undefined) {
      for (const [k, v] of Object.entries(opts.resources as Record<string, unknown>)) {
        if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new UsageError(`LocalCluster: resources.${k} must be a number ≥ 0 (e.g. {GPU: 2}), got ${String(v)}`);
      }
    }
    this.#opts = opts;
    const machine = defaultWorkersAndThreads(availableParallelism());
    const nWorkers = opts.nWorkers ?? (opts.threadsPerWorker ? Math.max(1, Math.floor(availableParallelism() / opts.threadsPerWorker)) : machine.nWorkers);
    if (!Number.isInteger(nWorkers) || nWorkers < 0) throw new UsageError(`LocalCluster: nWorkers must be a whole number ≥ 0, got ${String(opts.nWorkers)}`);
    this.nThreads = opts.threadsPerWorker ?? Math.max(1, Math.floor(availableParallelism() / Math.max(1, nWorkers)));
    if (!Number.isInteger(this.nThreads) || this.nThreads < 1) {
      throw new UsageError(`LocalCluster: threadsPerWorker must be a whole number ≥ 1, got ${String(opts.threadsPerWorker)}`);
    }
    const mem = opts.memoryLimit ?? "auto";
    this.memoryLimit =
      typeof mem === "string" && mem.trim().toLowerCase() === "auto" ? Math.floor(totalmem() / Math.max(1, nWorkers)) : parseBytes(mem, "memoryLimit");
    const level = opts.logLevel ?? (process.env["TESSERA_LOG_LEVEL"] as LocalClusterOptions["logLevel"]) ?? "warn";
    this.log = createLogger("tessera.cluster", { level: level ?? "warn" });
    process.on("exit", this.#exitHandler);
    this.#ready = this.#start(nWorkers);
    this.#ready.catch(() => undefined);
  }

  static async start(opts: LocalClusterOptions = {}): Promise<LocalCluster> {
    const c = new LocalCluster(opts);
    try {
      await c.ready();
    } catch (err) {
      await c.close();
      throw err;
    }
    return c;
  }

  /** Resolves once the scheduler listens and every requested worker has registered. */
  ready(): Promise<void> {
    return this.#ready;
  }

  get scheduler(): Scheduler {
    if (!this.#scheduler) throw new UsageError("LocalCluster: the scheduler is not started yet; await cluster.ready()");
    return this.#scheduler;
  }

  get schedulerAddress(): string {
    return this.scheduler.address;
  }

  get security(): Security {
    return this.#security;
  }

  get dashboardLink(): string | undefined {
    return this.#scheduler?.dashboardLink;
  }

  /** Names of the worker processes running now. */
  get workerNames(): string[] {
    return [...this.#workers.keys()];
  }

  /** Events of the workers' nannies so far (starts, restarts, memory kills), oldest first. */
  nannyEvents(): readonly LocalNannyEvent[] {
    return this.#nannyEvents;
  }

  /** Process ids of the workers (for tests and chaos). */
  workerPids(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [n, w] of this.#workers) {
      const pid = w.workerPid ?? w.child.pid;
      if (pid !== undefined) out.set(n, pid);
    }
    return out;
  }

  async #start(nWorkers: number): Promise<void> {
    const sec = this.#opts.security;
    if (sec === true) this.#security = await Security.temporary({ tls: true });
    else if (sec === undefined || sec === false) this.#security = Security.temporary() as Security;
    else this.#security = sec;
    if (this.#security.tls) {
      // Certificates reach the workers as 0600 files in a private temporary directory.
      this.#tlsDir = await mkdtemp(join(tmpdir(), "tessera-local-"));
      const secretFile = await Security.writeSecretFile(this.#security, this.#tlsDir);
      this.#securityEnv = Security.toEnv(this.#security, secretFile, this.#tlsDir);
    } else this.#securityEnv = { TESSERA_SECRET: this.#security.secret };
    // Workers first: they boot while the scheduler starts.
    for (let i = 0; i < nWorkers; i++) this.#spawnWorker();
    const logLevel = this.log.level as LocalClusterOptions["logLevel"];
    this.#scheduler = await Scheduler.start({
      ...(this.#opts.scheduler ?? {}),
      host: "127.0.0.1",
      port: 0,
      security: this.#security,
      log: createLogger("tessera.scheduler", { level: logLevel ?? "warn" }),
    });
    const plugin: SchedulerPlugin = {
      name: "local-cluster",
      addWorker: () => {
        for (const w of this.#readyWaiters.splice(0)) w();
      },
    };
    this.#scheduler.addPlugin(plugin);
    for (const child of this.#waiting) child.send({ schedulerAddress: this.#scheduler.address });
    this.#waiting.clear();
    await Promise.all([this.#waitForWorkers(nWorkers), this.#startDashboard()]);
  }

  async #startDashboard(): Promise<void> {
    const d = this.#opts.dashboard ?? true;
    if (d === false) return;
    try {
      // Loaded only when asked for: the dashboard is not needed to compute.
      const { startSchedulerDashboard } = await import("../dashboard/scheduler-source.js");
      await startSchedulerDashboard(this.#scheduler!, {
        ...(d === true ? {} : d),
        secret: this.#security.secret,
        log: this.#scheduler!.log,
      });
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "the dashboard could not start; the cluster runs without it");
    }
  }

  async #waitForWorkers(n: number): Promise<void> {
    while (this.#scheduler!.state.workers.size < n) {
      if (this.#startError) throw this.#startError;
      if (this.#closed) throw new ClosedError("LocalCluster closed while starting");
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100);
        this.#readyWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  #spawnWorker(): void {
    const name = `${this.#opts.name ?? "local"}-${this.#nextIndex++}`;
    const config: WorkerProcessConfig = {
      name,
      nthreads: this.nThreads,
      memoryLimit: this.memoryLimit,
      host: "127.0.0.1",
      ...(this.#opts.deathTimeoutS !== undefined ? { deathTimeoutS: this.#opts.deathTimeoutS } : {}),
      ...(this.#opts.localDirectory !== undefined ? { localDirectory: this.#opts.localDirectory } : {}),
      ...(this.#opts.memory !== undefined ? { memory: this.#opts.memory } : {}),
      ...(this.#opts.resources !== undefined ? { resources: this.#opts.resources } : {}),
    };
    const life = this.#opts.lifetime;
    if (life !== undefined) {
      config.lifetimeS = Math.max(0, life.durationS + (Math.random() * 2 - 1) * (life.staggerS ?? 0));
      if (life.restart) config.lifetimeRestart = true;
    }
    const env: NodeJS.ProcessEnv = workerProcessEnv({
      ...process.env,
      ...(this.#opts.env ?? {}),
      [WORKER_CONFIG_ENV]: JSON.stringify(config),
      TESSERA_LOG_LEVEL: this.log.level,
    });
    delete env["TESSERA_SECRET_FILE"];
    delete env["TESSERA_SECRET"];
    Object.assign(env, this.#securityEnv);
    const entry = this.#opts.nanny ? NANNY_MAIN : WORKER_MAIN;
    const child = spawn(process.execPath, [...(this.#opts.workerExecArgv ?? []), entry], { env, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const w: LocalWorker = { name, child, workerPid: undefined, exited };
    this.#workers.set(name, w);
    child.on("message", (m: { type?: string; event?: { type?: string; pid?: number } }) => {
      if (m.type === "nanny-event" && m.event?.type !== undefined) {
        if (m.event.type === "started") w.workerPid = m.event.pid;
        this.#nannyEvents.push({ ...(m.event as NannyEvent), worker: name });
      }
      if (m.type === "waiting-for-address") {
        if (this.#scheduler) child.send({ schedulerAddress: this.#scheduler.address });
        else this.#waiting.add(child);
      }
    });
    child.once("exit", (code, signal) => {
      this.#waiting.delete(child);
      if (this.#workers.get(name) === w) this.#workers.delete(name);
      if (!this.#closed && code !== 0) {
        this.log.warn({ worker: name, code, signal }, "local worker process exited");
        if (!this.#scheduler || this.#scheduler.state.workers.size === 0) {
          this.#startError ??= new ClusterStartError(`worker process ${name} exited (code ${code}, signal ${signal}) before the cluster was ready`);
        }
      }
      for (const f of this.#readyWaiters.splice(0)) f();
    });
    child.on("error", (err) => this.log.error({ worker: name, err: err.message }, "cannot start worker process"));
  }

  /** Scale to `n` workers: start more, or retire the newest gracefully (results move first). */
  async scale(n: number | ScaleRequest): Promise<void> {
    await this.#ready;
    let target: number;
    if (typeof n === "object" && n.array) throw new UsageError("scale: LocalCluster has no batch jobs, so no job arrays; leave out 'array' (LocalJobCluster, SLURMCluster and SGECluster have them)");
    if (typeof n === "number") target = n;
    else if (n.cores !== undefined) target = Math.ceil(n.cores / this.nThreads);
    else if (n.memory !== undefined) target = Math.ceil(parseBytes(n.memory, "memory") / Math.max(1, this.memoryLimit));
    else target = n.jobs ?? this.#workers.size;
    if (!Number.isInteger(target) || target < 0) throw new UsageError(`scale: expected a whole number of workers ≥ 0, got ${String(target)}`);
    const current = this.#workers.size;
    if (target > current) {
      for (let i = current; i < target; i++) this.#spawnWorker();
      await this.#waitForWorkers(target);
    } else if (target < current) {
      const names = [...this.#workers.keys()].slice(target);
      const leaving = names.map((nm) => this.#workers.get(nm)!);
      await this.scheduler.retireWorkers({ names, closeWorkers: true });
      await this.#reap(leaving, 5000);
    }
  }

  /**
   * Replace every worker process by a fresh one (Dask's client.restart): results held by workers are
   * lost. Resolves once as many new workers as before are connected.
   */
  async restart(opts: { timeoutMs?: number } = {}): Promise<void> {
    await this.#ready;
    const old = [...this.#workers.values()];
    const n = old.length;
    for (const w of old) w.child.kill(this.#opts.nanny ? "SIGTERM" : "SIGKILL");
    await this.#reap(old, 5000);
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    // The scheduler drops a worker when its connection closes; wait for that before counting new ones.
    while (old.some((w) => this.scheduler.state.workersByName.has(w.name))) {
      if (Date.now() > deadline) throw new TimeoutError(`restart: the scheduler still lists old workers after ${opts.timeoutMs ?? 30_000} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // The old workers' exits are not a failure to start.
    this.#startError = undefined;
    for (let i = 0; i < n; i++) this.#spawnWorker();
    await this.#waitForWorkers(n);
  }

  async #reap(workers: LocalWorker[], timeoutMs: number): Promise<void> {
    await Promise.all(
      workers.map(async (w) => {
        const t = setTimeout(() => w.child.kill("SIGKILL"), timeoutMs);
        await w.exited;
        clearTimeout(t);
      }),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const all = [...this.#workers.values()];
    await this.#scheduler?.close();
    for (const w of all) if (w.child.connected) w.child.disconnect();
    for (const w of all) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGTERM");
    await this.#reap(all, 3000);
    process.off("exit", this.#exitHandler);
    if (this.#tlsDir) await rm(this.#tlsDir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  [inspect.custom](): string {
    const n = this.#scheduler?.state.workers.size ?? 0;
    const lines = [
      `LocalCluster`,
      `  Scheduler: ${this.#scheduler?.address ?? "(starting)"}`,
      ...(this.dashboardLink ? [`  Dashboard: ${this.dashboardLink}`] : []),
      `  Workers: ${n} · Cores: ${n * this.nThreads} · Memory: ${formatBytesDecimal(n * this.memoryLimit)}`,
    ];
    return lines.join("\n");
  }
}

registerLocalClusterFactory(async (opts) => LocalCluster.start(opts as LocalClusterOptions));
