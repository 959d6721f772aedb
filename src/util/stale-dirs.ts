/**
 * Folders left behind by processes that died without cleaning up (SIGKILL, node crash): spill
 * folders, a batch cluster's private folder. Each kind names its owner its own way; this sweeps
 * the ones whose owner is a dead process of this host.
 */
import { readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";

/** Whether process `pid` of this host is running (EPERM: it is, but another user's). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the folders under `root` whose owner, as `ownerPid(name, path)` tells (undefined: not
 * ours, leave it), is a dead process other than this one; returns their paths.
 */
export async function sweepDeadOwners(root: string, ownerPid: (name: string, path: string) => number | undefined): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const stale: string[] = [];
  for (const n of names) {
    const path = join(root, n);
    const pid = ownerPid(n, path);
    if (pid !== undefined && Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid)) stale.push(path);
  }
  await Promise.all(stale.map((d) => rm(d, { recursive: true, force: true })));
  return stale;
}
