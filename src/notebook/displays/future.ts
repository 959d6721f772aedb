/** A Future in a notebook: status, key and the type of its result, like distributed's Future repr. */
import type { Future } from "../../client/future.js";
import { escapeHtml } from "./html.js";

const COLOURS: Record<string, string> = { pending: "#888", finished: "#2a7a2a", error: "#b22222", cancelled: "#b8860b" };

export function futureHtml(f: Future): string {
  const type = f.state.type;
  return (
    `<span class="tessera-repr tessera-future" style="font-family:system-ui,sans-serif;font-size:12px">` +
    `<b>Future</b> <span style="color:#666">status:</span> ` +
    `<span style="color:${COLOURS[f.status] ?? "#000"}">${escapeHtml(f.status)}</span>` +
    (type !== undefined ? `, <span style="color:#666">type:</span> ${escapeHtml(type)}` : "") +
    `, <span style="color:#666">key:</span> ${escapeHtml(f.key)}</span>`
  );
}

export function futureText(f: Future): string {
  return `<Future: ${f.status}${f.state.type !== undefined ? `, type: ${f.state.type}` : ""}, key: ${f.key}>`;
}
