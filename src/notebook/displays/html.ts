/** Small HTML building blocks shared by the notebook displays. Pure string functions. */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A link that opens in a new tab; only http(s) addresses become links. */
export function link(href: string | undefined): string {
  if (href === undefined) return "(none)";
  return /^https?:\/\//.test(href) ? `<a href="${escapeHtml(href)}" target="_blank" rel="noopener">${escapeHtml(href)}</a>` : escapeHtml(href);
}

const TABLE = 'style="border-collapse:collapse;text-align:left;font-size:12px;margin:2px 0"';
const CELL = 'style="padding:2px 8px;text-align:left;border-bottom:1px solid #ddd"';

/** A two-column table of already-escaped HTML cells: label, value. */
export function keyValueTable(rows: readonly (readonly [string, string])[]): string {
  const body = rows.map(([k, v]) => `<tr><th ${CELL}>${escapeHtml(k)}</th><td ${CELL}>${v}</td></tr>`).join("");
  return `<table ${TABLE}>${body}</table>`;
}

/** A table with a header row; cells are escaped here. */
export function gridTable(header: readonly string[], rows: readonly (readonly string[])[], cls = ""): string {
  const head = `<tr>${header.map((h) => `<th ${CELL}>${escapeHtml(h)}</th>`).join("")}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td ${CELL}>${escapeHtml(c)}</td>`).join("")}</tr>`).join("");
  return `<table ${TABLE}${cls ? ` class="${cls}"` : ""}><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

/** The frame every Tessera display sits in: a title line and the content. */
export function card(kind: string, title: string, content: string): string {
  return (
    `<div class="tessera-repr tessera-${kind}" style="font-family:system-ui,sans-serif;font-size:12px;border-left:3px solid #4e79a7;padding:4px 10px;margin:4px 0">` +
    `<div style="font-weight:600;font-size:13px;margin-bottom:2px">${title}</div>${content}</div>`
  );
}
