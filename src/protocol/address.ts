/** Addresses: tcp://HOST:PORT or tls://HOST:PORT (IPv6 hosts in brackets: tcp://[::1]:8786). */
import { AddressError } from "../util/errors.js";

export type Scheme = "tcp" | "tls";
export interface ParsedAddress {
  scheme: Scheme;
  host: string;
  port: number;
}

const ADDRESS = /^(tcp|tls):\/\/(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})\/?$/;

export function parseAddress(addr: string): ParsedAddress {
  const bad = () =>
    new AddressError(`scheduler address '${addr}' is not valid; use tcp://HOST:PORT or tls://HOST:PORT`);
  if (typeof addr !== "string") throw bad();
  const m = ADDRESS.exec(addr.trim());
  if (!m) throw bad();
  const port = Number(m[3]);
  if (port > 65535) {
    throw new AddressError(`scheduler address '${addr}' has port ${port}; ports run from 0 to 65535`);
  }
  let host = m[2]!;
  if (host.startsWith("[")) host = host.slice(1, -1);
  return { scheme: m[1] as Scheme, host, port };
}

export function formatAddress(scheme: Scheme, host: string, port: number): string {
  return `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`;
}
