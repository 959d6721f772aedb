/**
 * A batch cluster's private folder (~/.tessera/jobqueue/<name>-<pid>-<random>, 0700: the secret file
 * and the job scripts). Removed on close; after a SIGKILL the next cluster started by this user on
 * this host removes it. The home directory is usually shared between login nodes, so the folder
 * records its owner's host and pid, and only folders of this host's dead processes are swept.
 */
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { sweepDeadOwners } from "../../util/stale-dirs.js";

const OWNER_FILE = "owner.json";

/** Creates `dir` (0700) and records this process as its owner. */
export async function createWorkDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, OWNER_FILE), JSON.stringify({ host: hostname(), pid: process.pid }), { mode: 0o600 });
}

/** Removes the folders under `root` whose owner ran on this host and is dead; returns them. */
export async function sweepStaleWorkDirs(root: string): Promise<string[]> {
  return sweepDeadOwners(root, (_name, dir) => {
    let owner: { host?: unknown; pid?: unknown };
    try {
      owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), "utf8")) as typeof owner;
    } catch {
      return undefined; // not ours, or being created: leave it
    }
    return owner.host === hostname() && typeof owner.pid === "number" ? owner.pid : undefined;
  });
}
