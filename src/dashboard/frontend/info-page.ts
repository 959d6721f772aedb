/** The Info page: the scheduler's log, one worker's log tail, and tasks that raised with their remote stack. */
import { apiUrl } from "./api-url.js";
import type { ErredTask, InfoPayload, LogEntry, Snapshot } from "../api-types.js";
import { byName, escapeHtml, formatTime } from "./format.js";
import type { Page } from "./page.js";

export class InfoPage implements Page {
  #root: HTMLElement;
  #lastInfo = "";
  #workersKey = "";
  #timer: number | undefined;
  /** Worker address → name, to say where a task raised in words. */
  #names = new Map<string, string>();

  constructor(root: HTMLElement) {
    this.#root = root;
    root.innerHTML = `
<section class="panel"><h2>Errored tasks</h2><p class="hint">Tasks that raised, newest first. Open one for the stack trace from the worker.</p>
<div id="erred"><p class="empty">Loading…</p></div></section>
<section class="panel"><h2>Scheduler log</h2><p class="hint">The scheduler's recent log lines, newest last.</p>
<div id="scheduler-log" class="log"></div></section>
<section class="panel"><h2>Worker log</h2><p class="hint">The last lines a worker logged. Pick a worker:</p>
<div class="row"><select id="worker-select"></select> <button id="worker-log-refresh" type="button">Show log</button></div>
<div id="worker-log" class="log"><p class="empty">Pick a worker above.</p></div></section>`;
    root.querySelector("#worker-log-refresh")!.addEventListener("click", () => void this.#loadWorkerLog());
    root.querySelector("#worker-select")!.addEventListener("change", () => void this.#loadWorkerLog());
    void this.#loadInfo();
    this.#timer = window.setInterval(() => void this.#loadInfo(), 2000);
  }

  render(snap: Snapshot): void {
    for (const w of snap.workers) this.#names.set(w.address, w.name);
    const key = snap.workers.map((w) => w.address).sort().join(",");
    if (key === this.#workersKey) return;
    this.#workersKey = key;
    const select = this.#root.querySelector<HTMLSelectElement>("#worker-select")!;
    const current = select.value;
    select.innerHTML = snap.workers.length
      ? [...snap.workers]
          .sort(byName)
          .map((w) => `<option value="${escapeHtml(w.address)}">${escapeHtml(w.name)} (${escapeHtml(w.address)})</option>`)
          .join("")
      : `<option value="">no workers connected</option>`;
    if (current && snap.workers.some((w) => w.address === current)) select.value = current;
    else if (snap.workers.length) void this.#loadWorkerLog();
  }

  async #loadInfo(): Promise<void> {
    const res = await fetch(apiUrl("/api/info"), { credentials: "same-origin" });
    if (!res.ok) return;
    const text = await res.text();
    if (text === this.#lastInfo) return;
    this.#lastInfo = text;
    const info = JSON.parse(text) as InfoPayload;
    this.#root.querySelector("#erred")!.innerHTML = info.erred.length
      ? info.erred.map((t) => erredHtml(t, this.#names)).join("")
      : `<p class="empty" id="no-errors">No task has raised.</p>`;
    const log = this.#root.querySelector<HTMLElement>("#scheduler-log")!;
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.innerHTML = logHtml(info.schedulerLog);
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  async #loadWorkerLog(): Promise<void> {
    const address = this.#root.querySelector<HTMLSelectElement>("#worker-select")!.value;
    const el = this.#root.querySelector<HTMLElement>("#worker-log")!;
    if (!address) return;
    const res = await fetch(apiUrl(`/api/logs/worker?address=${encodeURIComponent(address)}`), { credentials: "same-origin" });
    if (res.status === 501) {
      el.innerHTML = `<p class="empty">This cluster does not collect its workers' logs; look in the worker's own output (for SLURM, the job's log file).</p>`;
      return;
    }
    if (!res.ok) {
      el.innerHTML = `<p class="error">${escapeHtml(await res.text())}</p>`;
      return;
    }
    el.innerHTML = logHtml((await res.json()) as LogEntry[]);
    el.scrollTop = el.scrollHeight;
  }

  dispose(): void {
    if (this.#timer !== undefined) window.clearInterval(this.#timer);
  }
}

function logHtml(entries: readonly LogEntry[]): string {
  if (entries.length === 0) return `<p class="empty">Nothing logged yet.</p>`;
  return `<table class="log-table">${entries
    .map((e) => `<tr class="lvl-${escapeHtml(e.level)}"><td class="time">${formatTime(e.time)}</td><td class="level">${escapeHtml(e.level)}</td><td>${escapeHtml(e.msg)}</td></tr>`)
    .join("")}</table>`;
}

function erredHtml(t: ErredTask, names: ReadonlyMap<string, string>): string {
  const where = t.worker ? `on ${escapeHtml(names.get(t.worker) ?? t.worker)} · ` : "";
  return `<details class="erred" data-key="${escapeHtml(t.key)}"><summary><span class="mono">${escapeHtml(t.key)}</span>
<span class="exception">${escapeHtml(t.exception)}</span><span class="muted" title="${escapeHtml(t.worker ?? "")}">${where}${formatTime(t.time)}</span></summary>
<pre>${escapeHtml(t.traceback)}</pre></details>`;
}
