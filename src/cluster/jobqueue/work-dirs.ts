/**
 * A batch cluster's private folder (~/.tessera/jobqueue/<name>-<pid>-<random>, 0700: the secret file
 * and the job scripts). Removed on close; after a SIGKILL the next cluster started by this user on
 * this host removes it. The home directory is usually shared between login nodes, so the folder
 * records its owner's host and pid, and only folders of this host's dead processes are swept.
 */
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";

const OWNER_FILE = "owner.json";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Creates `dir` (0700) and records this process as its owner. */
export async function createWorkDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, OWNER_FILE), JSON.stringify({ host: hostname(), pid: process.pid }), { mode: 0o600 });
}

/** Removes the folders under `root` whose owner ran on this host and is dead; returns them. */
export async function sweepStaleWorkDirs(root: string): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const stale: string[] = [];
  for (const n of names) {
    const dir = join(root, n);
    let owner: { host?: unknown; pid?: unknown };
    try {
      owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), "utf8")) as typeof owner;
    } catch {
      continue; // not ours, or being created: leave it
    }
    if (owner.host !== hostname() || typeof owner.pid !== "number" || owner.pid === process.pid) continue;
    if (!isAlive(owner.pid)) stale.push(dir);
  }
  await Promise.all(stale.map((d) => rm(d, { recursive: true, force: true })));
  return stale;
}
