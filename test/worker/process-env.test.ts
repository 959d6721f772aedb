// The environment worker processes start with (src/worker/process-env.ts): huge pages for big
// buffers and prompt trimming, without overriding what the user set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { workerProcessEnv } from "../../src/worker/process-env.js";
import { withCluster } from "../fixtures/cluster.js";

test("workerProcessEnv adds the huge-page tunable and the trim threshold, keeping what is already set", () => {
  const plain = workerProcessEnv({ PATH: "/bin" });
  assert.equal(plain["GLIBC_TUNABLES"], "glibc.malloc.hugetlb=1");
  assert.equal(plain["MALLOC_TRIM_THRESHOLD_"], "65536");
  assert.equal(plain["PATH"], "/bin");
  assert.equal(workerProcessEnv({ GLIBC_TUNABLES: "glibc.malloc.arena_max=2" })["GLIBC_TUNABLES"], "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1");
  assert.equal(workerProcessEnv({ GLIBC_TUNABLES: "glibc.malloc.hugetlb=0" })["GLIBC_TUNABLES"], "glibc.malloc.hugetlb=0", "an explicit choice wins");
  assert.equal(workerProcessEnv({ GLIBC_TUNABLES: "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2" })["GLIBC_TUNABLES"], "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2");
  assert.equal(workerProcessEnv({ MALLOC_TRIM_THRESHOLD_: "0" })["MALLOC_TRIM_THRESHOLD_"], "0");
});

function thpMode(): string {
  try {
    return /\[(\w+)\]/.exec(readFileSync("/sys/kernel/mm/transparent_hugepage/enabled", "utf8"))?.[1] ?? "never";
  } catch {
    return "never";
  }
}

test("LocalCluster's worker processes run with it, and their chunk data sits in huge pages where the kernel offers them", async () => {
  for (const nanny of [false, true]) {
    await withCluster({ nWorkers: 1, nanny }, async ({ cluster, client }) => {
      const pid = Object.values(await client.run(() => process.pid))[0]!; // the worker itself, not its nanny
      assert.ok([...cluster.workerPids().values()].includes(pid));
      const env = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      assert.ok(env.includes("GLIBC_TUNABLES=glibc.malloc.hugetlb=1"), `worker environment (nanny: ${nanny}) has the tunable`);
      assert.ok(env.includes("MALLOC_TRIM_THRESHOLD_=65536"));
      // a 64 MiB chunk kept on the worker
      const f = client.submit((n: number) => new Float64Array(n).fill(1), 8 * 1024 * 1024);
      await f.result();
      const huge = Number(/AnonHugePages:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0);
      // The kernel decides whether huge pages exist at all ("never": none to ask for).
      if (thpMode() === "madvise" || thpMode() === "always") assert.ok(huge >= 32 * 1024, `worker holds ${huge} kB in huge pages`);
      else assert.equal(thpMode(), "never");
      f.release();
    });
  }
});
