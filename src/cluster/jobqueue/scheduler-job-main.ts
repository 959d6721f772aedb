/**
 * The scheduler as a batch job (`schedulerJob: true`), for sites whose login nodes refuse inbound
 * connections: this entry point runs on a compute node, starts a scheduler and its dashboard on the
 * node's address, and writes where they are to a 0600 file on the shared filesystem. The cluster on
 * the login node reads the file and connects outward; workers connect inside the cluster.
 *
 *   node scheduler-job-main.js --scheduler-file PATH [--interface IF] [--dashboard-address :0|false]
 *
 * The secret comes from TESSERA_SECRET_FILE (the job inherits it like the workers' jobs).
 */
import { rename, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { Security } from "../../protocol/index.js";
import { Scheduler } from "../../scheduler/server.js";
import { startSchedulerDashboard } from "../../dashboard/scheduler-source.js";
import { createLogger } from "../../util/log.js";
import { schedulerHost } from "./scheduler-port.js";

/** What the scheduler job writes for the cluster (JSON). */
export interface SchedulerFile {
  readonly address: string;
  readonly dashboardLink: string | undefined;
  /** The node it runs on, for the SSH tunnel to the dashboard. */
  readonly host: string;
  readonly pid: number;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { "scheduler-file": { type: "string" }, interface: { type: "string" }, "dashboard-address": { type: "string" } },
    strict: true,
  });
  const file = values["scheduler-file"];
  if (!file) {
    process.stderr.write("scheduler job: --scheduler-file PATH is required\n");
    return 2;
  }
  const security = Security.fromEnv();
  if (!security) {
    process.stderr.write("scheduler job: no secret (TESSERA_SECRET_FILE is not set in the job's environment)\n");
    return 2;
  }
  const log = createLogger("tessera.scheduler");
  const host = schedulerHost(values.interface !== undefined ? { interface: values.interface } : {}, undefined);
  const scheduler = await Scheduler.start({ host, port: 0, security, log });
  let dashboardLink: string | undefined;
  const dash = values["dashboard-address"] ?? ":0";
  if (dash !== "false") {
    // On the node's own address: reached through an SSH tunnel, with the cluster's token.
    const d = await startSchedulerDashboard(scheduler, { address: dash.startsWith(":") ? `${host}${dash}` : dash, secret: security.secret, log });
    dashboardLink = d.url;
  }
  const info: SchedulerFile = { address: scheduler.address, dashboardLink, host: hostname(), pid: process.pid };
  // Atomic: the cluster never reads half a file.
  await writeFile(`${file}.tmp`, JSON.stringify(info), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  log.info({ address: scheduler.address, dashboardLink }, "scheduler job ready");
  await new Promise<void>((resolve) => {
    for (const sig of ["SIGTERM", "SIGINT", "SIGUSR2"] as const) process.once(sig, () => resolve());
  });
  await scheduler.close();
  await rm(file, { force: true });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`scheduler job failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
