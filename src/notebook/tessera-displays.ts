/** Registers the HTML displays of Tessera's objects (explicitly; nothing registers on import). */
import { TArray } from "../array/core.js";
import { Client } from "../client/client.js";
import { Future } from "../client/future.js";
import { JobQueueCluster } from "../cluster/jobqueue/cluster.js";
import { LocalCluster } from "../cluster/local.js";
import type { DisplayRegistry } from "./display-registry.js";
import { arrayHtml } from "./displays/array.js";
import { clientHtml } from "./displays/client.js";
import { jobQueueClusterHtml, localClusterHtml } from "./displays/cluster.js";
import { futureHtml, futureText } from "./displays/future.js";
import { DashboardPane } from "./pane.js";

export function registerTesseraDisplays(registry: DisplayRegistry): DisplayRegistry {
  return registry
    .register(Client, { html: clientHtml })
    .register(LocalCluster, { html: localClusterHtml })
    .register(JobQueueCluster, { html: jobQueueClusterHtml })
    .register(TArray, { html: arrayHtml })
    .register(Future, { html: futureHtml, text: futureText })
    .register(DashboardPane, { html: (p) => p.html(), text: (p) => p.toString() });
}
