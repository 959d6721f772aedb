/**
 * The dashboard token: derived from the cluster secret, so whoever holds the secret (the user who
 * started the cluster) can compute the link, and the secret itself never appears in a URL or cookie.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { UsageError } from "../util/errors.js";

/** 32 hex characters: HMAC-SHA256(secret, "tessera-dashboard-v1"), truncated. */
export function dashboardToken(secret: string): string {
  if (secret.length === 0) throw new UsageError("dashboardToken: the cluster secret is empty; pass the cluster's Security.secret");
  return createHmac("sha256", secret).update("tessera-dashboard-v1").digest("hex").slice(0, 32);
}

/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}
