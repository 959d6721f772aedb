/**
 * The task stream on a canvas: one row per worker thread, one rectangle per task span over the last
 * `windowMs`, coloured by task prefix (red = transfer, orange = disk, black = erred). White = idle.
 * The canvas carries `data-drawn` (rectangles in the last frame) and `data-received` (spans so far)
 * so that tests and curious users can read what it shows.
 */
import type { SpanWire, WorkerView } from "../api-types.js";
import { spanColour } from "./colours.js";
import { byName } from "./format.js";

const LABEL_WIDTH = 150;
const AXIS_HEIGHT = 20;

export class TaskStream {
  readonly canvas: HTMLCanvasElement;
  /** Spans older than this are dropped; the view zooms to 2, 5, 10 or 20 s to fit what it holds. */
  readonly maxWindowMs = 20_000;
  windowMs = 20_000;
  #spans: SpanWire[] = [];
  #received = 0;
  #workers: readonly WorkerView[] = [];
  /** serverTime - Date.now(), so that "now" on the right edge is the scheduler's now. */
  #clockOffset = 0;

  constructor(parent: HTMLElement) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "task-stream";
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", "task stream: one row per worker thread, one rectangle per task");
    parent.appendChild(this.canvas);
    this.canvas.dataset["drawn"] = "0";
    this.canvas.dataset["received"] = "0";
  }

  update(spans: readonly SpanWire[], workers: readonly WorkerView[], serverTime: number): void {
    this.#clockOffset = serverTime - Date.now();
    this.#workers = workers;
    for (const s of spans) this.#spans.push(s);
    this.#received += spans.length;
    const cutoff = serverTime - this.maxWindowMs;
    if (this.#spans.length > 0 && this.#spans[0]!.e < cutoff) this.#spans = this.#spans.filter((s) => s.e >= cutoff);
    if (this.#spans.length > 20_000) this.#spans = this.#spans.slice(-20_000);
    this.canvas.dataset["received"] = String(this.#received);
    this.draw();
  }

  /** Rows: every thread of every connected worker, plus any thread seen in a span of a gone worker. */
  #rows(): { worker: string; label: string; thread: number }[] {
    const rows: { worker: string; label: string; thread: number }[] = [];
    const known = new Set<string>();
    const sorted = [...this.#workers].sort(byName);
    for (const w of sorted) {
      known.add(w.address);
      for (let t = 0; t < Math.max(1, w.nthreads); t++) rows.push({ worker: w.address, label: w.name, thread: t });
    }
    const gone = new Map<string, number>();
    for (const s of this.#spans) if (!known.has(s.w)) gone.set(s.w, Math.max(gone.get(s.w) ?? 0, s.t + 1));
    for (const [w, n] of gone) for (let t = 0; t < n; t++) rows.push({ worker: w, label: `${w} (gone)`, thread: t });
    return rows;
  }

  draw(): void {
    const rows = this.#rows();
    const cssWidth = Math.max(300, this.canvas.parentElement?.clientWidth ?? 600);
    // Rows shrink with the cluster so the stream stays about 360 px tall (sub-pixel rows blend).
    const rowH = rows.length <= 8 ? 22 : rows.length <= 24 ? 14 : Math.max(0.5, Math.min(12, 360 / rows.length));
    const threadsOf = new Map<string, number>();
    for (const r of rows) threadsOf.set(r.worker, (threadsOf.get(r.worker) ?? 0) + 1);
    const cssHeight = Math.max(60, rows.length * rowH) + AXIS_HEIGHT;
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(cssWidth * dpr) || this.canvas.height !== Math.round(cssHeight * dpr)) {
      this.canvas.width = Math.round(cssWidth * dpr);
      this.canvas.height = Math.round(cssHeight * dpr);
      this.canvas.style.width = `${cssWidth}px`;
      this.canvas.style.height = `${cssHeight}px`;
    }
    const ctx = this.canvas.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssWidth, cssHeight);
    const plotW = cssWidth - LABEL_WIDTH;
    const now = Date.now() + this.#clockOffset;
    let earliest = now;
    for (const s of this.#spans) if (s.s < earliest) earliest = s.s;
    this.windowMs = [2000, 5000, 10_000, 20_000].find((w) => w >= (now - earliest) * 1.05) ?? this.maxWindowMs;
    this.canvas.dataset["windowMs"] = String(this.windowMs);
    const t0 = now - this.windowMs;
    const x = (t: number): number => LABEL_WIDTH + ((t - t0) / this.windowMs) * plotW;

    // Row backgrounds and labels (worker name on its first thread's row).
    const rowIndex = new Map<string, number>();
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    rows.forEach((r, i) => {
      rowIndex.set(`${r.worker}|${r.thread}`, i);
      ctx.fillStyle = i % 2 === 0 ? "#fafafa" : "#f2f2f2";
      ctx.fillRect(LABEL_WIDTH, i * rowH, plotW, rowH);
      if (r.thread === 0 && (threadsOf.get(r.worker) ?? 1) * rowH >= 11) {
        ctx.fillStyle = "#333";
        const label = r.label.length > 22 ? r.label.slice(0, 21) + "…" : r.label;
        ctx.fillText(label, 4, i * rowH + ((threadsOf.get(r.worker) ?? 1) * rowH) / 2); // centred on the worker's rows
      }
      if (r.thread === 0 && i > 0 && rowH >= 2) {
        ctx.fillStyle = "#999";
        ctx.fillRect(LABEL_WIDTH, i * rowH, plotW, 1);
      }
    });

    if (rows.length > 0 && threadsOf.size > 0 && [...threadsOf.values()].every((n) => n * rowH < 11)) {
      // Too many workers to name each row: say what the rows are.
      ctx.fillStyle = "#333";
      ctx.fillText(`${threadsOf.size} workers,`, 4, 10);
      ctx.fillText(`${rows.length} threads`, 4, 24);
    }

    // Rectangles.
    let drawn = 0;
    const gap = rowH >= 10 ? 2 : 0;
    for (const s of this.#spans) {
      if (s.e < t0) continue;
      const i = rowIndex.get(`${s.w}|${s.t}`);
      if (i === undefined) continue;
      const x0 = Math.max(LABEL_WIDTH, x(s.s));
      const x1 = Math.min(cssWidth, x(s.e));
      ctx.fillStyle = spanColour(s.p, s.a, s.x === 1);
      ctx.fillRect(x0, i * rowH + gap / 2, Math.max(1, x1 - x0), rowH - gap);
      drawn++;
    }

    // Time axis.
    const axisY = rows.length * rowH;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, axisY, cssWidth, AXIS_HEIGHT);
    ctx.fillStyle = "#555";
    ctx.textBaseline = "top";
    const stepS = this.windowMs <= 2000 ? 0.5 : this.windowMs <= 5000 ? 1 : this.windowMs <= 10_000 ? 2 : 5;
    for (let k = 0; k * stepS * 1000 <= this.windowMs; k++) {
      const sAgo = k * stepS;
      const px = x(now - sAgo * 1000);
      ctx.fillRect(px - 0.5, axisY, 1, 4);
      const text = sAgo === 0 ? "now" : `−${sAgo} s`;
      const w = ctx.measureText(text).width;
      ctx.fillText(text, Math.min(cssWidth - w - 2, Math.max(LABEL_WIDTH, px - w / 2)), axisY + 5);
    }
    if (rows.length === 0) {
      ctx.fillStyle = "#777";
      ctx.textBaseline = "middle";
      ctx.fillText("no workers connected", LABEL_WIDTH + 8, 30);
    }
    this.canvas.dataset["drawn"] = String(drawn);
  }
}
