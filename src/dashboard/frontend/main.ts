/**
 * The dashboard's browser entry point: opens the event stream, keeps the latest snapshot, the time
 * series and the live indicator, and hands each update to the page being shown.
 */
import "./style.css";
import type { HistorySample, Snapshot, StreamHello, StreamUpdate } from "../api-types.js";
import { InfoPage } from "./info-page.js";
import { panePage } from "./pane-page.js";
import { JobsPage } from "./jobs-page.js";
import type { Page } from "./page.js";
import { StatusPage } from "./status-page.js";
import { WorkersPage } from "./workers-page.js";
import { formatAgo } from "./format.js";
import { apiUrl } from "./api-url.js";

const HISTORY_MAX = 600;

function start(): void {
  const root = document.getElementById("app");
  if (!root) return;
  const name = root.dataset["page"] ?? "status";
  root.innerHTML = "";
  const page: Page = name.startsWith("pane:")
    ? panePage(name.slice("pane:".length), root)
    : name === "workers" ? new WorkersPage(root) : name === "jobs" ? new JobsPage(root) : name === "info" ? new InfoPage(root) : new StatusPage(root);
  let history: HistorySample[] = [];
  let last: Snapshot | undefined;
  let lastAt = 0;
  let updates = 0;
  const live = document.getElementById("live");
  const showLiveness = (): void => {
    if (!live) return;
    const age = Date.now() - lastAt;
    const ok = last !== undefined && age < 3000;
    live.className = ok ? "live up" : "live down";
    live.textContent = ok ? "● live" : last ? `● last update ${formatAgo(age)}` : "● connecting";
  };

  const show = (snap: Snapshot, spans: StreamUpdate["spans"]): void => {
    last = snap;
    lastAt = Date.now();
    updates++;
    document.body.dataset["updates"] = String(updates);
    page.render(snap, spans, history);
    if (updates === 1) showLiveness();
  };

  const events = new EventSource(apiUrl("/api/stream"));
  events.addEventListener("snapshot", (ev) => {
    const hello = JSON.parse((ev as MessageEvent<string>).data) as StreamHello;
    history = [...hello.history];
    show(hello, hello.spans);
  });
  events.addEventListener("update", (ev) => {
    const u = JSON.parse((ev as MessageEvent<string>).data) as StreamUpdate;
    if (u.newSamples.length) {
      history.push(...u.newSamples);
      if (history.length > HISTORY_MAX) history = history.slice(-HISTORY_MAX);
    }
    show(u, u.spans);
  });
  events.addEventListener("error", () => {
    if (live) {
      live.className = "live down";
      live.title = "lost the connection to the scheduler; retrying";
    }
  });

  // The live indicator: green while updates arrive, grey when they stop.
  window.setInterval(showLiveness, 500);
  window.addEventListener("resize", () => {
    if (last) page.render(last, [], history);
  });
}

start();
