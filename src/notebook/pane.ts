/**
 * A dashboard pane in a notebook: one plot of the dashboard (served alone under /individual/NAME,
 * sized to its frame) in an iframe. `dashboardPane(client, "task-stream")` is the value to display.
 */
import { PANES, type PaneName } from "../dashboard/html.js";
import { TesseraError } from "../util/errors.js";
import { escapeHtml } from "./displays/html.js";

export interface PaneOptions {
  /** CSS width of the frame; default "100%". */
  width?: string;
  /** Height in pixels; default 320. */
  height?: number;
}

export class DashboardPane {
  constructor(
    readonly name: PaneName,
    readonly url: string,
    readonly height: number,
    readonly width: string,
  ) {}

  html(): string {
    return (
      `<iframe class="tessera-pane" src="${escapeHtml(this.url)}" title="Tessera ${escapeHtml(this.name)}" ` +
      `style="width:${escapeHtml(this.width)};height:${this.height}px;border:1px solid #ddd"></iframe>`
    );
  }

  toString(): string {
    return `DashboardPane(${this.name}, ${this.url})`;
  }
}

/** The pane's address from a dashboard link (keeps its ?token=…). */
export function paneUrl(dashboardLink: string, name: PaneName): string {
  const u = new URL(dashboardLink);
  u.pathname = `/individual/${name}`;
  return u.toString();
}

export function dashboardPane(target: { readonly dashboardLink: string | undefined }, name: string, opts: PaneOptions = {}): DashboardPane {
  const pane = PANES.find((p) => p === name);
  if (!pane) {
    throw new TesseraError("TESSERA_ERR_NOTEBOOK_PANE", `no dashboard pane '${name}'; the panes are: ${PANES.join(", ")}`);
  }
  const link = target.dashboardLink;
  if (!link) {
    throw new TesseraError("TESSERA_ERR_NOTEBOOK_PANE", `this cluster has no dashboard (dashboardLink is undefined); start it with the dashboard on (the default) to show '${name}'`);
  }
  return new DashboardPane(pane, paneUrl(link, pane), opts.height ?? 320, opts.width ?? "100%");
}
