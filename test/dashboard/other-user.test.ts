/**
 * Finding: on a shared login node another user read /api/info, /metrics and /api/snapshot of a
 * loopback dashboard. Now the token is asked on loopback too: a process of another OS user (nobody)
 * is refused; the cluster's own user, with the printed link, gets in.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { LocalCluster } from "../../src/cluster/local.js";

/** GET each of `urls` as the OS user `nobody`; resolves with the HTTP statuses (0: could not connect). */
function getAsNobody(urls: string[]): Promise<number[]> {
  const script = `Promise.all(${JSON.stringify(urls)}.map((u) => fetch(u).then((r) => r.status, () => 0))).then((s) => process.stdout.write(JSON.stringify(s)))`;
  // asynchronous: the dashboard answering lives in this process
  return new Promise((resolve, reject) =>
    execFile("runuser", ["-u", "nobody", "--", process.execPath, "-e", script], { encoding: "utf8", timeout: 30_000, cwd: "/" }, (err, stdout, stderr) =>
      err ? reject(new Error(`runuser failed: ${err.message} ${stderr}`)) : resolve(JSON.parse(stdout) as number[]),
    ),
  );
}

test("another OS user is refused by a loopback dashboard (token asked by default); the printed link works", async () => {
  assert.equal(process.getuid?.(), 0, "this test switches user with runuser, so it runs as root (as CI does)");
  const cluster = await LocalCluster.start({ nWorkers: 1, threadsPerWorker: 1, logLevel: "error", dashboard: { address: "127.0.0.1:0" } });
  try {
    const link = cluster.scheduler.dashboardLink!;
    assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/status\?token=[0-9a-f]{32}$/, "the printed link carries the token");
    const base = new URL(link).origin;
    const paths = ["/api/info", "/metrics", "/api/snapshot", "/api/workers", "/status", "/api/stream", `/api/info?token=${"0".repeat(32)}`];
    assert.deepEqual(await getAsNobody(paths.map((p) => base + p)), paths.map(() => 403), `nobody GET ${paths.join(" ")}`);
    // the cluster's own user, with the link it was given
    assert.equal((await fetch(link)).status, 200);
    assert.equal((await fetch(`${base}/api/info${new URL(link).search}`)).status, 200);
  } finally {
    await cluster.close();
  }
});
