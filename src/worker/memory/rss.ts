/** Resident memory of this process or of another one (Linux /proc; `ps` elsewhere). */
import { readFile } from "node:fs/promises";
import { execFile } from "node:child_process";

export function ownRss(): number {
  return process.memoryUsage.rss();
}

/** RSS of process `pid` in bytes, or undefined when it is gone. */
export async function processRss(pid: number): Promise<number | undefined> {
  if (pid === process.pid) return ownRss();
  if (process.platform === "linux") {
    try {
      const status = await readFile(`/proc/${pid}/status`, "utf8");
      const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return undefined;
    }
  }
  return new Promise((resolve) => {
    execFile("ps", ["-o", "rss=", "-p", String(pid)], (err, out) => {
      const kb = Number(out.trim());
      resolve(err || !Number.isFinite(kb) || out.trim() === "" ? undefined : kb * 1024);
    });
  });
}
