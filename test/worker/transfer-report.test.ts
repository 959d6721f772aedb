// Workers report their transfers and CPU use: a real scheduler, two real workers (task threads)
// over TCP, a raw client. A large typed array made on worker A must move to worker B (A retires
// while a client still wants it; then a task on B reads it); the transfer span reaches a scheduler
// plugin and the dashboard's source, and the CPU % of worker B becomes a number.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Scheduler } from "../../src/scheduler/server.js";
import type { SpanInfo } from "../../src/scheduler/plugin.js";
import { Worker } from "../../src/worker/server.js";
import { Security, connect, type Comm } from "../../src/protocol/index.js";
import { silentLogger } from "../../src/util/log.js";
import { SchedulerSource } from "../../src/dashboard/scheduler-source.js";
import type { TaskAction } from "../../src/dashboard/source.js";

const opModules = [new URL("./transfer-fixtures/ops.js", import.meta.url).href];
const N = 1_000_000; // 8 MB

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("a fetched input's transfer span and the workers' CPU % reach the scheduler and the dashboard", async () => {
  const security = Security.temporary();
  const log = silentLogger();
  const scheduler = await Scheduler.start({ security, log, port: 0, heartbeatIntervalMs: 100 });
  const spans: SpanInfo[] = [];
  scheduler.addPlugin({ name: "spans", span: (s) => spans.push(s) });
  const source = new SchedulerSource(scheduler);
  const drawn: { key: string; prefix: string; worker: string; action: TaskAction; start: number; stop: number }[] = [];
  source.subscribe({ span: (key, prefix, worker, _thread, start, stop, action) => drawn.push({ key, prefix, worker, action, start, stop }) });
  const a = await Worker.start({ schedulerAddress: scheduler.address, security, nthreads: 1, name: "w-a", log, opModules });
  let b: Worker | undefined;
  let client: Comm | undefined;
  try {
    client = await connect(scheduler.address, { security });
    const done = new Map<string, string[]>();
    client.onMessage((msg) => {
      const m = msg as { op: string; keys?: { key: string; workers: string[] }[] };
      if (m.op === "keys-in-memory") for (const k of m.keys ?? []) done.set(k.key, k.workers);
    });
    client.send({ op: "register-client", name: "transfer-test" });
    client.send({ op: "update-graph", tasks: [{ key: "big-x", op: "xfer.make", args: [N] }], wanted: ["big-x"] });
    await until("big-x on worker A", () => done.has("big-x"));
    assert.deepEqual(done.get("big-x"), [a.address]);

    b = await Worker.start({ schedulerAddress: scheduler.address, security, nthreads: 1, name: "w-b", log, opModules });
    // A leaves gracefully: the client still wants big-x, so B must fetch it from A first.
    const retired = await scheduler.retireWorkers({ addresses: [a.address], closeWorkers: false });
    assert.deepEqual(retired, [a.address]);
    client.send({ op: "update-graph", tasks: [{ key: "sum-x", op: "xfer.sum", args: [{ $ref: "big-x" }], deps: ["big-x"] }], wanted: ["sum-x"] });
    await until("sum-x on worker B", () => done.has("sum-x"));
    assert.deepEqual(done.get("sum-x"), [b.address]);

    await until("a transfer span at the scheduler plugin", () => spans.some((s) => s.action === "transfer"));
    const t = spans.find((s) => s.action === "transfer")!;
    assert.equal(t.worker, b.address);
    assert.equal(t.peer, a.address);
    assert.equal(t.keys, 1);
    assert.ok(t.bytes >= 8 * N && t.bytes < 8 * N + 4096, `transfer of ${t.bytes} bytes; expected about ${8 * N}`);
    assert.ok(t.start <= t.stop && t.stop <= Date.now() + 1000 && t.start > Date.now() - 60_000, `span ${t.start}..${t.stop}`);

    // The dashboard's task stream gets it as a red (transfer) span on B's rows.
    const d = drawn.find((s) => s.action === "transfer");
    assert.ok(d, "the dashboard source forwards the transfer span");
    assert.equal(d.worker, b.address);
    assert.equal(d.prefix, "transfer");
    assert.match(d.key, /transfer from .* \(1 keys, \d+ bytes\)/);

    // CPU % arrives with every heartbeat (measured since the previous one).
    await until("worker B's CPU %", () => typeof scheduler.workers().find((w) => w.address === b!.address)?.cpuPercent === "number", 5000).catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(scheduler.workers().map((w) => [w.address, w.metrics]))}`);
    });
    const view = scheduler.workers().find((w) => w.address === b!.address)!;
    assert.ok(view.cpuPercent! >= 0 && view.cpuPercent! < 100 * 64, `cpuPercent ${view.cpuPercent}`);
    const dash = source.workers().find((w) => w.address === b!.address)!;
    assert.equal(typeof dash.cpuPercent, "number");
  } finally {
    client?.close("done");
    source.close();
    await b?.close();
    await a.close();
    await scheduler.close();
  }
});
