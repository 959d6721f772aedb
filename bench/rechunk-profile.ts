/**
 * `npm run bench:profile -- [workload]`: one bench:arrays workload (default rechunk_tiles_to_rows;
 * the rechunk, x_plus_xT, persisted_transpose_add and basic_sum_thin ones) on a LocalCluster of 2 workers × 1
 * thread, with the task stream summed per task kind (task counts, busy seconds), busy seconds per
 * worker and the bytes moved between workers: where a workload's time goes. Prints figures, then
 * one JSON line. Env: PROF_SCALE (0.1); PROF_CPU_DIR: the workers write V8 CPU profiles (--cpu-prof) there.
 */
import { random, zeros } from "../src/array/index.js";
import { Client } from "../src/client/client.js";
import { LocalCluster } from "../src/cluster/local.js";
import { workloadSpecs } from "./arrays-workloads.js";
import { TesseraError } from "../src/util/errors.js";

async function main(): Promise<void> {
  const name = process.argv[2] ?? "rechunk_tiles_to_rows";
  const scale = Number(process.env["PROF_SCALE"] ?? 0.1);
  const w = workloadSpecs(scale).find((s) => s.name === name);
  const known = ["rechunk_tiles_to_rows", "rechunk_swap_axes", "x_plus_xT", "persisted_transpose_add", "basic_sum_thin"];
  if (w === undefined || !known.includes(name)) throw new TesseraError("TESSERA_ERR_BENCH_CHECK", `unknown workload '${name}'; choose from ${known.join(", ")}`);
  const cpuDir = process.env["PROF_CPU_DIR"];
  const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, logLevel: "error", memoryLimit: "6GiB", ...(cpuDir ? { workerExecArgv: ["--cpu-prof", `--cpu-prof-dir=${cpuDir}`] } : {}) });
  const client = await Client.connect(cluster, { setAsDefault: false });
  let transferBytes = 0, transfers = 0;
  cluster.scheduler.addPlugin({ name: "prof", span: (s) => { if (s.action === "transfer") { transferBytes += s.bytes; transfers += s.keys; } } });
  try {
    const x = random.random({ shape: w.shape, chunks: w.chunks, seed: 1 });
    const build = () => {
      if (name.startsWith("rechunk")) return x.rechunk(w.chunks2!).sum();
      if (name === "x_plus_xT") return x.add(x.T).mean({ axis: 0 });
      if (name === "basic_sum_thin") return zeros(w.shape, { chunks: w.chunks }).sum({ axis: 1 });
      return x.add(x.T).sum();
    };
    let y = x;
    if (name === "persisted_transpose_add") y = await x.persist({ executor: client });
    const expr = name === "persisted_transpose_add" ? y.add(y.T).sum() : build();
    await random.random({ shape: [400, 400], chunks: [200, 200], seed: 3 }).rechunk([100, 400]).sum().compute({ executor: client });
    transferBytes = 0; transfers = 0;
    const { tasks, start, stop } = await client.getTaskStream(() => expr.compute({ executor: client }));
    const per = new Map<string, { n: number; busy: number }>();
    const workers = new Map<string, number>();
    for (const t of tasks) {
      const p = per.get(t.prefix) ?? { n: 0, busy: 0 };
      p.n++; p.busy += (t.stop - t.start) / 1000; per.set(t.prefix, p);
      workers.set(t.worker, (workers.get(t.worker) ?? 0) + (t.stop - t.start) / 1000);
    }
    await new Promise((r) => setTimeout(r, 1200));
    console.log(`${name} at scale ${scale}: ${((stop - start) / 1000).toFixed(2)} s wall, ${tasks.length} tasks`);
    for (const [k, v] of per) console.log(`  ${k}: ${v.n} tasks, ${v.busy.toFixed(2)} s busy (${(v.busy / v.n * 1000).toFixed(1)} ms each)`);
    for (const [k, v] of workers) console.log(`  worker ${k}: ${v.toFixed(2)} s busy`);
    console.log(`  transfers: ${transfers} values, ${(transferBytes / 2 ** 20).toFixed(0)} MiB`);
    const kinds: Record<string, { tasks: number; busyS: number }> = {};
    for (const [k, v] of per) kinds[k] = { tasks: v.n, busyS: +v.busy.toFixed(3) };
    console.log(JSON.stringify({ workload: name, scale, wallS: (stop - start) / 1000, tasks: tasks.length, kinds, workerBusyS: [...workers.values()].map((b) => +b.toFixed(3)), transferMiB: Math.round(transferBytes / 2 ** 20) }));
  } finally {
    await client.close();
    await cluster.close();
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
