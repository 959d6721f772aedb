// The dashboard's HTTP server over real sockets, fed by an in-memory source: routes, token, SSE.
import { test } from "node:test";
import assert from "node:assert/strict";
import { request, type IncomingHttpHeaders } from "node:http";
import { startDashboard, DashboardConfigError } from "../../src/dashboard/server.js";
import { InMemorySource } from "../../src/dashboard/memory-source.js";
import { dashboardToken } from "../../src/dashboard/token.js";
import type { StreamHello, StreamUpdate } from "../../src/dashboard/api-types.js";
import { parsePrometheus, valueOf } from "./prometheus.js";

const SECRET = "0123456789abcdef0123456789abcdef";

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

function demoSource(): InMemorySource {
  const src = new InMemorySource("tcp://127.0.0.1:8786");
  src.upsertWorker({
    name: "w0",
    address: "tcp://127.0.0.1:9000",
    nthreads: 2,
    memoryLimit: 2e9,
    memory: 5e8,
    spilledBytes: 0,
    restarts: 0,
    paused: false,
    cpuPercent: 90,
    processing: 2,
    stored: 3,
    lastSeen: Date.now(),
    status: "running",
  });
  src.log({ time: Date.now(), level: "info", msg: "scheduler started" });
  src.setWorkerLog("tcp://127.0.0.1:9000", [{ time: Date.now(), level: "info", msg: "worker w0 ready" }]);
  return src;
}

test("loopback dashboard opened with requireToken: false: health, pages, JSON API, metrics, worker log, 404s", async () => {
  const src = demoSource();
  src.addTask("inc", "waiting", 5);
  const d = await startDashboard({ source: src, address: "127.0.0.1:0", requireToken: false });
  try {
    assert.equal(d.token, undefined);
    assert.match(d.url, /^http:\/\/127\.0\.0\.1:\d+\/status$/);
    assert.deepEqual((await get(d.port, "/health")).body, "ok");
    const root = await get(d.port, "/");
    assert.equal(root.status, 302);
    assert.equal(root.headers.location, "/status");
    for (const page of ["status", "workers", "jobs", "info"]) {
      const r = await get(d.port, `/${page}`);
      assert.equal(r.status, 200);
      assert.match(r.body, new RegExp(`data-page="${page}"|front-end is not built`));
    }
    const snap = JSON.parse((await get(d.port, "/api/snapshot")).body);
    assert.equal(snap.workers.length, 1);
    assert.equal(snap.taskCounts.waiting, 5);
    const workers = JSON.parse((await get(d.port, "/api/workers")).body);
    assert.equal(workers[0].name, "w0");
    assert.equal(workers[0].restarts, 0);
    assert.equal(workers[0].paused, false);
    src.upsertWorker({ ...src.workers()[0]!, restarts: 2, paused: true, status: "paused" });
    const again = JSON.parse((await get(d.port, "/api/snapshot")).body);
    assert.deepEqual([again.workers[0].restarts, again.workers[0].paused, again.totals.restarts, again.totals.paused], [2, true, 2, 1]);
    const info = JSON.parse((await get(d.port, "/api/info")).body);
    assert.equal(info.schedulerLog[0].msg, "scheduler started");
    const wlog = JSON.parse((await get(d.port, `/api/logs/worker?address=${encodeURIComponent("tcp://127.0.0.1:9000")}`)).body);
    assert.equal(wlog[0].msg, "worker w0 ready");
    const missing = await get(d.port, `/api/logs/worker?address=tcp://nowhere:1`);
    assert.equal(missing.status, 404);
    assert.match(missing.body, /no log for worker 'tcp:\/\/nowhere:1'/);
    assert.equal((await get(d.port, "/api/jobs")).body, "null");
    const metrics = await get(d.port, "/metrics");
    assert.match(String(metrics.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
    const p = parsePrometheus(metrics.body);
    assert.equal(valueOf(p, "tessera_tasks", { state: "waiting" }), 5);
    assert.equal(valueOf(p, "tessera_workers"), 1);
    assert.equal(valueOf(p, "tessera_workers_paused"), 1);
    assert.equal(valueOf(p, "tessera_worker_restarts_total", { worker: "w0" }), 2);
    const nope = await get(d.port, "/nope");
    assert.equal(nope.status, 404);
    assert.match(nope.body, /pages: \/status, \/workers, \/jobs, \/info/);
    assert.equal((await get(d.port, "/assets/..%2Fpackage.json")).status, 404);
    // DNS rebinding: a foreign Host name is refused; tunnels and loopback names are fine.
    const rebound = await get(d.port, "/api/snapshot", { host: "evil.example:8787" });
    assert.equal(rebound.status, 403);
    assert.match(rebound.body, /Host 'evil\.example:8787' is not this machine/);
    for (const host of ["localhost:8787", "127.0.0.1:9", "[::1]:8787"]) assert.equal((await get(d.port, "/api/workers", { host })).status, 200, host);
  } finally {
    await d.close();
  }
  assert.equal(src.listenerCount, 0, "the dashboard unsubscribes when closed");
});

test("beyond loopback the token is required: missing or wrong → 403; the link and a bearer work; no cookie is set", async () => {
  await assert.rejects(startDashboard({ source: demoSource(), address: "0.0.0.0:0" }), DashboardConfigError);
  const d = await startDashboard({ source: demoSource(), address: "0.0.0.0:0", secret: SECRET });
  try {
    const token = dashboardToken(SECRET);
    assert.equal(d.token, token);
    assert.match(d.url, new RegExp(`/status\\?token=${token}$`));
    assert.equal((await get(d.port, "/health")).body, "ok", "health needs no token");
    for (const path of ["/status", "/api/snapshot", "/metrics", "/api/stream", `/status?token=${"0".repeat(32)}`, "/assets/app.js"]) {
      const r = await get(d.port, path);
      assert.equal(r.status, 403, path);
      assert.match(r.body, /needs its access token/);
    }
    // cookies are not credentials (a browser sends a host's cookies to every port of it)
    assert.equal((await get(d.port, "/status", { cookie: `tessera_dashboard_token_${d.port}=${token}` })).status, 403);
    const viaLink = await get(d.port, `/workers?token=${token}`);
    assert.equal(viaLink.status, 200);
    assert.equal(viaLink.headers["set-cookie"], undefined, "no cookie");
    assert.equal(viaLink.headers["referrer-policy"], "no-referrer");
    // the page's links and assets carry the token
    assert.match(viaLink.body, new RegExp(`href="/status\\?token=${token}"`));
    assert.match(viaLink.body, new RegExp(`src="/assets/app.js\\?token=${token}"`));
    assert.equal((await get(d.port, "/metrics", { authorization: `Bearer ${token}` })).status, 200);
    assert.equal((await get(d.port, `/api/snapshot?token=${token}`)).status, 200);
  } finally {
    await d.close();
  }
});

test("a loopback dashboard asks for the token by default; without the secret it cannot start unless requireToken: false", async () => {
  await assert.rejects(startDashboard({ source: demoSource(), address: "127.0.0.1:0" }), /other users of this machine can reach 127\.0\.0\.1.*requireToken: false/);
  const d = await startDashboard({ source: demoSource(), address: "127.0.0.1:0", secret: SECRET });
  try {
    assert.match(d.url, new RegExp(`^http://127\\.0\\.0\\.1:${d.port}/status\\?token=${dashboardToken(SECRET)}$`));
    for (const path of ["/status", "/api/info", "/api/snapshot", "/metrics"]) assert.equal((await get(d.port, path)).status, 403, path);
    assert.equal((await get(d.port, `/status?token=${d.token}`)).status, 200);
    const root = await get(d.port, `/?token=${d.token}`);
    assert.equal(root.headers.location, `/status?token=${d.token}`);
  } finally {
    await d.close();
  }
});

test("the event stream sends a snapshot, then updates several times a second with new spans", async () => {
  const src = demoSource();
  src.addTask("inc", "waiting", 1000);
  const d = await startDashboard({ source: src, address: "127.0.0.1:0", intervalMs: 100, requireToken: false });
  const events: { event: string; data: unknown }[] = [];
  const req = request({ host: "127.0.0.1", port: d.port, path: "/api/stream", agent: false });
  try {
    await new Promise<void>((resolve, reject) => {
      req.on("response", (res) => {
        assert.match(String(res.headers["content-type"]), /^text\/event-stream/);
        res.setEncoding("utf8");
        let buf = "";
        res.on("data", (chunk: string) => {
          buf += chunk;
          let end: number;
          while ((end = buf.indexOf("\n\n")) >= 0) {
            const block = buf.slice(0, end);
            buf = buf.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data) });
            if (events.length === 1) emitWork();
            if (events.filter((e) => e.event === "update").length >= 5) resolve();
          }
        });
      });
      req.on("error", reject);
      req.end();
    });
  } finally {
    req.destroy();
    await d.close();
  }
  function emitWork(): void {
    const now = Date.now();
    for (let i = 0; i < 3000; i++) {
      src.transition(`inc-${i}`, "inc", "waiting", "processing");
      src.transition(`inc-${i}`, "inc", "processing", "memory");
      src.span({ key: `inc-${i}`, prefix: "inc", worker: "tcp://127.0.0.1:9000", thread: i % 2, start: now + i, stop: now + i + 1, action: "compute" });
    }
  }
  const hello = events[0]!;
  assert.equal(hello.event, "snapshot");
  assert.equal((hello.data as StreamHello).workers.length, 1);
  const updates = events.filter((e) => e.event === "update").map((e) => e.data as StreamUpdate);
  const spans = updates.reduce((n, u) => n + u.spans.length, 0);
  const skipped = updates.reduce((n, u) => n + u.spansSkipped, 0);
  assert.equal(spans + skipped, 3000, "every span is either sent or counted as skipped");
  assert.ok(updates.every((u) => u.spans.length <= 1500), "updates are capped");
  assert.equal(updates.at(-1)!.tasksFinished, 3000);
});

test("a taken port: fall back to a free one (default), or a clear error when asked not to", async () => {
  const first = await startDashboard({ source: demoSource(), address: "127.0.0.1:0", requireToken: false });
  try {
    const second = await startDashboard({ source: demoSource(), address: `127.0.0.1:${first.port}`, requireToken: false });
    try {
      assert.notEqual(second.port, first.port);
      assert.equal((await get(second.port, "/health")).body, "ok");
    } finally {
      await second.close();
    }
    await assert.rejects(
      startDashboard({ source: demoSource(), address: `127.0.0.1:${first.port}`, fallbackToAnyPort: false, requireToken: false }),
      (err: Error) => err instanceof DashboardConfigError && new RegExp(`port ${first.port} on 127.0.0.1 is in use`).test(err.message),
    );
  } finally {
    await first.close();
  }
});
