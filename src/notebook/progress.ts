/**
 * Live progress in a notebook: one display per computation, updated in place (Jupyter display ids)
 * at most every `intervalMs` and once more when it ends. The kernel hands in where displays go.
 */
import type { Graph, Key } from "../graph/spec.js";
import type { MimeBundle } from "./display-registry.js";
import { escapeHtml } from "./displays/html.js";

export interface DisplaySink {
  /** Show a new display with this id. */
  display(bundle: MimeBundle, displayId: string): void;
  /** Replace the display with this id. */
  update(bundle: MimeBundle, displayId: string): void;
}

export interface ProgressView {
  done: number;
  total: number;
  /** Tasks in the whole graph (known for compute(), not for gather()). */
  graphTasks: number | undefined;
  elapsedMs: number;
}

export function progressBundle(v: ProgressView): MimeBundle {
  const f = v.total > 0 ? v.done / v.total : 1;
  const pct = `${Math.round(f * 100)}%`;
  const graph = v.graphTasks !== undefined ? ` · graph of ${v.graphTasks} tasks` : "";
  const text = `[${"#".repeat(Math.round(f * 40)).padEnd(40)}] | ${pct} Completed | ${v.done}/${v.total} results${graph} | ${(v.elapsedMs / 1000).toFixed(1)}s`;
  const html =
    `<div class="tessera-progress" data-done="${v.done}" data-total="${v.total}" style="font-family:system-ui,sans-serif;font-size:12px;max-width:520px">` +
    `<div style="background:#e9ecef;border-radius:3px;height:14px;overflow:hidden"><div style="width:${(f * 100).toFixed(1)}%;height:100%;background:${v.done === v.total ? "#59a14f" : "#4e79a7"}"></div></div>` +
    `<div style="color:#555">${escapeHtml(pct)} · ${v.done}/${v.total} results${escapeHtml(graph)} · ${(v.elapsedMs / 1000).toFixed(1)} s</div></div>`;
  return { "text/plain": text, "text/html": html };
}

let counter = 0;

/** A ProgressFactory (see setDefaultProgress) that shows each computation's progress through `sink`. */
export function notebookProgress(sink: () => DisplaySink | undefined, intervalMs = 100) {
  return (graph: Graph | undefined, keys: readonly Key[]): ((done: number, total: number) => void) | undefined => {
    const out = sink();
    if (!out) return undefined;
    const id = `tessera-progress-${process.pid}-${++counter}`;
    const t0 = Date.now();
    const graphTasks = graph ? Object.keys(graph).length : undefined;
    let last = 0;
    out.display(progressBundle({ done: 0, total: keys.length, graphTasks, elapsedMs: 0 }), id);
    return (done, total) => {
      const now = Date.now();
      if (done < total && now - last < intervalMs) return;
      last = now;
      out.update(progressBundle({ done, total, graphTasks, elapsedMs: now - t0 }), id);
    };
  };
}
