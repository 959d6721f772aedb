/** The HTML shell of every page; the bundled front-end (dist/dashboard-assets/app.js) fills it in. */

export type PageName = "status" | "workers" | "jobs" | "info";

export const PAGES: readonly { name: PageName; title: string; hint: string }[] = [
  { name: "status", title: "Status", hint: "what every worker thread is doing, progress and memory" },
  { name: "workers", title: "Workers", hint: "one row per worker process" },
  { name: "jobs", title: "Jobs", hint: "batch jobs that run the workers (SLURM)" },
  { name: "info", title: "Info", hint: "logs and errors" },
];

/** Single plots served alone under /individual/NAME, sized to their frame (for iframes beside a notebook). */
export const PANES = ["task-stream", "progress", "memory", "workers", "jobs"] as const;
export type PaneName = (typeof PANES)[number];

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** `token` (when the dashboard asks for one) is carried in every link and asset URL: there is no cookie. */
export function pageHtml(page: PageName, schedulerAddress: string, assetsBuilt: boolean, token?: string): string {
  const q = token ? `?token=${encodeURIComponent(token)}` : "";
  const nav = PAGES.map(
    (p) =>
      `<a href="/${p.name}${q}" title="${escapeHtml(p.hint)}"${p.name === page ? ' class="active" aria-current="page"' : ""}>${p.title}</a>`,
  ).join("");
  const body = assetsBuilt
    ? `<main id="app" data-page="${page}"><p class="loading">Connecting to the scheduler…</p></main>
<script src="/assets/app.js${q}"></script>`
    : `<main id="app"><p class="error">The dashboard's front-end is not built. Run <code>npm run build</code>
(or <code>node scripts/build-dashboard.mjs</code>) in the Tessera checkout, then reload. The JSON API under
<code>/api/</code> and <code>/metrics</code> work without it.</p></main>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tessera · ${escapeHtml(PAGES.find((p) => p.name === page)!.title)}</title>
<link rel="stylesheet" href="/assets/app.css${q}">
</head>
<body>
<header class="topbar">
<span class="brand">Tessera</span>
<nav>${nav}</nav>
<span class="scheduler" title="the scheduler's address">scheduler ${escapeHtml(schedulerAddress)}</span>
<span id="live" class="live" title="live updates from the scheduler">●</span>
</header>
${body}
</body>
</html>
`;
}

/** The HTML of a pane: no navigation bar, the one plot filling the window. */
export function paneHtml(pane: PaneName, assetsBuilt: boolean, token?: string): string {
  // Framed by a notebook on another site the pane gets no cookie, so its assets carry the token.
  const q = token !== undefined ? `?token=${encodeURIComponent(token)}` : "";
  const body = assetsBuilt
    ? `<main id="app" class="pane" data-page="pane:${pane}"><p class="loading">Connecting to the scheduler…</p></main>
<script src="/assets/app.js${escapeHtml(q)}"></script>`
    : `<main id="app"><p class="error">The dashboard's front-end is not built. Run <code>npm run build</code> in the Tessera checkout, then reload.</p></main>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tessera · ${escapeHtml(pane)}</title>
<link rel="stylesheet" href="/assets/app.css${escapeHtml(q)}">
</head>
<body class="pane-body">
${body}
</body>
</html>
`;
}
