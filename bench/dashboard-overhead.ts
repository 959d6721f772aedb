/**
 * Does an open dashboard slow the scheduler? The map throughput of bench/overhead.ts (client.map +
 * gather of 10 000 trivial tasks on a LocalCluster of 2 workers × 1 thread) with no dashboard, and with
 * a dashboard attached and a page open (an event-stream subscriber reading every update, as a browser
 * tab does), in alternating rounds on the same cluster. The bar: with a dashboard open,
 * throughput ≥ 90 % of the figure without.
 *
 *   node dist/bench/dashboard-overhead.js [--tasks 10000] [--rounds 7] [--workers 2] [--threads 1]
 *
 * Prints one line per round, the medians, and last one line of JSON.
 */
import { request } from "node:http";
import { LocalCluster } from "../src/cluster/local.js";
import { Client } from "../src/client/client.js";
import { SchedulerSource, startSchedulerDashboard } from "../src/dashboard/scheduler-source.js";
import { Collector, toSpanWire } from "../src/dashboard/collector.js";
import type { Dashboard } from "../src/dashboard/server.js";

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} ${process.argv[i + 1]}: expected a positive number`);
  return v;
}

const tasks = arg("tasks", 10_000);
const rounds = arg("rounds", 7);
const inc = (x: number): number => x + 1;
const workers = arg("workers", 2);
const threads = arg("threads", 1);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A page open on the dashboard: subscribes to the event stream and parses every update. */
function openPage(d: Dashboard): { updates: () => number; close: () => void } {
  let updates = 0;
  let buf = "";
  const req = request({ host: "127.0.0.1", port: d.port, path: "/api/stream", agent: false }, (res) => {
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      buf += chunk;
      let end: number;
      while ((end = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (data) {
          JSON.parse(data);
          updates++;
        }
      }
    });
    res.on("error", () => undefined);
  });
  req.on("error", () => undefined);
  req.end();
  return { updates: () => updates, close: () => req.destroy() };
}

async function round(client: Client, n: number, salt: number): Promise<number> {
  const xs = Array.from({ length: n }, (_, i) => i + salt * n);
  const t0 = performance.now();
  const futures = client.map(inc, xs);
  const values = await client.gather(futures);
  const dt = (performance.now() - t0) / 1000;
  if (values.length !== n || values[0] !== xs[0]! + 1) throw new Error("wrong results");
  for (const f of futures) f.release();
  await new Promise((res) => setTimeout(res, 50)); // let releases reach the scheduler, as bench/overhead.ts does
  return n / dt;
}

const cluster = await LocalCluster.start({ nWorkers: workers, threadsPerWorker: threads, dashboard: false, logLevel: "error" });
const client = await Client.connect(cluster);
try {
  await round(client, Math.min(2000, tasks), 999); // warm up: function shipping, JIT
  const none: number[] = [];
  const open: number[] = [];
  let updates = 0;
  const withDashboardOpen = async (salt: number): Promise<number> => {
    const dash = await startSchedulerDashboard(cluster.scheduler, { address: "127.0.0.1:0", log: cluster.log });
    const page = openPage(dash);
    await new Promise((res) => setTimeout(res, 300)); // the page has connected and gets updates
    const rate = await round(client, tasks, salt);
    updates += page.updates();
    page.close();
    await dash.close();
    return rate;
  };
  // A third arm: a plugin whose transition hook does nothing, to tell the scheduler's cost of calling
  // any plugin apart from the dashboard's own work.
  const noop: number[] = [];
  const withNoopPlugin = async (salt: number): Promise<number> => {
    const plugin = { name: "noop", transition: (): void => undefined };
    cluster.scheduler.addPlugin(plugin);
    const rate = await round(client, tasks, salt);
    cluster.scheduler.removePlugin(plugin);
    return rate;
  };
  const arms: [number[], (salt: number) => Promise<number>][] = [
    [none, (salt) => round(client, tasks, salt)],
    [noop, withNoopPlugin],
    [open, withDashboardOpen],
  ];
  for (let r = 0; r < rounds; r++) {
    // Rotate the order, so that warming up (JIT, caches) favours no arm.
    for (let k = 0; k < arms.length; k++) {
      const [results, run] = arms[(r + k) % arms.length]!;
      results.push(await run(3 * r + k));
    }
    console.log(
      `round ${r + 1}: no dashboard ${none.at(-1)!.toFixed(0)}, no-op plugin ${noop.at(-1)!.toFixed(0)}, dashboard open ${open.at(-1)!.toFixed(0)} tasks/s`,
    );
  }
  // The dashboard's own cost, measured directly (less noisy than throughput on a shared machine):
  // the plugin hook per transition, and building + serialising one update.
  const source = new SchedulerSource(cluster.scheduler);
  const collector = new Collector(source);
  const hook = source.plugin.transition!;
  const worker = cluster.scheduler.workers()[0]!.address;
  const hookNs: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const m = 200_000;
    const start = Date.now();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < m; i++) {
      hook(`inc-${i}`, "processing", "memory", { prefix: "inc", worker, nbytes: 8, type: "number", start: start + i * 0.01, duration: 0.00001 });
    }
    hookNs.push(Number(process.hrtime.bigint() - t0) / m);
  }
  const updateMs: number[] = [];
  for (let rep = 0; rep < 20; rep++) {
    const t0 = process.hrtime.bigint();
    const got = collector.spans.since(collector.spans.next - 1500, 1500);
    JSON.stringify({ ...collector.snapshot(), spans: got.spans.map(toSpanWire) });
    updateMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  collector.close();
  source.close();
  console.log(
    `hook cost ${median(hookNs).toFixed(0)} ns per finished task; one update (snapshot + 1500 spans, serialised) ${median(updateMs).toFixed(2)} ms ` +
      `→ at 4 updates/s ${((4 * median(updateMs)) / 10).toFixed(2)} % of one core`,
  );
  const mNone = median(none);
  const mNoop = median(noop);
  const mOpen = median(open);
  console.log(
    `median: no dashboard ${mNone.toFixed(0)} tasks/s, no-op plugin ${mNoop.toFixed(0)} tasks/s, dashboard open ${mOpen.toFixed(0)} tasks/s ` +
      `→ open/none ${((100 * mOpen) / mNone).toFixed(1)} % (goal ≥ 90 %), no-op/none ${((100 * mNoop) / mNone).toFixed(1)} %`,
  );
  console.log(`the open page received ${updates} updates`);
  console.log(
    JSON.stringify({
      bench: "dashboard-overhead",
      tasks,
      rounds,
      workers,
      threadsPerWorker: threads,
      tasksPerS: { none: Math.round(mNone), noopPlugin: Math.round(mNoop), open: Math.round(mOpen) },
      ratio: Number((mOpen / mNone).toFixed(3)),
      updatesReceived: updates,
      hookNsPerTask: Math.round(median(hookNs)),
      updateMs: Number(median(updateMs).toFixed(3)),
    }),
  );
} finally {
  await client.close();
  await cluster.close();
}
