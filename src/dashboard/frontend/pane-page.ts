/**
 * One plot alone, sized to its frame: the /individual/NAME panes a notebook shows in an iframe.
 * The plots are the Status, Workers and Jobs pages' own; only the frame around them differs.
 */
import type { Snapshot, SpanWire } from "../api-types.js";
import { JobsPage } from "./jobs-page.js";
import type { Page } from "./page.js";
import { clusterMemory, memoryBar, progressRow, workerBars } from "./status-page.js";
import { TaskStream } from "./task-stream.js";
import { WorkersPage } from "./workers-page.js";

class TaskStreamPane implements Page {
  #stream: TaskStream;
  constructor(root: HTMLElement) {
    root.innerHTML = `<div id="task-stream-box" class="stream-box"></div>`;
    this.#stream = new TaskStream(root.querySelector<HTMLElement>("#task-stream-box")!);
  }
  render(snap: Snapshot, spans: readonly SpanWire[]): void {
    this.#stream.update(spans, snap.workers, snap.time);
  }
}

class ProgressPane implements Page {
  constructor(readonly root: HTMLElement) {
    root.innerHTML = `<div id="progress" class="progress-list"></div>`;
  }
  render(snap: Snapshot): void {
    this.root.querySelector<HTMLElement>("#progress")!.innerHTML = snap.progress.length
      ? snap.progress.map(progressRow).join("")
      : `<p class="empty">No tasks yet.</p>`;
  }
}

class MemoryPane implements Page {
  constructor(readonly root: HTMLElement) {
    root.innerHTML = `<div id="cluster-memory"></div><div id="worker-memory" class="hbars"></div>`;
  }
  render(snap: Snapshot): void {
    this.root.querySelector<HTMLElement>("#cluster-memory")!.innerHTML = clusterMemory(snap);
    this.root.querySelector<HTMLElement>("#worker-memory")!.innerHTML = workerBars(snap.workers, (w) => memoryBar(w, snap));
  }
}

export function panePage(name: string, root: HTMLElement): Page {
  switch (name) {
    case "task-stream":
      return new TaskStreamPane(root);
    case "memory":
      return new MemoryPane(root);
    case "workers":
      return new WorkersPage(root);
    case "jobs":
      return new JobsPage(root);
    default:
      return new ProgressPane(root);
  }
}

