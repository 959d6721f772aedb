/**
 * Live progress in a notebook: one display per computation, updated in place (Jupyter display ids)
 * at most every `intervalMs` and once more when it ends. With per-task events from an in-process
 * scheduler it counts every task of the graph; without (a scheduler elsewhere, or gather of futures)
 * it counts the results waited for. The kernel hands in where displays go.
 */
import type { Graph, Key } from "../graph/spec.js";
import type { MimeBundle } from "./display-registry.js";
import { escapeHtml } from "./displays/html.js";
import type { TaskEvents } from "./task-events.js";

export interface DisplaySink {
  /** Show a new display with this id. */
  display(bundle: MimeBundle, displayId: string): void;
  /** Replace the display with this id. */
  update(bundle: MimeBundle, displayId: string): void;
}

export interface ProgressView {
  done: number;
  total: number;
  /** What is counted: every task of the graph, or the results waited for. */
  unit: "tasks" | "results";
  elapsedMs: number;
}

export function progressBundle(v: ProgressView): MimeBundle {
  const f = v.total > 0 ? Math.min(1, v.done / v.total) : 1;
  const pct = `${Math.floor(f * 100)}%`;
  const text = `[${"#".repeat(Math.round(f * 40)).padEnd(40)}] | ${pct} Completed | ${v.done}/${v.total} ${v.unit} | ${(v.elapsedMs / 1000).toFixed(1)}s`;
  const html =
    `<div class="tessera-progress" data-done="${v.done}" data-total="${v.total}" data-unit="${v.unit}" style="font-family:system-ui,sans-serif;font-size:12px;max-width:520px">` +
    `<div style="background:#e9ecef;border-radius:3px;height:14px;overflow:hidden"><div style="width:${(f * 100).toFixed(1)}%;height:100%;background:${v.done >= v.total ? "#59a14f" : "#4e79a7"}"></div></div>` +
    `<div style="color:#555">${escapeHtml(pct)} · ${v.done}/${v.total} ${v.unit} · ${(v.elapsedMs / 1000).toFixed(1)} s</div></div>`;
  return { "text/plain": text, "text/html": html };
}

let counter = 0;

/**
 * A ProgressFactory (see setDefaultProgress) that shows each computation's progress through `sink`;
 * `events` gives the per-task events of the notebook's in-process schedulers, if any.
 */
export function notebookProgress(sink: () => DisplaySink | undefined, events: () => readonly TaskEvents[] = () => [], intervalMs = 100) {
  return (graph: Graph | undefined, keys: readonly Key[]): ((done: number, total: number) => void) | undefined => {
    const out = sink();
    if (!out) return undefined;
    const id = `tessera-progress-${process.pid}-${++counter}`;
    const t0 = Date.now();
    const sources = graph ? events() : [];
    const graphKeys = sources.length > 0 ? new Set(Object.keys(graph!)) : undefined;
    const unit = graphKeys ? "tasks" : "results";
    const total = graphKeys ? graphKeys.size : keys.length;
    let done = 0;
    let shownAt = 0;
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    const show = (): void => {
      timer = undefined;
      shownAt = Date.now();
      out.update(progressBundle({ done, total, unit, elapsedMs: shownAt - t0 }), id);
    };
    const showSoon = (): void => {
      if (finished || timer) return;
      const wait = intervalMs - (Date.now() - shownAt);
      if (wait <= 0) show();
      else timer = setTimeout(show, wait).unref();
    };
    const seen = new Set<Key>();
    const stops = graphKeys
      ? sources.map((s) =>
          s.watch(graphKeys, (k) => {
            if (seen.has(k)) return;
            seen.add(k);
            done = seen.size;
            showSoon();
          }),
        )
      : [];
    out.display(progressBundle({ done: 0, total, unit, elapsedMs: 0 }), id);
    return (results, totalResults) => {
      if (results >= totalResults) {
        // Every result is in: tasks whose results were already held count as done too.
        finished = true;
        if (timer) clearTimeout(timer);
        stops.forEach((stop) => stop());
        done = total;
        show();
      } else if (!graphKeys) {
        done = results;
        showSoon();
      }
    };
  };
}
