// examples/tutorial.ipynb executed headlessly (Debian's nbconvert + nbclient) against the real SLURM
// with Tessera's kernel; its outputs checked, and its HTML displays rendered in Debian's Chromium.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchChromium } from "../dashboard/chromium.js";
import { liveJobs, lockSlurmTests, requireSlurm, waitFor } from "../slurm/helpers.js";
import { PYTHON, installKernel, repo, requireJupyter } from "./jupyter.js";

await lockSlurmTests();

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
}
interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
}

const join2 = (s: string | string[] | undefined): string => (Array.isArray(s) ? s.join("") : (s ?? ""));
const src = (c: Cell) => join2(c.source);
const stream = (c: Cell) => (c.outputs ?? []).filter((o) => o.output_type === "stream").map((o) => join2(o.text)).join("");
const result = (c: Cell, mime: string) => join2((c.outputs ?? []).find((o) => o.output_type === "execute_result")?.data?.[mime]);
const jobIds = (html: string) => [...html.matchAll(/<tr><td[^>]*>(\d+)<\/td>/g)].map((m) => m[1]!);

test("examples/tutorial.ipynb runs on SLURM: job script, 0 then 4 workers, π, jobs table, chunk SVG, no job left", async () => {
  requireJupyter();
  requireSlurm();
  const { env } = installKernel();
  const dir = mkdtempSync(join(tmpdir(), "tessera-tutorial-nb-"));
  copyFileSync(join(repo, "examples/tutorial.ipynb"), join(dir, "tutorial.ipynb"));
  const t0 = Date.now();
  const child = spawn(
    PYTHON,
    ["-m", "nbconvert", "--to", "notebook", "--execute", "tutorial.ipynb", "--output", "executed.ipynb", "--ExecutePreprocessor.kernel_name=tessera", "--ExecutePreprocessor.timeout=240"],
    { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  assert.equal(code, 0, `nbconvert --execute failed:\n${err.slice(-4000)}`);
  const seconds = (Date.now() - t0) / 1000;
  const nb = JSON.parse(readFileSync(join(dir, "executed.ipynb"), "utf8")) as { cells: Cell[] };
  const cells = nb.cells.filter((c) => c.cell_type === "code");
  for (const c of cells) assert.ok(!(c.outputs ?? []).some((o) => o.output_type === "error"), `a cell failed: ${src(c)}\n${JSON.stringify(c.outputs)}`);
  const find = (needle: string) => cells.find((c) => src(c).includes(needle)) ?? assert.fail(`no cell with '${needle}'`);

  // The job script, as dask-jobqueue prints it.
  const script = stream(find("jobScript()"));
  assert.match(script, /^#SBATCH -p short$/m);
  assert.match(script, /^#SBATCH --mem=4G$/m);
  assert.match(script, /^#SBATCH -t 00:10:00$/m);
  assert.match(script, /--nworkers 2 /);

  // 0 workers, then 4 (2 jobs × 2 processes): text (the REPL view) and HTML.
  const connect = find("Client.connect(cluster)");
  assert.match(result(connect, "text/plain"), /Workers: 0 · Cores: 0/);
  assert.match(result(connect, "text/html"), /Workers<\/th><td[^>]*>0</);
  const scaled = find("scale({ jobs: 2 })");
  assert.match(result(scaled, "text/plain"), /Workers: 4 · Cores: 4/);
  assert.match(result(scaled, "text/html"), /Workers<\/th><td[^>]*>4</);

  // The cluster: a jobs table with both jobs running.
  const clusterHtml = result(cells.find((c) => src(c).trim() === "cluster")!, "text/html");
  assert.match(clusterHtml, /<table[^>]*class="tessera-jobs"/);
  const first = jobIds(clusterHtml);
  assert.equal(first.length, 2);
  assert.equal((clusterHtml.match(/<td[^>]*>RUNNING<\/td>/g) ?? []).length, 2);

  // The lazy array's chunk grid.
  const arrayHtml = result(find("points(1e9)"), "text/html");
  assert.match(arrayHtml, /<svg class="tessera-chunks"/);
  assert.match(arrayHtml, /\(62500000, 2\)/);
  assert.match(arrayHtml, /10 chunks/);

  // The π table: 1 and 10 GB, each within 5 standard errors of π; live progress ended at 100 %.
  const piCell = find("monteCarloPi(gb * 1e9)");
  const rows = [...stream(piCell).matchAll(/^(\d+) GB: π ≈ ([\d.]+) /gm)].map((m) => ({ gb: Number(m[1]), pi: Number(m[2]) }));
  assert.deepEqual(rows.map((r) => r.gb), [1, 10]);
  for (const r of rows) {
    const n = (r.gb * 1e9) / 16;
    const sigma = Math.sqrt((Math.PI * (4 - Math.PI)) / n);
    assert.ok(Math.abs(r.pi - Math.PI) < 5 * sigma + 1e-6, `${r.gb} GB: π ≈ ${r.pi}, error ${Math.abs(r.pi - Math.PI)} > 5σ = ${5 * sigma}`);
  }
  const progress = (piCell.outputs ?? []).filter((o) => o.output_type === "display_data").map((o) => join2(o.data?.["text/html"]));
  assert.equal(progress.length, 2, "one progress display per computation");
  for (const p of progress) {
    const m = /data-done="(\d+)" data-total="(\d+)" data-unit="tasks"/.exec(p) ?? assert.fail(`no task progress in ${p}`);
    assert.equal(m[1], m[2], "the display was updated in place to the end");
    assert.ok(Number(m[2]) >= 12, "it counts every task of the graph, not only the result");
  }

  // Twice the cluster: 4 jobs listed (those beyond the free CPUs wait PENDING with a reason).
  const doubled = result(find("scale({ jobs: 4 })"), "text/html");
  const all = jobIds(doubled);
  assert.equal(all.length, 4);
  for (const m of doubled.matchAll(/<td[^>]*>PENDING<\/td><td[^>]*>([^<]*)<\/td>/g)) assert.notEqual(m[1], "", "a pending job shows its reason");
  assert.match(result(find("adapt("), "text/plain"), /^3\.14/);
  assert.match(result(find('"task-stream"'), "text/html"), /<iframe class="tessera-pane" src="http:\/\/[^"]+\/individual\/task-stream/);
  assert.match(result(find('"jobs"'), "text/html"), /\/individual\/jobs/);

  // Closed: no job of the notebook is left in the queue.
  const closed = result(find("cluster.close()"), "text/plain");
  assert.match(closed, /Jobs: 0 \(wanted 0\)/);
  await waitFor("the notebook's jobs to leave squeue", () => liveJobs([...new Set([...first, ...all])]).length === 0, 15_000);

  // The HTML displays in a browser: the jobs table, the chunk grid, the progress bars.
  const html = cells
    .flatMap((c) => (c.outputs ?? []).map((o) => join2(o.data?.["text/html"])))
    .filter((h) => h !== "" && !h.includes("tessera-pane"))
    .join("\n");
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 900, height: 800 });
    await page.setContent(`<!doctype html><html><body style="margin:12px">${html}</body></html>`);
    assert.equal(await page.locator("table.tessera-jobs").count(), 2);
    assert.equal(await page.locator("table.tessera-jobs").nth(1).locator("tbody tr").count(), 4);
    const svg = page.locator("svg.tessera-chunks").first();
    const box = await svg.boundingBox();
    assert.ok(box && box.width > 50 && box.height > 20, `the chunk grid is drawn (${JSON.stringify(box)})`);
    assert.equal(await svg.locator("line").count(), 2 + 11, "10 chunks → 11 column lines, 2 row lines");
    const bar = await page.locator(".tessera-progress > div > div").first().boundingBox();
    const track = await page.locator(".tessera-progress > div").first().boundingBox();
    assert.ok(bar && track && Math.abs(bar.width - track.width) < 1, "a finished progress bar is full");
    mkdirSync(join(repo, "docs/screenshots"), { recursive: true });
    await page.screenshot({ path: join(repo, "docs/screenshots/notebook-tutorial.png"), fullPage: true });
  } finally {
    await browser.close();
  }
  console.log(`# tutorial notebook executed in ${seconds.toFixed(1)} s`);
});
