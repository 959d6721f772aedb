/**
 * The dashboard token: derived from the cluster secret, so whoever holds the secret (the user who
 * started the cluster) can compute the link, and the secret itself never appears in a URL or cookie.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** 32 hex characters: HMAC-SHA256(secret, "tessera-dashboard-v1"), truncated. */
export function dashboardToken(secret: string): string {
  if (secret.length === 0) throw new Error("dashboardToken: the cluster secret is empty; pass the cluster's Security.secret");
  return createHmac("sha256", secret).update("tessera-dashboard-v1").digest("hex").slice(0, 32);
}

/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Cookies are shared by all ports of a host: name the cookie after the port, so two dashboards on one login node do not log each other out. */
export function tokenCookieName(port: number): string {
  return `tessera_dashboard_token_${port}`;
}

/** The value of one cookie in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
