// After a SIGKILL, a batch cluster's folder (its secret inside) is removed by the next start on this host.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sweepStaleWorkDirs } from "../../src/cluster/jobqueue/work-dirs.js";

const workDirs = fileURLToPath(new URL("../../src/cluster/jobqueue/work-dirs.js", import.meta.url));

test("stale cluster folders: a SIGKILLed owner's folder is swept; a live owner's and another host's are kept", async () => {
  const root = mkdtempSync(join(tmpdir(), "tessera-workdirs-"));
  try {
    // a real process creates its folder (with a secret in it), then is killed without closing
    const killedDir = join(root, "SLURMCluster-killed");
    const child = spawn(process.execPath, ["--input-type=module", "-e", `import { createWorkDir } from ${JSON.stringify(workDirs)}; import { writeFileSync } from "node:fs"; await createWorkDir(${JSON.stringify(killedDir)}); writeFileSync(${JSON.stringify(join(killedDir, "tessera-secret"))}, "s", { mode: 0o600 }); process.stdout.write("ready"); setInterval(() => {}, 1000);`], { stdio: ["ignore", "pipe", "inherit"] });
    await once(child.stdout!, "data");
    assert.equal(statSync(killedDir).mode & 0o777, 0o700);
    const liveDir = join(root, "SLURMCluster-live");
    mkdirSync(liveDir);
    writeFileSync(join(liveDir, "owner.json"), JSON.stringify({ host: (await import("node:os")).hostname(), pid: child.pid }));
    assert.deepEqual(await sweepStaleWorkDirs(root), [], "nothing of a live process is removed");
    child.kill("SIGKILL");
    await once(child, "exit");
    const otherHost = join(root, "SLURMCluster-elsewhere");
    mkdirSync(otherHost);
    writeFileSync(join(otherHost, "owner.json"), JSON.stringify({ host: "another-login-node", pid: child.pid }));
    const foreign = join(root, "not-a-cluster-folder");
    mkdirSync(foreign);
    const swept = (await sweepStaleWorkDirs(root)).sort();
    assert.deepEqual(swept, [killedDir, liveDir].sort(), "the dead pid's folders on this host");
    assert.equal(existsSync(join(killedDir, "tessera-secret")), false);
    assert.ok(existsSync(otherHost), "another host's folder (shared home) is left alone");
    assert.ok(existsSync(foreign), "a folder without an owner record is left alone");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
