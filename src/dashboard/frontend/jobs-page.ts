/** The Jobs page: the batch jobs behind the workers, and core-seconds held versus busy. */
import type { JobView, Snapshot } from "../api-types.js";
import { escapeHtml, formatAmount, formatCount, formatDuration, formatPercent } from "./format.js";
import type { Page } from "./page.js";

/** States in a fixed order in the summary line (running first), whatever order the jobs came in. */
const STATE_ORDER = ["running", "pending"];
const stateRank = (s: string): number => (STATE_ORDER.includes(s) ? STATE_ORDER.indexOf(s) : STATE_ORDER.length);

export class JobsPage implements Page {
  #root: HTMLElement;
  constructor(root: HTMLElement) {
    this.#root = root;
    root.innerHTML = `<div id="jobs"></div>`;
  }

  render(snap: Snapshot): void {
    const el = this.#root.querySelector<HTMLElement>("#jobs")!;
    const j = snap.jobs;
    if (j === null) {
      el.innerHTML = `<section class="panel"><h2>Batch jobs</h2>
<p class="empty" id="no-jobs">This cluster runs no batch jobs: its ${formatCount(snap.totals.workers)} workers were started directly on this
machine (a LocalCluster). With a SLURMCluster, each SLURM job appears here with its state, why it is still
pending, how much walltime it has left and which workers it runs, together with the core-seconds the
cluster holds against those it keeps busy.</p></section>`;
      return;
    }
    const busyF = j.coreSecondsHeld > 0 ? j.coreSecondsBusy / j.coreSecondsHeld : 0;
    const byState = new Map<string, number>();
    for (const job of j.jobs) byState.set(job.state, (byState.get(job.state) ?? 0) + 1);
    el.innerHTML = `<section class="panel"><h2>Core-seconds held versus busy</h2>
<p class="hint">Cores the cluster's jobs hold, times how long, against the time those cores spent running tasks.
Idle held cores are capacity others on the machine cannot use: adaptive scaling gives them back.</p>
<div class="big-number" data-held="${j.coreSecondsHeld}" data-busy="${j.coreSecondsBusy}">${formatAmount(j.coreSecondsBusy)} <small>busy of ${formatAmount(j.coreSecondsHeld)} core-seconds held (${formatPercent(busyF)})</small></div>
<div class="bar big"><span style="width:${Math.min(100, busyF * 100)}%;background:#59a14f"></span></div></section>
<section class="panel"><h2>${escapeHtml(j.system ?? "Batch")} jobs</h2>
<p class="hint">${[...byState].sort(([a], [b]) => stateRank(a) - stateRank(b)).map(([s, n]) => `${n} ${s}`).join(" · ") || "no jobs submitted"}. A pending job waits for the batch system; its reason says why.</p>
<table class="grid" id="jobs-table"><thead><tr><th>Job id</th><th>State</th><th title="why the batch system has not started it">Pending reason</th>
<th>Cores</th><th title="time until the batch system stops the job (h:mm:ss)">Walltime left</th><th>Workers</th></tr></thead>
<tbody>${j.jobs.length ? [...j.jobs].sort(byJobId).map(jobRow).join("") : `<tr><td colspan="6" class="empty">No jobs.</td></tr>`}</tbody></table></section>`;
  }
}

/** Numeric job ids in submission order; others (arrays, "12_3") after, as text. */
function byJobId(a: JobView, b: JobView): number {
  const x = Number(a.id), y = Number(b.id);
  return Number.isFinite(x) && Number.isFinite(y) ? x - y : a.id.localeCompare(b.id);
}

function jobRow(job: JobView): string {
  return `<tr data-job="${escapeHtml(job.id)}"><td class="mono">${escapeHtml(job.id)}</td><td><span class="badge ${job.state}">${job.state}</span></td>
<td>${escapeHtml(job.reason ?? "")}</td><td class="n">${job.cores}</td>
<td class="n">${job.walltimeLeftS === undefined ? "–" : formatDuration(job.walltimeLeftS)}</td>
<td>${job.workers.length ? job.workers.map(escapeHtml).join(", ") : "<span class='muted'>none yet</span>"}</td></tr>`;
}
