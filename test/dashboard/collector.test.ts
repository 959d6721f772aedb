// The dashboard's IO-free bookkeeping: span ring, progress rows, totals, metrics text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Collector } from "../../src/dashboard/collector.js";
import { InMemorySource } from "../../src/dashboard/memory-source.js";
import { renderMetrics, escapeLabel } from "../../src/dashboard/metrics.js";
import { SpanRing } from "../../src/dashboard/span-ring.js";
import { parseDashboardAddress, isLoopback } from "../../src/dashboard/address.js";
import { dashboardToken, tokenMatches } from "../../src/dashboard/token.js";
import type { TaskSpan, WorkerView } from "../../src/dashboard/source.js";
import { parsePrometheus, valueOf } from "./prometheus.js";

function span(i: number, worker = "tcp://w:1"): TaskSpan {
  return { key: `inc-${i}`, prefix: "inc", worker, thread: 0, start: i, stop: i + 1, action: "compute" };
}

function worker(n: number, over: Partial<WorkerView> = {}): WorkerView {
  return {
    name: `w${n}`,
    address: `tcp://127.0.0.1:${9000 + n}`,
    nthreads: 2,
    memoryLimit: 1e9,
    memory: 1e8 * (n + 1),
    spilledBytes: 0,
    cpuPercent: 50,
    processing: n,
    stored: 10 * n,
    lastSeen: 0,
    status: "running",
    ...over,
  };
}

test("SpanRing keeps the newest spans and counts what a reader missed", () => {
  const ring = new SpanRing(4);
  for (let i = 0; i < 10; i++) ring.pushSpan(span(i));
  assert.equal(ring.size, 4);
  assert.equal(ring.next, 10);
  const all = ring.since(0, 100);
  assert.deepEqual(all.spans.map((s) => s.key), ["inc-6", "inc-7", "inc-8", "inc-9"]);
  assert.equal(all.skipped, 6);
  const capped = ring.since(7, 2);
  assert.deepEqual(capped.spans.map((s) => s.key), ["inc-8", "inc-9"]);
  assert.equal(capped.skipped, 1);
  assert.deepEqual(ring.since(10, 5).spans, []);
  assert.deepEqual(ring.between(7, 9).map((s) => s.key), ["inc-7", "inc-8"]);
  assert.deepEqual(ring.recent(8.5, 10).map((s) => s.key), ["inc-8", "inc-9"]);
  assert.throws(() => new SpanRing(0), /capacity 0/);
});

test("SpanRing keeps actions and errors, and rebuilds its name table when it grows too large", () => {
  const ring = new SpanRing(3, 8);
  ring.push("a-1", "a", "tcp://w:1", 1, 10, 20, "transfer", false);
  ring.push("b-1", "b", "tcp://w:2", 0, 11, 21, "compute", true);
  assert.deepEqual(ring.since(0, 10).spans, [
    { key: "a-1", prefix: "a", worker: "tcp://w:1", thread: 1, start: 10, stop: 20, action: "transfer" },
    { key: "b-1", prefix: "b", worker: "tcp://w:2", thread: 0, start: 11, stop: 21, action: "compute", erred: true },
  ]);
  // Many distinct names: the table is rebuilt from the spans still held, which read back intact.
  for (let i = 0; i < 20; i++) ring.push(`p${i}-1`, `p${i}`, `tcp://w:${i}`, 0, i, i + 1, "disk-write", false);
  assert.equal(ring.next, 22);
  assert.deepEqual(ring.since(0, 10).spans.map((s) => [s.key, s.prefix, s.worker, s.action]), [
    ["p17-1", "p17", "tcp://w:17", "disk-write"],
    ["p18-1", "p18", "tcp://w:18", "disk-write"],
    ["p19-1", "p19", "tcp://w:19", "disk-write"],
  ]);
});

test("progress rows follow transitions, count forgotten results as done, and restart for a new computation", () => {
  let now = 1000;
  const src = new InMemorySource();
  const c = new Collector(src, { now: () => now, progressLingerMs: 10_000 });
  src.addTask("inc", "waiting", 4);
  src.addTask("sum", "waiting", 1);
  for (let i = 0; i < 4; i++) src.transition(`inc-${i}`, "inc", "waiting", "processing");
  src.transition("inc-0", "inc", "processing", "memory");
  src.transition("inc-1", "inc", "processing", "erred");
  let rows = c.progress();
  assert.deepEqual(
    rows.map((r) => [r.prefix, r.total, r.waiting, r.processing, r.memory, r.done, r.erred]),
    [
      ["inc", 4, 0, 2, 1, 0, 1],
      ["sum", 1, 1, 0, 0, 0, 0],
    ],
  );
  assert.equal(rows[0]!.fraction, 0.5);
  // Finish everything, then the client releases the results: rows stay at 100 % for the linger time.
  src.transition("inc-2", "inc", "processing", "memory");
  src.transition("inc-3", "inc", "processing", "memory");
  for (const k of ["inc-0", "inc-2", "inc-3"]) src.transition(k, "inc", "memory", "forgotten");
  src.transition("inc-1", "inc", "erred", "forgotten");
  src.transition("sum-0", "sum", "waiting", "processing");
  src.transition("sum-0", "sum", "processing", "memory");
  rows = c.progress();
  assert.deepEqual(rows.find((r) => r.prefix === "inc"), { prefix: "inc", total: 3, waiting: 0, processing: 0, memory: 0, done: 3, erred: 0, fraction: 1 });
  assert.equal(rows.find((r) => r.prefix === "sum")!.fraction, 1);
  assert.equal(c.tasksFinished, 4);
  // A new computation of the same kind starts from zero.
  src.addTask("inc", "waiting", 2);
  rows = c.progress();
  assert.deepEqual(rows.find((r) => r.prefix === "inc"), { prefix: "inc", total: 2, waiting: 2, processing: 0, memory: 0, done: 0, erred: 0, fraction: 0 });
  src.transition("inc-9", "inc", "waiting", "processing");
  src.transition("inc-9", "inc", "processing", "memory");
  src.transition("inc-9", "inc", "memory", "forgotten");
  assert.equal(c.progress().find((r) => r.prefix === "inc")!.done, 1);
  // Long after everything finished, the row goes away.
  src.transition("inc-8", "inc", "waiting", "forgotten");
  now += 20_000;
  c.progress();
  assert.equal(c.progress().find((r) => r.prefix === "inc"), undefined);
  c.close();
  assert.equal(src.listenerCount, 0);
});

test("snapshot totals add up the workers; samples measure throughput", () => {
  let now = 0;
  const src = new InMemorySource();
  src.upsertWorker(worker(0));
  src.upsertWorker(worker(1, { jobId: "123", restarts: 3, paused: true }));
  src.upsertWorker(worker(2, { status: "paused", restarts: 1 }));
  src.removeWorker(worker(2).address, "gone");
  const c = new Collector(src, { now: () => now });
  const s = c.snapshot();
  assert.deepEqual(s.totals, {
    workers: 2,
    threads: 4,
    memory: 3e8,
    memoryLimit: 2e9,
    managedBytes: 0,
    spilledBytes: 0,
    processing: 1,
    stored: 10,
    cpuPercent: 100,
    restarts: 3,
    paused: 1,
  });
  assert.equal(s.jobs, null);
  c.sample();
  src.addTask("inc", "processing", 10);
  for (let i = 0; i < 10; i++) src.transition(`inc-${i}`, "inc", "processing", "memory");
  now = 2000;
  const sample = c.sample();
  assert.equal(sample.tasksPerS, 5);
  assert.equal(sample.memory, 3e8);
  assert.equal(c.history().length, 2);
  c.close();
});

test("renderMetrics output parses and carries the snapshot's numbers", () => {
  const src = new InMemorySource();
  src.upsertWorker(worker(0, { name: 'odd "name"\\x' }));
  src.upsertWorker(worker(1, { restarts: 2, paused: true, spilledBytes: 4096 }));
  // a source that only says "paused" in the status counts as paused too
  src.upsertWorker(worker(2, { status: "paused" }));
  src.addTask("inc", "waiting", 3);
  src.addTask("inc", "memory", 2);
  src.setJobs({
    jobs: [
      { id: "1", state: "running", workers: ["w0"], cores: 2 },
      { id: "2", state: "pending", reason: "Priority", workers: [], cores: 2 },
      { id: "3", state: "pending", reason: "Resources", workers: [], cores: 2 },
    ],
    coreSecondsHeld: 100,
    coreSecondsBusy: 40,
  });
  const c = new Collector(src);
  const p = parsePrometheus(renderMetrics(c.snapshot()));
  assert.equal(valueOf(p, "tessera_tasks", { state: "waiting" }), 3);
  assert.equal(valueOf(p, "tessera_tasks", { state: "memory" }), 2);
  assert.equal(valueOf(p, "tessera_workers"), 3);
  assert.equal(valueOf(p, "tessera_threads"), 6);
  assert.equal(valueOf(p, "tessera_memory_bytes"), 6e8);
  assert.equal(valueOf(p, "tessera_workers_paused"), 2);
  assert.equal(valueOf(p, "tessera_worker_paused", { worker: "w1" }), 1);
  assert.equal(valueOf(p, "tessera_worker_paused", { worker: "w2" }), 1);
  assert.equal(valueOf(p, "tessera_worker_paused", { worker: 'odd "name"\\x' }), 0);
  assert.equal(valueOf(p, "tessera_worker_restarts_total", { worker: "w1" }), 2);
  assert.equal(valueOf(p, "tessera_worker_restarts_total", { worker: "w2" }), 0);
  assert.equal(p.types.get("tessera_worker_restarts_total"), "counter");
  assert.equal(valueOf(p, "tessera_worker_spilled_bytes", { worker: "w1" }), 4096);
  assert.equal(valueOf(p, "tessera_worker_memory_bytes", { worker: 'odd "name"\\x' }), 1e8);
  assert.equal(valueOf(p, "tessera_jobs", { state: "pending" }), 2);
  assert.equal(valueOf(p, "tessera_jobs", { state: "running" }), 1);
  assert.equal(valueOf(p, "tessera_core_seconds_busy_total"), 40);
  assert.equal(valueOf(p, "tessera_prefix_tasks", { prefix: "inc", state: "waiting" }), 3);
  assert.equal(p.types.get("tessera_tasks_finished_total"), "counter");
  assert.equal(escapeLabel('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  c.close();
});

test("addresses parse with clear errors; tokens derive from the secret", () => {
  assert.deepEqual(parseDashboardAddress("127.0.0.1:8787"), { host: "127.0.0.1", port: 8787 });
  assert.deepEqual(parseDashboardAddress(":8787"), { host: "0.0.0.0", port: 8787 });
  assert.deepEqual(parseDashboardAddress("8787"), { host: "127.0.0.1", port: 8787 });
  assert.deepEqual(parseDashboardAddress("[::1]:0"), { host: "::1", port: 0 });
  assert.throws(() => parseDashboardAddress("localhost"), /'localhost' has no port; use HOST:PORT/);
  assert.throws(() => parseDashboardAddress("h:99999"), /above 65535/);
  assert.throws(() => parseDashboardAddress("h:abc"), /'abc', which is not a number/);
  assert.equal(isLoopback("127.0.0.1"), true);
  assert.equal(isLoopback("0.0.0.0"), false);
  const t = dashboardToken("a-secret-of-enough-length");
  assert.match(t, /^[0-9a-f]{32}$/);
  assert.notEqual(t, dashboardToken("another-secret-of-enough-length"));
  assert.equal(tokenMatches(t, t), true);
  assert.equal(tokenMatches(t.slice(1), t), false);
  assert.equal(tokenMatches(undefined, t), false);
  assert.throws(() => dashboardToken(""), /secret is empty/);
});
