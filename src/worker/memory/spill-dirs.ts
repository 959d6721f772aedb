/**
 * Names of spill directories, so that what a killed worker left behind can be found and removed:
 * `<local-directory>/tessera-spill-<host>-<pid>-XXXXXX`. The host is part of the name because a
 * --local-directory may be on a filesystem shared between nodes: only this host's dead pids are
 * swept.
 */
import { readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { sweepDeadOwners } from "../../util/stale-dirs.js";

function safeHost(): string {
  return hostname().replace(/[^A-Za-z0-9.]/g, "_");
}

export function spillDirPrefix(pid: number = process.pid): string {
  return `tessera-spill-${safeHost()}-${pid}-`;
}

/** Remove the spill directories of process `pid` on this host (the nanny calls this when its worker dies). */
export async function removeSpillDirsOf(localDirectory: string, pid: number): Promise<string[]> {
  const prefix = spillDirPrefix(pid);
  let names: string[];
  try {
    names = readdirSync(localDirectory);
  } catch {
    return [];
  }
  const gone = names.filter((n) => n.startsWith(prefix)).map((n) => join(localDirectory, n));
  await Promise.all(gone.map((d) => rm(d, { recursive: true, force: true })));
  return gone;
}

/** Remove spill directories left by dead processes of this host (a worker calls this at start). */
export async function sweepStaleSpillDirs(localDirectory: string): Promise<string[]> {
  const prefix = `tessera-spill-${safeHost()}-`;
  return sweepDeadOwners(localDirectory, (n) => (n.startsWith(prefix) ? Number(n.slice(prefix.length).split("-")[0]) : undefined));
}
