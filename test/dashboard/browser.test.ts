// The dashboard in a real browser (Debian's Chromium via playwright-core) while a real cluster
// computes a Monte-Carlo π: workers table, task stream, progress, numbers against the scheduler's own,
// token refusal; saves the screenshots in docs/screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { launchChromium, type LaunchedBrowser } from "./chromium.js";
import { startPiCluster, type PiCluster } from "./pi-cluster.js";
import { InMemorySource } from "../../src/dashboard/memory-source.js";
import { startDashboard } from "../../src/dashboard/server.js";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const screenshots = `${repo}docs/screenshots/`;

let browser: LaunchedBrowser;
let cluster: PiCluster;

before(async () => {
  if (!existsSync(`${repo}dist/dashboard-assets/app.js`)) {
    const r = spawnSync(process.execPath, [`${repo}scripts/build-dashboard.mjs`], { cwd: repo, stdio: "inherit" });
    assert.equal(r.status, 0, "building the dashboard front-end failed");
  }
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
  cluster = await startPiCluster({ workers: 2, threadsPerWorker: 2 });
});

after(async () => {
  await browser?.close();
  await cluster?.close();
});

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  return errors;
}

test("a missing or wrong token is refused in the browser", async () => {
  const page = await browser.context.newPage();
  try {
    const origin = new URL(cluster.dashboardUrl).origin;
    const missing = await page.goto(`${origin}/status`);
    assert.equal(missing?.status(), 403);
    assert.match(await page.locator("body").innerText(), /needs its access token/);
    const wrong = await page.goto(`${origin}/workers?token=${"f".repeat(32)}`);
    assert.equal(wrong?.status(), 403);
    assert.equal((await browser.context.cookies(origin)).length, 0, "no cookie");
  } finally {
    await page.close();
  }
});

test("during a π computation the pages show the cluster as the scheduler sees it", async () => {
  const status = await browser.context.newPage();
  const workers = await browser.context.newPage();
  const errors = [...watchErrors(status), ...watchErrors(workers)];
  try {
    const first = await status.goto(cluster.dashboardUrl);
    assert.equal(first?.status(), 200, "the token link opens the dashboard");
    // no cookie (a browser sends a host's cookies to every port): the token stays in the page's links
    assert.equal((await browser.context.cookies(new URL(cluster.dashboardUrl).origin)).length, 0, "no cookie is set");
    assert.match(String(await status.locator('nav a[href^="/workers"]').getAttribute("href")), /^\/workers\?token=[0-9a-f]{32}$/);
    await workers.goto(cluster.dashboardUrl.replace("/status", "/workers"));
    await status.waitForFunction(() => Number(document.body.dataset["updates"] ?? 0) > 0);

    const run = cluster.computePi({ points: 1_200_000_000, chunk: 4_000_000 });
    // While it runs: the task stream draws tasks; the workers table lists exactly the connected workers.
    await status.waitForFunction(() => Number(document.querySelector("canvas.task-stream")?.getAttribute("data-drawn") ?? 0) >= 8, null, { timeout: 60_000 });
    const rows = await workers.locator("#workers-table tbody tr[data-address]").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-address")).sort());
    assert.deepEqual(rows, cluster.workerAddresses().sort());
    // Screenshots mid-computation show the most (for the README; a person looks at them).
    await status.waitForFunction(() => Number(document.querySelector<HTMLElement>('.progress-row[data-prefix="sum-chunk"]')?.dataset["fraction"] ?? 0) >= 0.4, null, { timeout: 60_000 });
    await status.screenshot({ path: `${screenshots}status.png`, fullPage: true });
    await workers.screenshot({ path: `${screenshots}workers.png`, fullPage: true });
    const pi = await run;
    assert.ok(Math.abs(pi - Math.PI) < 0.01, `π ≈ ${pi}`);

    // Progress reaches 100 % for every kind of task.
    await status.waitForFunction(
      () => {
        const rows = Array.from(document.querySelectorAll<HTMLElement>(".progress-row"));
        return rows.length >= 3 && rows.every((r) => r.dataset["fraction"] === "1.0000");
      },
      null,
      { timeout: 30_000 },
    );
    const progress = await status.locator(".progress-row").evaluateAll((rs) => rs.map((r) => [r.getAttribute("data-prefix"), Number(r.getAttribute("data-total"))]));
    assert.deepEqual(Object.fromEntries(progress), cluster.finishedByPrefix());
    assert.match(await status.locator(".progress-row .numbers").first().innerText(), /100 %/);

    // Numbers shown match the scheduler's own, once the cluster is idle.
    const own = cluster.schedulerNumbers();
    await status.waitForFunction((n) => document.querySelector('[data-stat="finished"]')?.textContent === n, own.tasksFinished.toLocaleString("en-US"), { timeout: 10_000 });
    assert.equal(await status.locator('[data-stat="workers"]').innerText(), String(own.workers));
    assert.equal(await status.locator('[data-stat="threads"]').innerText(), String(own.threads));
    const readTable = () =>
      workers.locator("#workers-table tbody tr[data-address]").evaluateAll((trs) =>
        trs.map((tr) => ({
          address: tr.getAttribute("data-address")!,
          threads: Number(tr.querySelector('[data-col="threads"]')!.textContent),
          stored: Number(tr.querySelector('[data-col="stored"]')!.textContent),
          restarts: Number(tr.querySelector('[data-col="restarts"]')!.textContent),
        })),
      );
    const byAddress = (a: { address: string }, b: { address: string }): number => (a.address < b.address ? -1 : 1);
    const schedulerTable = () => cluster.schedulerWorkers().map((w) => ({ address: w.address, threads: w.nthreads, stored: w.stored, restarts: w.restarts })).sort(byAddress);
    // The page refreshes on an interval while the client lets go of the last results: compare once
    // both have settled (a few refreshes at most).
    let table = (await readTable()).sort(byAddress);
    for (let i = 0; i < 40 && JSON.stringify(table) !== JSON.stringify(schedulerTable()); i++) {
      await new Promise((r) => setTimeout(r, 250));
      table = (await readTable()).sort(byAddress);
    }
    assert.deepEqual(table, schedulerTable());
    assert.equal(Number(await workers.locator('tfoot [data-col="threads"]').innerText()), own.threads);

    // A task that raises shows up on the Info page with the worker's stack.
    const failure = await cluster.runFailingTask();
    assert.match(failure.message, /sample size 7 is above 1/);

    // The other pages.
    for (const name of ["jobs", "info"]) {
      await status.goto(cluster.dashboardUrl.replace("/status", `/${name}`));
      await status.waitForFunction(() => Number(document.body.dataset["updates"] ?? 0) > 0);
      if (name === "info") {
        await status.waitForSelector("#scheduler-log .log-table");
        await status.waitForSelector("details.erred");
        await status.locator("details.erred summary").first().click();
        assert.match(await status.locator("details.erred").first().innerText(), /RangeError: sample size 7 is above 1[\s\S]*\n\s*at /);
        assert.match(await status.locator("#scheduler-log").innerText(), /scheduler listening at tcp:\/\/127\.0\.0\.1:\d+/);
        assert.match(await status.locator("#scheduler-log").innerText(), /worker local-0 joined/);
        // LocalCluster's workers write their logs to the terminal, not to the scheduler: the page says so.
        await status.waitForFunction(() => (document.querySelector("#worker-log")?.textContent ?? "").includes("does not collect"));
      }
      if (name === "jobs") assert.match(await status.locator("#no-jobs").innerText(), /runs no batch jobs/);
      await status.screenshot({ path: `${screenshots}${name}.png`, fullPage: true });
    }
    assert.deepEqual(errors, [], "no errors in the pages");
  } finally {
    await status.close();
    await workers.close();
  }
});

test("the Jobs page of a batch cluster: each job, why it waits, walltime left, core-seconds held vs busy", async () => {
  // A LocalCluster has no batch jobs, so this page is rendered from an in-memory source with the
  // JobsSnapshot a SLURMCluster provides (the rendering is what is tested here).
  const src = new InMemorySource("tcp://10.0.0.5:8786");
  for (const [i, job] of [[0, "4711"], [1, "4711"], [2, "4712"], [3, "4712"]] as const) {
    src.upsertWorker({
      name: `SLURMCluster-${job === "4711" ? 0 : 1}-${i % 2}`,
      address: `tcp://10.0.1.${7 + i}:40123`,
      nthreads: 4,
      memoryLimit: 60e9,
      memory: 9e9,
      spilledBytes: 0,
      cpuPercent: 380,
      processing: 5,
      stored: 12,
      lastSeen: Date.now(),
      status: "running",
      jobId: job,
    });
  }
  src.setJobs({
    system: "SLURM",
    jobs: [
      { id: "4711", state: "running", workers: ["SLURMCluster-0-0", "SLURMCluster-0-1"], cores: 8, walltimeLeftS: 3312 },
      { id: "4712", state: "running", workers: ["SLURMCluster-1-0", "SLURMCluster-1-1"], cores: 8, walltimeLeftS: 3540 },
      { id: "4713", state: "pending", reason: "Priority", workers: [], cores: 8 },
      { id: "4714", state: "pending", reason: "QOSMaxJobsPerUserLimit", workers: [], cores: 8 },
    ],
    coreSecondsHeld: 4 * 8 * 600,
    coreSecondsBusy: 11_520,
  });
  const d = await startDashboard({ source: src, address: "127.0.0.1:0", secret: "0123456789abcdef0123456789abcdef" });
  const page = await browser.context.newPage();
  try {
    await page.goto(d.url.replace("/status", "/jobs"));
    await page.waitForSelector("#jobs-table tbody tr[data-job]");
    const rows = await page.locator("#jobs-table tbody tr[data-job]").evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent!.trim())));
    assert.deepEqual(rows, [
      ["4711", "running", "", "8", "55:12", "SLURMCluster-0-0, SLURMCluster-0-1"],
      ["4712", "running", "", "8", "59:00", "SLURMCluster-1-0, SLURMCluster-1-1"],
      ["4713", "pending", "Priority", "8", "–", "none yet"],
      ["4714", "pending", "QOSMaxJobsPerUserLimit", "8", "–", "none yet"],
    ]);
    assert.match(await page.locator("[data-held]").innerText(), /11,520\s+busy of 19,200 core-seconds held \(60 %\)/);
    await page.screenshot({ path: `${screenshots}jobs-batch.png`, fullPage: true });
    await page.goto(d.url.replace("/status", "/workers"));
    await page.waitForSelector("#workers-table tbody tr[data-address]");
    assert.deepEqual(
      await page.locator("#workers-table tbody tr[data-address] td:nth-child(3)").allInnerTexts(),
      ["4711", "4711", "4712", "4712"],
      "the Workers page shows each worker's SLURM job id",
    );
  } finally {
    await page.close();
    await d.close();
  }
});

test("a paused worker and nanny restarts: marked on the Workers page, striped on the Status page", async () => {
  // Pausing needs a worker over its memory threshold: rendered here from an in-memory source with
  // what the scheduler reports for such a worker (the rendering is what is tested here).
  const src = new InMemorySource("tcp://127.0.0.1:8786");
  const base = { nthreads: 4, memoryLimit: 4e9, spilledBytes: 0, cpuPercent: 120, processing: 3, stored: 40, lastSeen: Date.now(), status: "running" };
  src.upsertWorker({ ...base, name: "worker-0", address: "tcp://127.0.0.1:40001", memory: 1.2e9, restarts: 0, paused: false });
  src.upsertWorker({ ...base, name: "worker-1", address: "tcp://127.0.0.1:40002", memory: 3.5e9, spilledBytes: 2.1e9, processing: 0, restarts: 0, paused: true, status: "paused" });
  src.upsertWorker({ ...base, name: "worker-2", address: "tcp://127.0.0.1:40003", memory: 2.6e9, spilledBytes: 3e8, restarts: 2, paused: false });
  const d = await startDashboard({ source: src, address: "127.0.0.1:0", secret: "0123456789abcdef0123456789abcdef" });
  const page = await browser.context.newPage();
  const errors = watchErrors(page);
  try {
    await page.goto(d.url.replace("/status", "/workers"));
    await page.waitForSelector("#workers-table tbody tr[data-address]");
    const rows = await page.locator("#workers-table tbody tr[data-address]").evaluateAll((trs) =>
      trs.map((tr) => ({
        name: tr.getAttribute("data-name"),
        paused: tr.getAttribute("data-paused") === "1",
        marker: tr.querySelector("td:first-child .badge.paused")?.textContent ?? null,
        restarts: Number(tr.querySelector('[data-col="restarts"]')!.textContent),
      })),
    );
    assert.deepEqual(rows, [
      { name: "worker-0", paused: false, marker: null, restarts: 0 },
      { name: "worker-1", paused: true, marker: "paused", restarts: 0 },
      { name: "worker-2", paused: false, marker: null, restarts: 2 },
    ]);
    assert.equal(await page.locator('tfoot [data-col="restarts"]').innerText(), "2");
    assert.match(await page.locator("tfoot").innerText(), /1 paused/);
    const headers = await page.locator("#workers-table thead th").allInnerTexts();
    assert.ok(headers.includes("Restarts"), headers.join());
    await page.screenshot({ path: `${screenshots}workers-paused.png`, fullPage: true });
    await page.goto(d.url);
    await page.waitForSelector('#worker-memory .hbar-row[data-address="tcp://127.0.0.1:40002"] .bar');
    const levels = await page.locator("#worker-memory .hbar-row").evaluateAll((rs) => rs.map((r) => r.querySelector(".bar")!.getAttribute("data-level")));
    assert.deepEqual(levels, ["ok", "paused", "high"]);
    assert.match(await page.locator("#worker-memory").innerText(), /worker-1\s+[\d.]+ GiB, paused/);
    assert.match(await page.locator("#cluster-memory").innerText(), /1 worker paused/);
    await page.screenshot({ path: `${screenshots}status-paused.png`, fullPage: true });
    assert.deepEqual(errors, [], "no errors in the pages");
  } finally {
    await page.close();
    await d.close();
  }
});

test("the Info page escapes log fields: a LogTail level or message with markup is shown as text", async () => {
  const src = new InMemorySource("tcp://127.0.0.1:8786");
  src.log({ time: Date.now(), level: '<img src=x id="injected-level">' as never, msg: '<b id="injected-msg">bold?</b>' });
  const d = await startDashboard({ source: src, address: "127.0.0.1:0", secret: "0123456789abcdef0123456789abcdef" });
  const page = await browser.context.newPage();
  try {
    await page.goto(d.url.replace("/status", "/info"));
    await page.waitForSelector("#scheduler-log .log-table");
    assert.equal(await page.locator("#injected-level, #injected-msg").count(), 0, "no element was injected");
    assert.match(await page.locator("#scheduler-log").innerText(), /<img src=x id="injected-level">[\s\S]*<b id="injected-msg">bold\?<\/b>/i, "shown as text (CSS upper-cases the level column)");
  } finally {
    await page.close();
    await d.close();
  }
});
