/**
 * `tessera pi`: the tutorial's Monte-Carlo π on a LocalCluster (or a running scheduler), written
 * as a user writes it with tessera/array, printed in the tutorial's layout (print_pi_stats).
 */
import { UsageError } from "../util/errors.js";
import { inspect } from "node:util";
import { parseBytes } from "../util/sizes.js";
import { random } from "../array/index.js";
import type { GraphExecutor } from "../graph/default-executor.js";
import { inProcessExecutor } from "../graph/execute.js";
import { Client } from "../client/client.js";
import { LocalCluster } from "../cluster/local.js";

export interface PiOptions {
  /** Sizes in GB of float64 random numbers (default 1, 10, 100). */
  readonly sizesGB?: readonly number[];
  /** Chunk size in bytes (default 200 MB, as the tutorial). */
  readonly chunkBytes?: number;
  /** Use a running scheduler instead of starting a LocalCluster. */
  readonly scheduler?: string;
  /** LocalCluster workers and threads per worker (default: from the machine's cores). */
  readonly workers?: number;
  readonly threads?: number;
  /** Run in this process, without a cluster. */
  readonly inProcess?: boolean;
  readonly seed?: number;
  /** Print results (default true) and a progress bar on a terminal (default: when stderr is a TTY). */
  readonly print?: boolean;
  readonly progress?: boolean;
  readonly out?: (line: string) => void;
  /** Serve the dashboard for the LocalCluster started here (the CLI turns it on). */
  readonly dashboard?: boolean;
  /** Print the Client's view (scheduler, dashboard link, workers) before computing. */
  readonly showClient?: boolean;
}

export interface PiResult {
  readonly gb: number;
  readonly pi: number;
  readonly err: number;
  readonly workers: number;
  readonly seconds: number;
}

/** The tutorial's calc_pi_mc: xy ~ U[0,1)^2, π ≈ 4 · mean(x² + y² < 1). */
export function piArray(sizeBytes: number, chunkBytes: number, seed?: number) {
  const size = Math.floor(sizeBytes / 8);
  const chunk = Math.floor(chunkBytes / 8);
  const rows = Math.floor(size / 2);
  const xy = random.uniform(0, 1, { shape: [rows, 2], chunks: [Math.max(1, Math.floor(chunk / 2)), 2], ...(seed === undefined ? {} : { seed }) });
  return xy.pow(2).sum({ axis: -1 }).lt(1).mean().mul(4);
}

const pyFloat = (x: number): string => (Number.isInteger(x) ? x.toFixed(1) : String(x));
const pad = (s: string, w: number): string => s.padStart(w);
/** Python's '{: 10.3e}': exponent with at least two digits. */
function sci(x: number, digits: number): string {
  const [m, e] = x.toExponential(digits).split("e");
  const sign = e!.startsWith("-") ? "-" : "+";
  return `${m}e${sign}${e!.replace(/^[+-]/, "").padStart(2, "0")}`;
}
const spaceSign = (s: string): string => (s.startsWith("-") ? s : ` ${s}`);

/** The tutorial's print_pi_stats, character for character. */
export function formatPiStats(sizeBytes: number, pi: number, seconds: number, workers: number): string {
  return (
    `${pyFloat(sizeBytes / 1e9)} GB\n` +
    `\tMC pi: ${pad(spaceSign(pi.toFixed(11)), 13)}` +
    `\tErr: ${pad(spaceSign(sci(Math.abs(pi - Math.PI), 3)), 10)}\n` +
    `\tWorkers: ${workers}` +
    `\t\tTime: ${pad(spaceSign(seconds.toFixed(3)), 7)}s`
  );
}

function progressBar(label: string): { update: (done: number, total: number) => void; end: () => void } {
  const width = 30;
  let last = -1;
  return {
    update(done, total) {
      const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
      if (pct === last) return;
      last = pct;
      const fill = Math.round((width * pct) / 100);
      process.stderr.write(`\r${label} [${"#".repeat(fill)}${" ".repeat(width - fill)}] ${String(pct).padStart(3)}% ${done}/${total} tasks`);
    },
    end() {
      if (last >= 0) process.stderr.write("\r\x1b[2K");
    },
  };
}

/** Run the tutorial's loop over sizes; returns one result per size. */
export async function runPi(opts: PiOptions = {}): Promise<PiResult[]> {
  const sizes = opts.sizesGB ?? [1, 10, 100];
  const chunkBytes = opts.chunkBytes ?? 200e6;
  if (!(chunkBytes >= 16)) throw new UsageError(`runPi: chunkBytes ${chunkBytes} is too small; give at least 16 bytes (one x,y pair)`);
  const out = opts.out ?? ((s: string) => process.stdout.write(`${s}\n`));
  const print = opts.print ?? true;
  const showProgress = opts.progress ?? Boolean(process.stderr.isTTY);
  let executor: GraphExecutor = inProcessExecutor;
  let client: Client | undefined;
  let cluster: LocalCluster | undefined;
  let workers = (): number => 1;
  try {
    if (!opts.inProcess) {
      if (opts.scheduler !== undefined) {
        client = await Client.connect(opts.scheduler, { setAsDefault: false });
      } else {
        cluster = await LocalCluster.start({
          logLevel: "error",
          dashboard: opts.dashboard ?? false,
          ...(opts.workers === undefined ? {} : { nWorkers: opts.workers }),
          ...(opts.threads === undefined ? {} : { threadsPerWorker: opts.threads }),
        });
        client = await Client.connect(cluster, { setAsDefault: false });
      }
      const c = client;
      if (opts.workers !== undefined && opts.scheduler === undefined) await c.waitForWorkers(opts.workers);
      executor = c;
      workers = () => c.clusterSummary.workers;
      if (print && opts.showClient) out(`${inspect(c)}\n`);
    }
    const results: PiResult[] = [];
    for (const gb of sizes) {
      const sizeBytes = gb * 1e9;
      const arr = piArray(sizeBytes, chunkBytes, opts.seed);
      const bar = showProgress ? progressBar(`${pyFloat(gb)} GB`) : undefined;
      const start = performance.now();
      const pi = Number(await arr.compute({ executor, ...(bar ? { progress: bar.update } : {}) }));
      const seconds = (performance.now() - start) / 1000;
      bar?.end();
      const r = { gb, pi, err: Math.abs(pi - Math.PI), workers: workers(), seconds };
      results.push(r);
      if (print) out(formatPiStats(sizeBytes, pi, seconds, r.workers));
    }
    return results;
  } finally {
    await client?.close();
    await cluster?.close();
  }
}

const HELP = `usage: tessera pi [options]

The Monte-Carlo estimate of π from the Ceres Dask tutorial, at 1, 10 and 100 GB of float64
random numbers in 200 MB chunks, on a LocalCluster started for the run.

options:
  --sizes LIST        sizes in GB, comma-separated (default 1,10,100; 1000 allowed)
  --chunk SIZE        chunk size (default 200MB)
  --scheduler ADDR    use a running scheduler (tcp://host:port); its secret from
                      TESSERA_SECRET_FILE / TESSERA_SECRET
  --workers N         LocalCluster worker processes (default: from the machine's cores)
  --threads T         task threads per worker
  --in-process        no cluster: run in this process
  --seed S            random seed (default: a fresh one per run)
  --no-progress       no progress bar
  --no-dashboard      do not serve the dashboard (default: on 127.0.0.1:8787, or a free port)
`;

function parseArgs(argv: readonly string[]): PiOptions | string {
  const o: { -readonly [K in keyof PiOptions]: PiOptions[K] } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value (tessera pi --help)`);
      return v;
    };
    const int = (what: string, v: string): number => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what}: '${v}' is not a whole number ≥ 1`);
      return n;
    };
    switch (flag) {
      case "--help": case "-h": return "help";
      case "--sizes":
        o.sizesGB = value().split(",").map((s) => {
          const n = Number(s.trim());
          if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--sizes: '${s}' is not a positive number of GB; use e.g. --sizes 1,10,100`);
          return n;
        });
        break;
      case "--chunk":
        o.chunkBytes = parseBytes(value(), "--chunk");
        if (o.chunkBytes < 16) throw new UsageError(`--chunk: ${o.chunkBytes} bytes is too small; give at least 16 bytes (one x,y pair), e.g. --chunk 200MB`);
        break;
      case "--scheduler": o.scheduler = value(); break;
      case "--workers": o.workers = int("--workers", value()); break;
      case "--threads": o.threads = int("--threads", value()); break;
      case "--seed": o.seed = int("--seed", value()); break;
      case "--in-process": o.inProcess = true; break;
      case "--no-progress": o.progress = false; break;
      case "--no-dashboard": o.dashboard = false; break;
      default: throw new UsageError(`unknown option '${a}' (tessera pi --help)`);
    }
  }
  return o;
}

/** The CLI entry (dispatched from ./main.ts). */
export async function piCommand(argv: readonly string[]): Promise<number> {
  let opts: PiOptions | string;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`tessera pi: ${(e as Error).message}\n`);
    return 2;
  }
  if (typeof opts === "string") {
    process.stdout.write(HELP);
    return 0;
  }
  await runPi({ dashboard: true, showClient: true, ...opts });
  return 0;
}
