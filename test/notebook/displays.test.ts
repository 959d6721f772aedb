// Notebook displays of real objects (a LocalCluster with worker processes, its Client, a lazy array,
// futures) and a dashboard pane served under /individual/*, rendered in Debian's Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { request } from "node:http";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { LocalCluster } from "../../src/cluster/local.js";
import { Client } from "../../src/client/client.js";
import { random, ones } from "../../src/array/index.js";
import { DisplayRegistry } from "../../src/notebook/display-registry.js";
import { registerTesseraDisplays } from "../../src/notebook/tessera-displays.js";
import { dashboardPane } from "../../src/notebook/pane.js";
import { chunkGridSvg } from "../../src/notebook/displays/chunk-svg.js";
import { launchChromium, type LaunchedBrowser } from "../dashboard/chromium.js";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const screenshots = `${repo}docs/screenshots/`;

let cluster: LocalCluster;
let client: Client;
let browser: LaunchedBrowser;
const displays = registerTesseraDisplays(new DisplayRegistry());

before(async () => {
  if (!existsSync(`${repo}dist/dashboard-assets/app.js`)) {
    const r = spawnSync(process.execPath, [`${repo}scripts/build-dashboard.mjs`], { cwd: repo, stdio: "inherit" });
    assert.equal(r.status, 0, "building the dashboard front-end failed");
  }
  mkdirSync(screenshots, { recursive: true });
  cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, memoryLimit: "1GB", dashboard: { address: "127.0.0.1:0", requireToken: true } });
  client = await Client.connect(cluster);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await client?.close();
  await cluster?.close();
});

function get(url: string): Promise<{ status: number; csp: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, csp: res.headers["content-security-policy"] as string | undefined, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("chunk grid SVG: one line per chunk boundary, a 1-d array is a bar", () => {
  const svg = chunkGridSvg([[5, 5, 5, 5], [3, 3]]);
  assert.equal((svg.match(/<line /g) ?? []).length, 5 + 3);
  assert.match(svg, /<text[^>]*>6<\/text>/);
  assert.match(svg, /<text[^>]*>20<\/text>/);
  const bar = chunkGridSvg([[10, 10, 10]]);
  assert.equal((bar.match(/<line /g) ?? []).length, 2 + 4);
  // Too many chunks to draw one line each: a shaded fill and the outline.
  const many = chunkGridSvg([Array.from({ length: 500 }, () => 2)]);
  assert.ok((many.match(/<line /g) ?? []).length <= 6);
});

test("Client, LocalCluster, array, Future and pane have HTML and the REPL's text", async () => {
  const c = displays.bundle(client);
  assert.match(c["text/html"]!, /Client/);
  assert.match(c["text/html"]!, /Workers<\/th><td[^>]*>2</);
  assert.match(c["text/html"]!, /Cores<\/th><td[^>]*>2</);
  assert.match(c["text/html"]!, /<a href="http:\/\/[^"]+\/status\?token=/);
  assert.match(c["text/plain"]!, /^Client \(running\)/, "text/plain is the REPL view");

  const lc = displays.bundle(cluster);
  assert.match(lc["text/html"]!, /LocalCluster/);
  assert.match(lc["text/html"]!, /Threads per worker<\/th><td[^>]*>1</);

  const a = random.uniform(0, 1, { shape: [1000, 2], chunks: [250, 2], seed: 1 });
  const ab = displays.bundle(a);
  assert.match(ab["text/html"]!, /<svg class="tessera-chunks"/);
  assert.match(ab["text/html"]!, /\(1000, 2\)/);
  assert.match(ab["text/html"]!, /4 chunks/);
  assert.match(ab["text/plain"]!, /tessera\.array</);

  const f = client.submit((x: number) => x + 1, 41);
  assert.equal(await f, 42);
  const fb = displays.bundle(f);
  assert.match(fb["text/html"]!, /finished/);
  assert.match(fb["text/plain"]!, /<Future: finished, type: number, key: /);

  assert.equal(displays.bundle({ _repr_html_: () => "<b>mine</b>" })["text/html"], "<b>mine</b>");
  assert.equal(displays.bundle(3)["text/html"], undefined);
  assert.throws(() => dashboardPane(client, "nope"), /no dashboard pane 'nope'; the panes are: task-stream, progress, memory, workers, jobs/);
});

test("panes follow the token rules, may be framed, and draw their plot in Chromium", async () => {
  const link = client.dashboardLink!;
  const origin = new URL(link).origin;
  const refused = await get(`${origin}/individual/progress`);
  assert.equal(refused.status, 403, "no token, no pane");
  const unknown = await get(`${origin}/individual/nope?token=${new URL(link).searchParams.get("token")}`);
  assert.equal(unknown.status, 404);
  assert.match(unknown.body, /panes: \/individual\/task-stream, /);

  // A computation keeps the progress and the task stream busy while the browser looks.
  const base = ones([4000, 4000], { chunks: [250, 250] });
  const big = base.mul(2).sum();
  assert.match(displays.bundle(big)["text/html"]!, /<svg class="tessera-chunks"/, "a 0-d array has a grid too");
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    // The notebook's page frames the panes (any origin may; the full pages refuse to be framed).
    const panes = ["progress", "task-stream", "memory", "workers"].map((n) => dashboardPane(client, n, { height: 220 }));
    const html = `<html><body style="font-family:sans-serif">${displays.bundle(client)["text/html"]}${displays.bundle(base)["text/html"]}${panes.map((p) => p.html()).join("")}</body></html>`;
    await page.setContent(html);
    const total = big.compute();
    const frames = () => page.frames().filter((fr) => fr.url().includes("/individual/"));
    for (let i = 0; i < 100 && frames().length < 4; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(frames().length, 4);
    const progress = frames().find((fr) => new URL(fr.url()).pathname === "/individual/progress")!;
    await progress.waitForSelector(".progress-row", { timeout: 60_000 });
    assert.equal(Number(await total), 2 * 4000 * 4000);
    const workers = frames().find((fr) => new URL(fr.url()).pathname === "/individual/workers")!;
    await workers.waitForSelector("#workers-table tbody tr[data-address]");
    assert.equal(await workers.locator("#workers-table tbody tr[data-address]").count(), 2);
    assert.equal(await workers.locator(".topbar").count(), 0, "a pane has no navigation bar");
    const stream = frames().find((fr) => new URL(fr.url()).pathname === "/individual/task-stream")!;
    await stream.waitForFunction(() => Number(document.querySelector("canvas.task-stream")?.getAttribute("data-drawn") ?? 0) > 0, null, { timeout: 30_000 });
    // The array's chunk grid is drawn: 16 × 16 chunks → 17 + 17 lines.
    assert.equal(await page.locator("svg.tessera-chunks line").count(), 34);
    const box = await page.locator("svg.tessera-chunks").boundingBox();
    assert.ok(box && box.width > 100 && box.height > 100, "the SVG has a size");
    // Tall enough that every frame is inside the viewport (Chromium paints out-of-view frames blank).
    await page.setViewportSize({ width: 1200, height: 1300 });
    await workers.waitForSelector("#workers-table tbody tr[data-address]");
    await page.screenshot({ path: `${screenshots}notebook-panes.png`, fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
  const full = await get(`${origin}/status?token=${new URL(link).searchParams.get("token")}`);
  assert.ok(full.status === 303 || (full.csp ?? "").includes("frame-ancestors 'none'"));
});
