/**
 * performanceReport: one self-contained HTML file (no scripts, no external resources) of what ran
 * during a block of code: the task stream (a bar per task, a row per worker, coloured by task kind),
 * and time per task kind and per worker. Like Dask's performance_report, smaller.
 */
import type { TaskStreamEntry } from "../protocol/messages.js";

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderPerformanceReport(tasks: readonly TaskStreamEntry[], span: { start: number; stop: number }, title = "Tessera performance report"): string {
  const t0 = span.start;
  const total = Math.max(1, span.stop - span.start);
  const workers = [...new Set(tasks.map((t) => t.worker))].sort();
  const prefixes = [...new Set(tasks.map((t) => t.prefix))].sort();
  const colour = new Map(prefixes.map((p, i) => [p, PALETTE[i % PALETTE.length]!]));
  const width = 1000;
  const rowH = 18;
  const height = Math.max(1, workers.length) * rowH + 20;
  const rects = tasks
    .map((t) => {
      const x = ((t.start - t0) / total) * width;
      const w = Math.max(0.5, ((t.stop - t.start) / total) * width);
      const y = workers.indexOf(t.worker) * rowH;
      const fill = t.status === "erred" ? "#000" : colour.get(t.prefix)!;
      return `<rect x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${rowH - 2}" fill="${fill}"><title>${esc(t.key)} on ${esc(t.worker)}: ${(t.stop - t.start).toFixed(1)} ms</title></rect>`;
    })
    .join("");
  const byPrefix = prefixes.map((p) => {
    const ts = tasks.filter((t) => t.prefix === p);
    const secs = ts.reduce((s, t) => s + (t.stop - t.start) / 1000, 0);
    return `<tr><td><span style="color:${colour.get(p)}">■</span> ${esc(p)}</td><td>${ts.length}</td><td>${secs.toFixed(3)}</td><td>${((secs / ts.length) * 1000).toFixed(2)}</td><td>${ts.filter((t) => t.status === "erred").length}</td></tr>`;
  });
  const byWorker = workers.map((w) => {
    const ts = tasks.filter((t) => t.worker === w);
    return `<tr><td>${esc(w)}</td><td>${ts.length}</td><td>${ts.reduce((s, t) => s + (t.stop - t.start) / 1000, 0).toFixed(3)}</td></tr>`;
  });
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}</style>
</head><body>
<h1>${esc(title)}</h1>
<p>${new Date(span.start).toISOString()} · duration ${(total / 1000).toFixed(3)} s · ${tasks.length} tasks on ${workers.length} workers</p>
<h2>Task stream</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" id="task-stream">${rects}<text x="0" y="${height - 4}" font-size="11">0 s</text><text x="${width}" y="${height - 4}" font-size="11" text-anchor="end">${(total / 1000).toFixed(3)} s</text></svg>
<p>Rows: ${workers.map(esc).join(", ")}</p>
<h2>Time per task kind</h2>
<table id="per-kind"><tr><th>kind</th><th>tasks</th><th>seconds</th><th>mean ms</th><th>failed</th></tr>${byPrefix.join("")}</table>
<h2>Time per worker</h2>
<table id="per-worker"><tr><th>worker</th><th>tasks</th><th>seconds</th></tr>${byWorker.join("")}</table>
</body></html>
`;
}
