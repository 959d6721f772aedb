// The adapter from the real Scheduler to the dashboard: a real scheduler and a real worker (task
// threads) over TCP, a raw client connection submitting a graph, the dashboard's HTTP API reading it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { Scheduler } from "../../src/scheduler/server.js";
import { Worker } from "../../src/worker/server.js";
import { Security, connect, type Comm } from "../../src/protocol/index.js";
import { silentLogger } from "../../src/util/log.js";
import { startSchedulerDashboard } from "../../src/dashboard/scheduler-source.js";
import type { Snapshot } from "../../src/dashboard/api-types.js";
import { parsePrometheus, valueOf } from "./prometheus.js";

const opModules = [new URL("./fixtures/ops.js", import.meta.url).href];

function getJson<T>(port: number, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => (path === "/metrics" ? resolve(body as T) : resolve(JSON.parse(body) as T)));
    })
      .on("error", reject)
      .end();
  });
}

test("a real scheduler's tasks, workers and errors reach the dashboard", async () => {
  const security = Security.temporary();
  const log = silentLogger();
  const scheduler = await Scheduler.start({ security, log, port: 0 });
  const worker = await Worker.start({ schedulerAddress: scheduler.address, security, nthreads: 2, name: "w-a", log, opModules, metadata: { slurmJobId: "777" }, restarts: 2 });
  let client: Comm | undefined;
  const dash = await startSchedulerDashboard(scheduler, { address: "127.0.0.1:0", requireToken: false, log });
  try {
    assert.equal(scheduler.dashboardLink, dash.url);
    client = await connect(scheduler.address, { security });
    const done = new Set<string>();
    const erred = new Set<string>();
    client.onMessage((msg) => {
      const m = msg as { op: string; keys?: { key: string }[]; errors?: { key: string }[] };
      if (m.op === "keys-in-memory") for (const k of m.keys ?? []) done.add(k.key);
      if (m.op === "keys-erred") for (const e of m.errors ?? []) erred.add(e.key);
    });
    client.send({ op: "register-client", name: "dashboard-test" });
    const n = 40;
    const tasks = Array.from({ length: n }, (_, i) => ({ key: `busy-${i}`, op: "dash.busy", args: [5, i] }));
    tasks.push({ key: "fail-0", op: "dash.fail", args: ["no good" as unknown as number, 0] });
    client.send({ op: "update-graph", tasks, wanted: tasks.map((t) => t.key) });
    const deadline = Date.now() + 30_000;
    while (done.size + erred.size < n + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(done.size, n);
    assert.deepEqual([...erred], ["fail-0"]);

    const snap = await getJson<Snapshot>(dash.port, "/api/snapshot");
    assert.deepEqual(snap.workers.map((w) => [w.name, w.nthreads, w.jobId]), [["w-a", 2, "777"]]);
    assert.equal(snap.workers[0]!.address, worker.address);
    // the nanny's restart count arrives with the worker's registration and heartbeats
    const w0 = snap.workers[0]!;
    assert.deepEqual([w0.restarts, w0.paused, w0.spilledBytes, w0.status], [2, false, 0, "running"]);
    const busy = snap.progress.find((p) => p.prefix === "busy")!;
    assert.equal(busy.total, n);
    assert.equal(busy.fraction, 1);
    assert.equal(snap.progress.find((p) => p.prefix === "fail")!.erred, 1);
    assert.equal(snap.tasksFinished, n);
    const view = scheduler.view();
    assert.equal(snap.taskCounts.memory, view.prefixes.reduce((s, p) => s + p.counts.memory, 0));

    const stream = await getJson<{ spans: { k: string; w: string; t: number; s: number; e: number; x?: 1 }[] }>(dash.port, "/api/task-stream?since=0");
    assert.equal(stream.spans.length, n + 1, "one span per finished or erred task");
    const now = Date.now();
    for (const s of stream.spans) {
      assert.equal(s.w, worker.address);
      assert.ok(s.t === 0 || s.t === 1, `thread ${s.t} is one of the worker's two`);
      assert.ok(s.s > now - 60_000 && s.s <= s.e && s.e <= now + 1000, `span ${s.k} times are ms since the epoch: ${s.s}..${s.e}`);
    }
    assert.equal(stream.spans.filter((s) => s.x === 1).map((s) => s.k).join(), "fail-0");
    // Two threads ran tasks at the same time, so both rows are used.
    assert.deepEqual(new Set(stream.spans.map((s) => s.t)), new Set([0, 1]));

    const info = await getJson<{ erred: { key: string; exception: string; traceback: string }[]; schedulerLog: { msg: string }[] }>(dash.port, "/api/info");
    assert.equal(info.erred[0]!.key, "fail-0");
    assert.match(info.erred[0]!.exception, /RangeError: no good/);
    assert.match(info.erred[0]!.traceback, /RangeError: no good\n\s+at /);
    assert.ok(info.schedulerLog.some((l) => /worker w-a joined/.test(l.msg)));

    const metrics = parsePrometheus(await getJson<string>(dash.port, "/metrics"));
    assert.equal(valueOf(metrics, "tessera_workers"), 1);
    assert.equal(valueOf(metrics, "tessera_threads"), 2);
    assert.equal(valueOf(metrics, "tessera_worker_restarts_total", { worker: "w-a" }), 2);
    assert.equal(valueOf(metrics, "tessera_workers_paused"), 0);
    assert.equal(valueOf(metrics, "tessera_tasks", { state: "memory" }), snap.taskCounts.memory);
    assert.equal(valueOf(metrics, "tessera_tasks_erred_total"), 1);
  } finally {
    client?.close();
    await worker.close();
    await scheduler.close(); // closes the dashboard too
  }
  await assert.rejects(getJson(dash.port, "/health"), /ECONNREFUSED/);
});
