/** The Client in a notebook: scheduler, dashboard link, workers, cores and memory (like distributed's). */
import type { Client } from "../../client/client.js";
import { formatBytesDecimal } from "../../util/sizes.js";
import { card, escapeHtml, keyValueTable, link } from "./html.js";

export function clientHtml(c: Client): string {
  const s = c.clusterSummary;
  const cluster = c.cluster;
  const rows: [string, string][] = [
    ["Status", escapeHtml(c.status)],
    ["Scheduler", escapeHtml(safeAddress(c))],
    ["Dashboard", link(c.dashboardLink)],
    ["Cluster", cluster ? escapeHtml(cluster.constructor.name) : "(connected by address)"],
    ["Workers", String(s.workers)],
    ["Cores", String(s.threads)],
    ["Memory", escapeHtml(formatBytesDecimal(s.memoryLimit))],
  ];
  return card("client", "Client", keyValueTable(rows));
}

function safeAddress(c: Client): string {
  try {
    return c.schedulerAddress || "(connecting)";
  } catch {
    return "(connecting)";
  }
}
