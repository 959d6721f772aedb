/** The Workers page: one row per worker process, and a total row. */
import { isPaused, type Snapshot, type WorkerView } from "../api-types.js";
import { MEMORY_COLOURS, memoryLevel } from "./colours.js";
import { byName, escapeHtml, formatAgo, formatBytes, formatCount, formatPercent } from "./format.js";
import type { Page } from "./page.js";

const COLUMNS: [string, string][] = [
  ["Name", "the worker's name"],
  ["Address", "where the scheduler reaches it"],
  ["Job", "batch (SLURM) job running it"],
  ["Threads", "tasks it can run at once"],
  ["CPU", "CPU use of the process; 100 % = one core"],
  ["Memory", "process memory / memory limit"],
  ["Spilled", "results written to disk to free memory"],
  ["Processing", "tasks assigned and not finished"],
  ["Stored", "task results it holds"],
  ["Last heartbeat", "when the scheduler last heard from it"],
  ["Restarts", "times its nanny restarted it (after a crash or going over the memory limit)"],
  ["Status", ""],
];

export class WorkersPage implements Page {
  #root: HTMLElement;
  constructor(root: HTMLElement) {
    this.#root = root;
    root.innerHTML = `<section class="panel"><h2>Workers</h2>
<p class="hint">Every worker process connected to the scheduler. Hover a column title for what it means.</p>
<table class="grid" id="workers-table"><thead><tr>${COLUMNS.map(([c, h]) => `<th title="${h}">${c}</th>`).join("")}</tr></thead>
<tbody></tbody><tfoot></tfoot></table></section>`;
  }

  render(snap: Snapshot): void {
    const table = this.#root.querySelector<HTMLTableElement>("#workers-table")!;
    const sorted = [...snap.workers].sort(byName);
    table.tBodies[0]!.innerHTML = sorted.length
      ? sorted.map((w) => row(w, snap)).join("")
      : `<tr><td colspan="${COLUMNS.length}" class="empty">No workers connected yet.</td></tr>`;
    const t = snap.totals;
    const f = t.memoryLimit > 0 ? t.memory / t.memoryLimit : 0;
    table.tFoot!.innerHTML = `<tr class="total" data-total="1"><td>Total</td><td>${formatCount(t.workers)} workers</td><td></td>
<td class="n" data-col="threads">${formatCount(t.threads)}</td><td class="n">${snap.workers.some((w) => w.cpuPercent !== undefined) ? `${Math.round(t.cpuPercent)} %` : "–"}</td>
<td>${memoryCell(t.memory, t.memoryLimit, MEMORY_COLOURS[memoryLevel(t.memory, t.memoryLimit, snap.thresholds, "running")], f)}</td>
<td class="n">${formatBytes(t.spilledBytes)}</td><td class="n" data-col="processing">${formatCount(t.processing)}</td>
<td class="n" data-col="stored">${formatCount(t.stored)}</td><td></td><td class="n" data-col="restarts">${formatCount(t.restarts)}</td>
<td>${t.paused > 0 ? `<span class="badge paused">${formatCount(t.paused)} paused</span>` : ""}</td></tr>`;
  }
}

function memoryCell(used: number, limit: number, colour: string, f: number): string {
  return `<div class="mem-cell"><span class="bar"><span style="width:${Math.min(100, f * 100)}%;background:${colour}"></span></span>
<span class="num">${formatBytes(used)}${limit > 0 ? ` / ${formatBytes(limit)} (${formatPercent(f)})` : " (no limit)"}</span></div>`;
}

function row(w: WorkerView, snap: Snapshot): string {
  const f = w.memoryLimit > 0 ? w.memory / w.memoryLimit : 0;
  const colour = MEMORY_COLOURS[memoryLevel(w.memory, w.memoryLimit, snap.thresholds, w.status, w.paused)];
  const paused = isPaused(w);
  const restarts = w.restarts ?? 0;
  return `<tr data-address="${escapeHtml(w.address)}" data-name="${escapeHtml(w.name)}"${paused ? ` class="paused" data-paused="1"` : ""}>
<td>${escapeHtml(w.name)}${paused ? ` <span class="badge paused" title="memory above the pause threshold: starts no new tasks until it falls">paused</span>` : ""}</td><td class="mono">${escapeHtml(w.address)}</td><td class="mono">${escapeHtml(w.jobId ?? "–")}</td>
<td class="n" data-col="threads">${w.nthreads}</td><td class="n">${w.cpuPercent === undefined ? `<span class="muted" title="this worker does not report its CPU use">–</span>` : `${Math.round(w.cpuPercent)} %`}</td>
<td>${memoryCell(w.memory, w.memoryLimit, colour, f)}</td><td class="n">${formatBytes(w.spilledBytes)}</td>
<td class="n" data-col="processing">${w.processing}</td><td class="n" data-col="stored">${w.stored}</td>
<td class="n">${formatAgo(snap.time - w.lastSeen)}</td>
<td class="n${restarts > 0 ? " warn" : ""}" data-col="restarts">${formatCount(restarts)}</td><td><span class="badge ${escapeHtml(w.status)}">${escapeHtml(w.status)}</span></td></tr>`;
}
