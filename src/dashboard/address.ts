/** Parsing the dashboard's listen address: "127.0.0.1:8787", ":8787" (all interfaces), "host:0", "8787". */

import { TesseraError } from "../util/errors.js";

export const DEFAULT_DASHBOARD_ADDRESS = "127.0.0.1:8787";

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export class DashboardAddressError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_DASHBOARD_ADDRESS", message);
  }
}

export function parseDashboardAddress(address: string): ListenAddress {
  const bad = (why: string): never => {
    throw new DashboardAddressError(
      `dashboard address '${address}' ${why}; use HOST:PORT such as '127.0.0.1:8787', ':8787' for all interfaces, or port 0 for any free port`,
    );
  };
  const s = address.trim().replace(/^https?:\/\//, "");
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(s);
  if (v6) {
    host = v6[1]!;
    portText = v6[2]!;
  } else if (/^\d+$/.test(s)) {
    host = "127.0.0.1";
    portText = s;
  } else {
    const colon = s.lastIndexOf(":");
    if (colon < 0) return bad("has no port");
    host = s.slice(0, colon);
    portText = s.slice(colon + 1);
    if (host === "") host = "0.0.0.0";
  }
  if (!/^\d+$/.test(portText)) return bad(`has port '${portText}', which is not a number`);
  const port = Number(portText);
  if (port > 65535) return bad(`has port ${port}, above 65535`);
  if (host.includes("/") || host.includes(" ")) return bad(`has host '${host}'`);
  return { host, port };
}

/** True when only this machine can connect. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}
