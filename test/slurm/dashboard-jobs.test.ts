// The dashboard's Jobs page against a real SLURM, in a real browser (Debian's Chromium via
// playwright-core): 5 jobs of 2 cores on the 8-CPU node, so 4 run and 1 waits; the page lists exactly
// the cluster's jobs with squeue's states and pending reason, each running job's workers, and the
// core-seconds figures; it follows a scale-down by itself; close leaves no job behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { SLURMCluster } from "../../src/cluster/slurm/cluster.js";
import { Client } from "../../src/client/client.js";
import { random } from "../../src/array/index.js";
import { createLogger } from "../../src/util/log.js";
import { launchChromium } from "../dashboard/chromium.js";
import { liveJobs, lockSlurmTests, requireSlurm, SMALL, squeueStates, tempLogDir, waitFor } from "./helpers.js";

// One SLURM test file at a time (see helpers.ts).
await lockSlurmTests();

const log = createLogger("test", { level: "silent" });
const repo = fileURLToPath(new URL("../../../", import.meta.url));
const screenshots = `${repo}docs/screenshots/`;

interface Row {
  id: string;
  state: string;
  reason: string;
  cores: number;
  walltime: string;
  workers: string;
}

async function pageRows(page: Page): Promise<Row[]> {
  return page.locator("#jobs-table tbody tr[data-job]").evaluateAll((trs) =>
    trs.map((tr) => {
      const td = Array.from(tr.querySelectorAll("td")).map((c) => c.textContent!.trim());
      return { id: tr.getAttribute("data-job")!, state: td[1]!, reason: td[2]!, cores: Number(td[3]), walltime: td[4]!, workers: td[5]! };
    }),
  );
}

/** squeue's view of these ids as the page spells it: "running" / "pending Resources". */
function squeueView(ids: readonly string[]): Map<string, { state: string; reason: string }> {
  const out = new Map<string, { state: string; reason: string }>();
  for (const [id, s] of squeueStates(ids)) {
    const [state, reason] = s.split(" ");
    out.set(id, { state: state!.toLowerCase(), reason: state === "PENDING" ? (reason ?? "") : "" });
  }
  return out;
}

/** The page's rows agree with squeue on ids, states and pending reasons. */
function agrees(rows: readonly Row[], ids: readonly string[]): boolean {
  const sq = squeueView(ids);
  const live = [...sq].filter(([, v]) => v.state === "running" || v.state === "pending");
  if (rows.length !== live.length) return false;
  return rows.every((r) => {
    const v = sq.get(r.id);
    return v !== undefined && v.state === r.state && v.reason === r.reason;
  });
}

test("Jobs page on a real SLURM: ids, states, pending reason, workers, core-seconds; live scale-down; close", async () => {
  requireSlurm();
  if (!existsSync(`${repo}dist/dashboard-assets/app.js`)) {
    const r = spawnSync(process.execPath, [`${repo}scripts/build-dashboard.mjs`], { cwd: repo, stdio: "inherit" });
    assert.equal(r.status, 0, "building the dashboard front-end failed");
  }
  mkdirSync(screenshots, { recursive: true });
  const browser = await launchChromium();
  // One worker process per 2-core job keeps the 2-core test machine responsive.
  const c = await SLURMCluster.create({ ...SMALL, cores: 2, processes: 1, memory: "400MB", logDirectory: tempLogDir(), log });
  const seen = new Set<string>();
  try {
    assert.ok(c.dashboardLink, "a SLURMCluster starts its dashboard");
    await c.scale({ jobs: 5 });
    const ids = c.jobs.map((j) => j.jobId!);
    ids.forEach((id) => seen.add(id));
    assert.equal(ids.length, 5);
    // 5 × 2 cores on an 8-CPU node: 4 run, 1 waits.
    await waitFor(
      "4 RUNNING and 1 PENDING in squeue",
      () => {
        const states = [...squeueStates(ids).values()];
        return states.filter((s) => s === "RUNNING").length === 4 && states.filter((s) => s.startsWith("PENDING")).length === 1;
      },
      30_000,
    );
    await c.waitForWorkers(4, 60_000);

    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
    let navigations = 0;
    page.on("framenavigated", (f) => f === page.mainFrame() && navigations++);
    try {
      const res = await page.goto(c.dashboardLink.replace(/\/status(?=\?|$)/, "/jobs"));
      assert.equal(res?.status(), 200, "the dashboard link (with its token) opens the Jobs page");
      await page.waitForSelector("#jobs-table tbody tr[data-job]");
      // The cluster polls squeue every 0.25 s; wait for the page to catch up with squeue.
      let rows: Row[] = [];
      await waitFor(
        "the Jobs page to agree with squeue",
        async () => {
          rows = await pageRows(page);
          // (Right after submission SLURM may list a pending job with no reason yet.)
          return (
            agrees(rows, ids) &&
            rows.filter((r) => r.state === "running").every((r) => r.workers !== "none yet") &&
            rows.filter((r) => r.state === "pending").every((r) => r.reason !== "")
          );
        },
        20_000,
        250,
      );

      // Exactly the cluster's job ids, as squeue lists them.
      const squeueIds = spawnSync("squeue", ["-h", "-o", "%i", "-j", ids.join(",")], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
      assert.deepEqual(rows.map((r) => r.id).sort(), squeueIds.sort());
      assert.deepEqual(rows.map((r) => r.id).sort(), [...ids].sort());
      const running = rows.filter((r) => r.state === "running");
      const pending = rows.filter((r) => r.state === "pending");
      assert.equal(running.length, 4);
      assert.equal(pending.length, 1);
      for (const p of pending) {
        assert.match(p.reason, /^(Resources|Priority)$/, `job ${p.id} says why it waits`);
        assert.equal(p.workers, "none yet");
        assert.equal(p.walltime, "–", `pending job ${p.id} has no walltime running down yet`);
      }
      for (const r of running) assert.match(r.walltime, /^[45]:\d\d$/, `running job ${r.id} has most of its 5 minutes left`);
      assert.ok(rows.every((r) => r.cores === 2));

      // Each running job's workers: the scheduler's worker names, grouped as the cluster groups them.
      const schedulerNames = new Set(c.workers.map((w) => w.name));
      for (const r of running) {
        const names = r.workers.split(", ");
        assert.equal(names.length, 1, `job ${r.id} runs 1 worker`);
        for (const n of names) assert.ok(schedulerNames.has(n), `${n} (job ${r.id}) is a worker the scheduler knows`);
        assert.deepEqual(names, c.jobs.find((j) => j.jobId === r.id)!.workers);
      }
      const shownWorkers = running.flatMap((r) => r.workers.split(", ")).sort();
      assert.deepEqual(shownWorkers, [...schedulerNames].sort());

      // Core-seconds held and busy: present, numeric; held grows while jobs run, busy once tasks run.
      const held = page.locator("[data-held]");
      const client = await Client.connect(c, { log });
      try {
        const total = Number(await random.uniform(0, 1, { shape: [40_000_000], chunks: [5_000_000], seed: 1 }).sum().compute());
        assert.ok(Math.abs(total - 20_000_000) < 20_000, `sum of 40M uniforms ≈ 20M: ${total}`);
      } finally {
        await client.close();
      }
      await page.waitForFunction(() => Number(document.querySelector("[data-held]")?.getAttribute("data-busy")) > 0, null, { timeout: 10_000 });
      assert.match(await held.innerText(), /^[\d,.]+\s+busy of [\d,.]+ core-seconds held \(\d+ %\)$/);
      const heldBefore = Number(await held.getAttribute("data-held"));
      assert.ok(Number.isFinite(Number(await held.getAttribute("data-busy"))));
      await page.waitForFunction((h) => Number(document.querySelector("[data-held]")?.getAttribute("data-held")) > h, heldBefore, { timeout: 10_000 });
      assert.match(await page.locator("#jobs-table").locator("xpath=..").locator("p.hint").innerText(), /4 running · 1 pending/);
      await page.screenshot({ path: `${screenshots}jobs-slurm.png`, fullPage: true });

      // Scale down to 1 job: the page follows by itself (no reload).
      const updatesBefore = Number(await page.evaluate(() => document.body.dataset["updates"] ?? 0));
      const navigationsBefore = navigations;
      await c.scale({ jobs: 1 });
      await waitFor("1 job left in squeue", () => liveJobs([...seen]).length === 1, 30_000);
      c.jobs.forEach((j) => j.jobId && seen.add(j.jobId));
      const [left] = liveJobs([...seen]);
      await waitFor(
        "the Jobs page to show only the job left",
        async () => {
          rows = await pageRows(page);
          return rows.length === 1 && rows[0]!.id === left && agrees(rows, [...seen]);
        },
        20_000,
        250,
      );
      assert.equal(navigations, navigationsBefore, "the page was not reloaded");
      assert.ok(Number(await page.evaluate(() => document.body.dataset["updates"] ?? 0)) > updatesBefore, "live updates arrived");
      assert.equal(rows[0]!.state, "running");
      assert.match(await page.locator("#jobs-table").locator("xpath=..").locator("p.hint").innerText(), /^1 running\./);
      assert.deepEqual(errors, [], "no errors in the page");
    } finally {
      await page.close();
    }
  } finally {
    c.jobs.forEach((j) => j.jobId && seen.add(j.jobId));
    await c.close();
    await browser.close();
  }
  assert.deepEqual(liveJobs([...seen]), []);
});
