/**
 * The dashboard's HTTP server (node:http): pages, static assets, JSON API, /metrics, /health and the
 * event stream. A thin IO shell over the Collector; see docs/dashboard.md for the routes.
 */
import { TesseraError } from "../util/errors.js";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import type { Logger } from "../util/log.js";
import { DEFAULT_DASHBOARD_ADDRESS, isLoopback, parseDashboardAddress } from "./address.js";
import type { InfoPayload } from "./api-types.js";
import { Collector, toSpanWire } from "./collector.js";
import { PAGES, PANES, pageHtml, paneHtml, type PageName } from "./html.js";
import { renderMetrics } from "./metrics.js";
import type { DashboardSource } from "./source.js";
import { StreamHub } from "./stream-hub.js";
import { dashboardToken, tokenMatches } from "./token.js";

export interface DashboardOptions {
  source: DashboardSource;
  /** HOST:PORT to listen on; default "127.0.0.1:8787". ":8787" listens on all interfaces. */
  address?: string;
  /** The cluster secret; the access token is derived from it. Required when listening beyond loopback. */
  secret?: string;
  /**
   * Ask for the token on loopback too. Default true: on a shared login node every user can reach
   * 127.0.0.1. `false` opens a loopback dashboard to every local user; beyond loopback the token is
   * always required.
   */
  requireToken?: boolean;
  log?: Logger;
  /** Live-update period in ms (default 250: four updates a second). */
  intervalMs?: number;
  /** Time-series sample period in ms (default 1000). */
  sampleIntervalMs?: number;
  /** Where the bundled front-end lives (default dist/dashboard-assets). */
  assetsDir?: string;
  /** When the port is taken, listen on any free port instead (logged), like Dask. Default true. */
  fallbackToAnyPort?: boolean;
}

export interface Dashboard {
  /** Link to the Status page, with `?token=…` when a token is required. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The token when one is required, else undefined. */
  readonly token: string | undefined;
  /** Live updates sent so far (all pages together). */
  readonly updatesSent: number;
  close(): Promise<void>;
}

export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL("../../dashboard-assets/", import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

export class DashboardConfigError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_DASHBOARD_CONFIG", message);
  }
}

function sendText(res: ServerResponse, status: number, body: string, type = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(body);
}

function sendJson(res: ServerResponse, body: unknown): void {
  sendText(res, 200, JSON.stringify(body), "application/json; charset=utf-8");
}

/** Host header names that reach a loopback-only dashboard legitimately (SSH tunnels arrive as localhost). */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  if (host === undefined) return true; // HTTP/1.0 clients send none
  const name = host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.replace(/:\d+$/, "");
  return name === "localhost" || name.endsWith(".localhost") || name === "::1" || /^127\.\d+\.\d+\.\d+$/.test(name) || name === hostname();
}

/** The SSH tunnel a user runs on their laptop to reach a dashboard on a login node. */
export function tunnelHint(port: number, host = hostname()): string {
  return `ssh -N -L ${port}:localhost:${port} $USER@${host}`;
}

export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const { host, port } = parseDashboardAddress(opts.address ?? DEFAULT_DASHBOARD_ADDRESS);
  const needToken = opts.requireToken !== false || !isLoopback(host);
  if (needToken && !opts.secret) {
    throw new DashboardConfigError(
      isLoopback(host)
        ? `the dashboard asks for an access token (other users of this machine can reach 127.0.0.1), derived from the cluster secret; ` +
            `pass secret (the cluster's Security.secret), or requireToken: false to let every local user in`
        : `the dashboard listens on '${host}', beyond this machine, so it needs the cluster secret to derive its access token; ` +
            `pass secret (the cluster's Security.secret) or listen on 127.0.0.1 and use an SSH tunnel`,
    );
  }
  const token = needToken ? dashboardToken(opts.secret!) : undefined;
  const intervalMs = opts.intervalMs ?? 250;
  const assetsDir = opts.assetsDir ?? DEFAULT_ASSETS_DIR;
  const collector = new Collector(opts.source);
  const hub = new StreamHub(collector, { intervalMs, maxSpansPerUpdate: 1500 });
  const sampler = setInterval(() => hub.addSample(collector.sample()), opts.sampleIntervalMs ?? 1000);
  sampler.unref();
  collector.sample();

  const assetCache = new Map<string, Buffer>();
  const readAsset = (name: string): Buffer | undefined => {
    let buf = assetCache.get(name);
    if (buf === undefined) {
      const p = assetsDir + (assetsDir.endsWith("/") ? "" : "/") + name;
      if (!existsSync(p)) return undefined;
      buf = readFileSync(p);
      assetCache.set(name, buf);
    }
    return buf;
  };

  const authorised = (req: IncomingMessage, url: URL, res: ServerResponse): "ok" | "redirected" | "refused" => {
    if (token === undefined) return "ok";
    // No cookie: a browser sends a host's cookies to every port of it, so any web server on the login
    // node would receive one. The token travels in the URL (pages keep it in their links, the
    // front-end adds it to its requests) or as a Bearer header; Referrer-Policy keeps it from leaking.
    const fromQuery = url.searchParams.get("token") ?? undefined;
    if (fromQuery !== undefined && tokenMatches(fromQuery, token)) return "ok";
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith("Bearer ") ? auth.slice(7).trim() : undefined;
    if (tokenMatches(bearer, token)) return "ok";
    sendText(
      res,
      403,
      "403 Forbidden: this Tessera dashboard needs its access token. Open the link the scheduler printed " +
        "(it ends in ?token=…), or send 'Authorization: Bearer <token>'.\n",
    );
    return "refused";
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://dashboard");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendText(res, 405, `method ${req.method} not allowed; the dashboard is read-only (GET)\n`);
      return;
    }
    if (path === "/health") return sendText(res, 200, "ok");
    if (token === undefined && !isLoopbackHostHeader(req.headers.host)) {
      // Without a token only this machine may ask; a page elsewhere that rebinds its DNS name to
      // 127.0.0.1 still sends its own name in Host, so refuse those.
      return sendText(res, 403, `403 Forbidden: Host '${req.headers.host ?? ""}' is not this machine; open the dashboard as http://localhost:PORT/ or 127.0.0.1\n`);
    }
    if (path === "/favicon.ico") {
      res.writeHead(204);
      res.end();
      return;
    }
    const auth = authorised(req, url, res);
    if (auth !== "ok") return;
    if (path === "/") {
      res.writeHead(302, { location: `/status${token ? `?token=${token}` : ""}`, "referrer-policy": "no-referrer" });
      res.end();
      return;
    }
    const page = PAGES.find((p) => `/${p.name}` === path);
    if (page) {
      const built = readAsset("app.js") !== undefined;
      // Everything comes from this server; task keys and error texts are escaped, and CSP backs that up.
      res.setHeader("content-security-policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'");
      res.setHeader("x-content-type-options", "nosniff");
      res.setHeader("referrer-policy", "no-referrer");
      return sendText(res, 200, pageHtml(page.name as PageName, opts.source.schedulerAddress, built, token), "text/html; charset=utf-8");
    }
    if (path.startsWith("/individual/")) {
      const pane = PANES.find((p) => `/individual/${p}` === path);
      if (!pane) return sendText(res, 404, `no pane '${path}'; panes: ${PANES.map((p) => "/individual/" + p).join(", ")}\n`);
      // Panes are read-only plots meant for an iframe beside a notebook, so other pages may frame them.
      res.setHeader("content-security-policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:");
      res.setHeader("x-content-type-options", "nosniff");
      res.setHeader("referrer-policy", "no-referrer");
      return sendText(res, 200, paneHtml(pane, readAsset("app.js") !== undefined, token !== undefined ? (url.searchParams.get("token") ?? undefined) : undefined), "text/html; charset=utf-8");
    }
    if (path.startsWith("/assets/")) {
      const name = path.slice("/assets/".length);
      const ext = /\.[a-z]+$/.exec(name)?.[0] ?? "";
      const buf = /^[\w.-]+$/.test(name) ? readAsset(name) : undefined;
      if (!buf || !CONTENT_TYPES[ext]) return sendText(res, 404, `no asset '${name}'\n`);
      res.writeHead(200, { "content-type": CONTENT_TYPES[ext]!, "cache-control": "no-cache" });
      res.end(buf);
      return;
    }
    switch (path) {
      case "/metrics":
        return sendText(res, 200, renderMetrics(collector.snapshot()), "text/plain; version=0.0.4; charset=utf-8");
      case "/api/stream":
        hub.attach(res);
        return;
      case "/api/snapshot":
        return sendJson(res, collector.snapshot());
      case "/api/workers":
        return sendJson(res, collector.snapshot().workers);
      case "/api/progress":
        return sendJson(res, collector.progress());
      case "/api/jobs":
        return sendJson(res, collector.snapshot().jobs);
      case "/api/history":
        return sendJson(res, collector.history());
      case "/api/task-stream": {
        const since = Number(url.searchParams.get("since") ?? "0");
        const got = collector.spans.since(Number.isFinite(since) ? since : 0, 10_000);
        return sendJson(res, { spans: got.spans.map(toSpanWire), next: got.next, skipped: got.skipped });
      }
      case "/api/info": {
        const body: InfoPayload = { schedulerLog: opts.source.schedulerLog(500), erred: opts.source.erredTasks(100) };
        return sendJson(res, body);
      }
      case "/api/logs/worker": {
        const address = url.searchParams.get("address");
        if (!address) return sendText(res, 400, "give the worker with ?address=tcp://HOST:PORT\n");
        if (!opts.source.workerLog) return sendText(res, 501, "this scheduler cannot fetch worker logs\n");
        try {
          return sendJson(res, await opts.source.workerLog(address, 200));
        } catch (err) {
          return sendText(res, 404, `no log for worker '${address}': ${(err as Error).message}\n`);
        }
      }
      default:
        return sendText(res, 404, `no page '${path}'; pages: ${PAGES.map((p) => "/" + p.name).join(", ")}, /metrics, /health, /api/…\n`);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.log?.error({ err }, "dashboard request failed");
      if (!res.headersSent) sendText(res, 500, `dashboard error: ${(err as Error).message}\n`);
      else res.end();
    });
  });
  server.keepAliveTimeout = 5000;
  const listenOn = (p: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once("error", onError);
      server.listen(p, host, () => {
        server.off("error", onError);
        resolve();
      });
    });
  try {
    try {
      await listenOn(port);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || port === 0 || opts.fallbackToAnyPort === false) throw err;
      opts.log?.info(`dashboard port ${port} on ${host} is in use; serving the dashboard on another port (see the next line)`);
      await listenOn(0);
    }
  } catch (err) {
    clearInterval(sampler);
    collector.close();
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new DashboardConfigError(
        `dashboard port ${port} on ${host} is in use; pick another with dashboard: {address: '${host}:0'} or stop the other process`,
      );
    }
    throw err;
  }
  server.unref();
  const bound = (server.address() as AddressInfo).port;
  const linkHost = host === "0.0.0.0" || host === "::" ? hostname() : host.includes(":") ? `[${host}]` : host;
  const url = `http://${linkHost}:${bound}/status${token ? `?token=${token}` : ""}`;
  opts.log?.info(
    { dashboard: url },
    `Dashboard at ${url} — from a laptop, tunnel through the login node: ${tunnelHint(bound)} then open ` +
      `http://localhost:${bound}/status${token ? `?token=${token}` : ""}`,
  );

  let closed: Promise<void> | undefined;
  return {
    url,
    host,
    port: bound,
    token,
    get updatesSent() {
      return hub.updatesSent;
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        clearInterval(sampler);
        hub.close();
        collector.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
