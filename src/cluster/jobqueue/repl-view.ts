/** The cluster as the REPL prints it: summary line, totals, dashboard link, jobs table. Pure. */
import { formatBytesDecimal } from "../../util/sizes.js";
import type { JobInfo } from "./job-record.js";

export interface ClusterSummary {
  className: string;
  name: string;
  schedulerAddress: string;
  dashboardLink: string | undefined;
  /** With the scheduler in a batch job: the SSH tunnel that reaches its dashboard. */
  dashboardTunnel?: string | undefined;
  workers: number;
  cores: number;
  memoryBytes: number;
  desiredJobs: number;
  adaptive: string | undefined;
  problem: string | undefined;
}

function clock(s: number | undefined): string {
  if (s === undefined) return "";
  const t = Math.max(0, Math.round(s));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  const pad = (x: number) => String(x).padStart(2, "0");
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

function time(d: Date | undefined): string {
  return d === undefined ? "" : d.toTimeString().slice(0, 8);
}

export function renderClusterView(s: ClusterSummary, jobs: readonly JobInfo[]): string {
  const lines = [
    `${s.className}('${s.name}', ${s.schedulerAddress})`,
    `  Workers: ${s.workers}   Cores: ${s.cores}   Memory: ${formatBytesDecimal(s.memoryBytes)}   ` +
      `Jobs: ${jobs.length} (wanted ${s.desiredJobs})${s.adaptive ? `   Adaptive: ${s.adaptive}` : ""}`,
    `  Dashboard: ${s.dashboardLink ?? "(none)"}`,
  ];
  if (s.dashboardTunnel) lines.push(`  Tunnel: ${s.dashboardTunnel}`);
  if (s.problem) lines.push(`  Problem: ${s.problem}`);
  if (jobs.length > 0) {
    const rows = [
      ["JOBID", "NAME", "STATE", "REASON", "START", "LEFT", "WORKERS"],
      ...jobs.map((j) => [
        j.jobId ?? "-",
        j.name,
        j.state,
        j.reason ?? "",
        time(j.startTime),
        clock(j.walltimeLeftS),
        String(j.workers.length),
      ]),
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const r of rows) lines.push("  " + r.map((cell, c) => cell.padEnd(widths[c]!)).join("  ").trimEnd());
  }
  return lines.join("\n");
}
