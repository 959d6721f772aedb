/**
 * Clusters in a notebook. LocalCluster: scheduler, dashboard, workers, cores, memory. A job-queue
 * cluster (SLURMCluster): the same plus jobs wanted, adaptive range and the jobs table with state,
 * pending reason and walltime left.
 */
import type { JobQueueCluster } from "../../cluster/jobqueue/cluster.js";
import type { LocalCluster } from "../../cluster/local.js";
import { formatBytesDecimal } from "../../util/sizes.js";
import { card, escapeHtml, gridTable, keyValueTable, link } from "./html.js";

export function localClusterHtml(c: LocalCluster): string {
  let address = "(starting)";
  let n = 0;
  try {
    address = c.schedulerAddress;
    n = c.scheduler.state.workers.size;
  } catch {
    /* not started yet */
  }
  const rows: [string, string][] = [
    ["Scheduler", escapeHtml(address)],
    ["Dashboard", link(c.dashboardLink)],
    ["Workers", String(n)],
    ["Threads per worker", String(c.nThreads)],
    ["Cores", String(n * c.nThreads)],
    ["Memory", escapeHtml(formatBytesDecimal(n * c.memoryLimit))],
  ];
  return card("cluster", "LocalCluster", keyValueTable(rows));
}

/** h:mm:ss (or m:ss), like squeue's TIME_LEFT. */
export function clock(s: number | undefined): string {
  if (s === undefined) return "–";
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const pad = (x: number) => String(x).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(t % 60)}` : `${m}:${pad(t % 60)}`;
}

export function jobQueueClusterHtml(c: JobQueueCluster): string {
  let address = "(not started)";
  try {
    address = c.schedulerAddress;
  } catch {
    /* not started yet */
  }
  const ws = c.workers;
  const jobs = c.jobs;
  const adaptive = c.adaptive;
  const rows: [string, string][] = [
    ["Scheduler", escapeHtml(address)],
    ["Dashboard", link(c.dashboardLink)],
    ["Workers", String(ws.length)],
    ["Cores", String(ws.reduce((s, w) => s + w.nthreads, 0))],
    ["Memory", escapeHtml(formatBytesDecimal(ws.reduce((s, w) => s + w.memoryLimit, 0)))],
    ["Jobs", `${jobs.length} (wanted ${c.desiredJobs})`],
  ];
  if (adaptive) rows.push(["Adaptive", escapeHtml(`${adaptive.minimumJobs}–${adaptive.maximumJobs === Infinity ? "∞" : adaptive.maximumJobs} jobs`)]);
  if (c.problem) rows.push(["Problem", `<span style="color:#b22222">${escapeHtml(c.problem)}</span>`]);
  const table =
    jobs.length === 0
      ? `<div style="color:#666">No jobs. <code>await cluster.scale({jobs: N})</code> submits N.</div>`
      : gridTable(
          ["Job id", "Name", "State", "Reason", "Started", "Walltime left", "Workers"],
          jobs.map((j) => [
            j.jobId ?? "–",
            j.name,
            j.state,
            j.reason ?? "",
            j.startTime ? j.startTime.toTimeString().slice(0, 8) : "–",
            clock(j.walltimeLeftS),
            String(j.workers.length),
          ]),
          "tessera-jobs",
        );
  const system = c.batchSystem.name.toUpperCase();
  return card("cluster", `${escapeHtml(c.constructor.name)} <span style="font-weight:400;color:#666">(${system} '${escapeHtml(c.options.name)}')</span>`, keyValueTable(rows) + table);
}
