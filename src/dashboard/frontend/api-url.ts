/**
 * The dashboard sets no cookie (a browser would send it to every port of the host), so the page's own
 * requests carry the access token from the page's address, as its links do.
 */
export function apiUrl(path: string): string {
  const token = new URLSearchParams(location.search).get("token");
  if (!token) return path;
  return `${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
}
