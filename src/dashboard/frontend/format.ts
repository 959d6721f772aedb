/** Number formatting for people: binary sizes like Dask's format_bytes, short durations, counts. */

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return "0 B";
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v.toFixed(0) : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[i]}`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Core-seconds and other small quantities: one decimal below 10, so 0.4 does not read as 0. */
export function formatAmount(n: number): string {
  return Math.abs(n) < 10 && n !== 0 ? n.toFixed(1) : formatCount(n);
}

export function formatRate(perS: number): string {
  if (perS >= 1000) return `${(perS / 1000).toFixed(perS >= 10_000 ? 0 : 1)}k/s`;
  return `${perS.toFixed(perS < 10 ? 1 : 0)}/s`;
}

/** "0.4 s ago", "3 min ago" */
export function formatAgo(ms: number): string {
  if (ms < 0) ms = 0;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s ago`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s ago`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min ago`;
  return `${(ms / 3_600_000).toFixed(1)} h ago`;
}

/** 5025 → "1:23:45", 65 → "1:05" */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(h > 0 ? 2 : 1, "0");
  const ss = String(sec).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return "–";
  return `${Math.round(fraction * 100)} %`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export function formatTime(ms: number): string {
  const d = new Date(ms);
  return d.toTimeString().slice(0, 8) + "." + String(d.getMilliseconds()).padStart(3, "0");
}

const collator = new Intl.Collator("en", { numeric: true });

/** Natural order by name: worker-2 before worker-10. */
export function byName(a: { name: string }, b: { name: string }): number {
  return collator.compare(a.name, b.name);
}
