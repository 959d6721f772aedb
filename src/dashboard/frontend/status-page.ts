/** The Status page: summary, task stream, progress per task kind, memory and load per worker, time series. */
import type { HistorySample, ProgressRow, Snapshot, SpanWire, WorkerView } from "../api-types.js";
import { TimeSeriesChart } from "./charts.js";
import { MEMORY_COLOURS, RESERVED, memoryLevel, prefixColour } from "./colours.js";
import { byName, escapeHtml, formatBytes, formatCount, formatPercent, formatRate } from "./format.js";
import type { Page } from "./page.js";
import { TaskStream } from "./task-stream.js";

function panel(title: string, hint: string, body: string, cls = ""): string {
  return `<section class="panel ${cls}"><h2>${title}</h2><p class="hint">${hint}</p>${body}</section>`;
}

export class StatusPage implements Page {
  #root: HTMLElement;
  #stream: TaskStream;
  #memChart: TimeSeriesChart;
  #rateChart: TimeSeriesChart;

  constructor(root: HTMLElement) {
    this.#root = root;
    root.innerHTML = `
<div id="summary" class="summary"></div>
<div class="status-grid">
  <div class="col-wide">
    ${panel(
      "Task stream",
      "Each row is one worker thread; each rectangle one task, coloured by its kind (same colours as Progress); the newest at the right. " +
        `<span class="swatch" style="background:${RESERVED.transfer}"></span>red = data transfer, ` +
        `<span class="swatch" style="background:${RESERVED["disk-write"]}"></span>orange = spill to disk, ` +
        `<span class="swatch" style="background:${RESERVED.erred}"></span>black = error, white = idle.`,
      `<div id="task-stream-box" class="stream-box"></div>`,
    )}
    ${panel(
      "Progress",
      "One bar per kind of task. Solid = finished (faded once its result is released), striped = running now, " +
        "grey = waiting, black = erred. The number is finished / total.",
      `<div id="progress" class="progress-list"></div>`,
    )}
    <div class="two-charts">
      ${panel("Cluster memory over time", "Memory of all worker processes together.", `<div id="mem-chart"></div>`)}
      ${panel("Tasks finished per second", "Throughput of the whole cluster.", `<div id="rate-chart"></div>`)}
    </div>
  </div>
  <div class="col-narrow">
    ${panel("Cluster memory", "All workers' memory against their limits.", `<div id="cluster-memory"></div>`)}
    ${panel(
      "Memory per worker",
      `Process memory against the worker's limit. <span class="swatch" style="background:${MEMORY_COLOURS.ok}"></span>fine, ` +
        `<span class="swatch" style="background:${MEMORY_COLOURS.high}"></span>above the spill target, ` +
        `<span class="swatch" style="background:${MEMORY_COLOURS.critical}"></span>near the limit, ` +
        `<span class="swatch" style="background:${MEMORY_COLOURS.paused}"></span>paused (starts no tasks).`,
      `<div id="worker-memory" class="hbars"></div>`,
    )}
    ${panel(
      "Tasks processing per worker",
      "Tasks assigned to each worker and not finished; the line marks its thread count.",
      `<div id="worker-processing" class="hbars"></div>`,
    )}
  </div>
</div>`;
    this.#stream = new TaskStream(root.querySelector<HTMLElement>("#task-stream-box")!);
    this.#memChart = new TimeSeriesChart(root.querySelector<HTMLElement>("#mem-chart")!, "memory", "#4e79a7", "bytes", (s) => s.memory);
    this.#rateChart = new TimeSeriesChart(root.querySelector<HTMLElement>("#rate-chart")!, "tasks/s", "#59a14f", "rate", (s) => s.tasksPerS);
  }

  render(snap: Snapshot, spans: readonly SpanWire[], history: readonly HistorySample[]): void {
    const q = <T extends HTMLElement>(sel: string): T => this.#root.querySelector<T>(sel)!;
    const c = snap.taskCounts;
    const rate = history.length > 0 ? history[history.length - 1]!.tasksPerS : 0;
    const waiting = (c.waiting ?? 0) + (c.queued ?? 0) + (c["no-worker"] ?? 0);
    q("#summary").innerHTML = [
      ["Workers", formatCount(snap.totals.workers), "worker processes connected"],
      ["Threads", formatCount(snap.totals.threads), "tasks that can run at once"],
      ["Running", formatCount(c.processing ?? 0), "tasks processing now"],
      ["Waiting", formatCount(waiting), "tasks not yet started"],
      ["In memory", formatCount(c.memory ?? 0), "results held by workers"],
      ["Erred", formatCount(c.erred ?? 0), "tasks that raised (see Info)"],
      ["Finished", formatCount(snap.tasksFinished), "tasks since the dashboard started"],
      ["Throughput", formatRate(rate), "tasks finished per second"],
      ["Memory", `${formatBytes(snap.totals.memory)}`, `of ${formatBytes(snap.totals.memoryLimit)} limit`],
    ]
      .map(
        ([label, value, hint]) =>
          `<div class="stat${label === "Erred" && (c.erred ?? 0) > 0 ? " bad" : ""}" title="${hint}"><div class="value" data-stat="${label!.toLowerCase().replace(/ /g, "-")}">${value}</div><div class="label">${label}</div></div>`,
      )
      .join("");
    this.#stream.update(spans, snap.workers, snap.time);
    q("#progress").innerHTML = snap.progress.length ? snap.progress.map(progressRow).join("") : `<p class="empty">No tasks yet. Submit some work and it appears here.</p>`;
    q("#cluster-memory").innerHTML = clusterMemory(snap);
    q("#worker-memory").innerHTML = workerBars(snap.workers, (w) => memoryBar(w, snap));
    q("#worker-processing").innerHTML = workerBars(snap.workers, processingBar(snap.workers));
    this.#memChart.setData(history);
    this.#rateChart.setData(history);
  }
}

export function progressRow(p: ProgressRow): string {
  const colour = prefixColour(p.prefix);
  const pct = (n: number): string => `${p.total > 0 ? (100 * n) / p.total : 0}%`;
  const finished = p.done + p.memory;
  return `<div class="progress-row" data-prefix="${escapeHtml(p.prefix)}" data-fraction="${p.fraction.toFixed(4)}" data-total="${p.total}">
  <div class="progress-label"><span class="prefix" title="${escapeHtml(p.prefix)}">${escapeHtml(p.prefix)}</span>
  <span class="numbers">${formatCount(finished)} / ${formatCount(p.total)}${p.erred ? ` · <b class="bad">${formatCount(p.erred)} erred</b>` : ""} · ${formatPercent(p.fraction)}</span></div>
  <div class="bar" title="waiting ${p.waiting}, running ${p.processing}, in memory ${p.memory}, done and released ${p.done}, erred ${p.erred}">
    <span style="width:${pct(p.done)};background:${colour};opacity:.55"></span><span style="width:${pct(p.memory)};background:${colour}"></span><span style="width:${pct(p.erred)};background:${RESERVED.erred}"></span><span class="running" style="width:${pct(p.processing)};--c:${colour}"></span>
  </div></div>`;
}

function pausedHint(snap: Snapshot): string {
  const n = snap.totals.paused;
  return n > 0 ? ` · <span class="paused-count">${formatCount(n)} ${n === 1 ? "worker" : "workers"} paused</span>` : "";
}

export function clusterMemory(snap: Snapshot): string {
  const { memory, memoryLimit, spilledBytes } = snap.totals;
  const f = memoryLimit > 0 ? memory / memoryLimit : 0;
  const level = memoryLevel(memory, memoryLimit, snap.thresholds, "running");
  if (memoryLimit <= 0) {
    return `<div class="big-number">${formatBytes(memory)} <small>no memory limit set</small></div>
<div class="hint">${formatBytes(spilledBytes)} spilled to disk · ${formatCount(snap.totals.stored)} results stored${pausedHint(snap)}</div>`;
  }
  return `<div class="big-number">${formatBytes(memory)} <small>of ${formatBytes(memoryLimit)} (${formatPercent(f)})</small></div>
<div class="bar big"><span style="width:${Math.min(100, f * 100)}%;background:${MEMORY_COLOURS[level]}"></span></div>
<div class="hint">${formatBytes(spilledBytes)} spilled to disk · ${formatCount(snap.totals.stored)} results stored${pausedHint(snap)}</div>`;
}

export function workerBars(workers: readonly WorkerView[], bar: (w: WorkerView) => string): string {
  if (workers.length === 0) return `<p class="empty">No workers connected.</p>`;
  const sorted = [...workers].sort(byName);
  return sorted
    .map((w) => `<div class="hbar-row" data-address="${escapeHtml(w.address)}"><span class="name" title="${escapeHtml(w.address)}">${escapeHtml(w.name)}</span>${bar(w)}</div>`)
    .join("");
}

export function memoryBar(w: WorkerView, snap: Snapshot): string {
  const limit = w.memoryLimit > 0 ? w.memoryLimit : Math.max(1, ...snap.workers.map((x) => x.memory));
  const f = Math.min(1, w.memory / limit);
  const level = memoryLevel(w.memory, w.memoryLimit, snap.thresholds, w.status, w.paused);
  const limitText = w.memoryLimit > 0 ? `${formatBytes(w.memory)} / ${formatBytes(w.memoryLimit)}` : `${formatBytes(w.memory)}, no limit`;
  // paused: the word replaces the limit (the bar already shows the fraction; the row has no room for both)
  const text = level === "paused" ? `${formatBytes(w.memory)}, paused` : limitText;
  return `<span class="bar" title="${level === "paused" ? `${limitText}, paused` : limitText}" data-level="${level}"><span style="width:${f * 100}%;background:${MEMORY_COLOURS[level]}"></span></span><span class="num">${text}</span>`;
}

function processingBar(workers: readonly WorkerView[]): (w: WorkerView) => string {
  const max = Math.max(1, ...workers.map((w) => Math.max(w.processing, w.nthreads)));
  return (w) =>
    `<span class="bar"><span style="width:${(100 * w.processing) / max}%;background:#59a14f"></span><i class="mark" style="left:${(100 * w.nthreads) / max}%"></i></span><span class="num">${w.processing}</span>`;
}
