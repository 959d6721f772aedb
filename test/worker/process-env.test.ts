// The environment worker processes start with (src/worker/process-env.ts): huge pages for big
// buffers, buffers under 1 MiB reused from the heap, prompt trimming, without overriding what the user set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { workerProcessEnv } from "../../src/worker/process-env.js";
import { withCluster } from "../fixtures/cluster.js";

const MMAP = "glibc.malloc.mmap_threshold=1048576";

test("workerProcessEnv adds the huge-page and mmap-threshold tunables and the trim threshold, keeping what is already set", () => {
  const plain = workerProcessEnv({ PATH: "/bin" });
  assert.equal(plain["GLIBC_TUNABLES"], `glibc.malloc.hugetlb=1:${MMAP}`);
  assert.equal(plain["MALLOC_TRIM_THRESHOLD_"], "65536");
  assert.equal(plain["PATH"], "/bin");
  assert.equal(workerProcessEnv({ GLIBC_TUNABLES: "glibc.malloc.arena_max=2" })["GLIBC_TUNABLES"], `glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1:${MMAP}`);
  assert.equal(workerProcessEnv({ GLIBC_TUNABLES: "glibc.malloc.hugetlb=0" })["GLIBC_TUNABLES"], `glibc.malloc.hugetlb=0:${MMAP}`, "an explicit choice wins");
  assert.equal(workerProcessEnv({ GLIBC_TUNABLES: "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2" })["GLIBC_TUNABLES"], `glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2:${MMAP}`);
  const own = "glibc.malloc.mmap_threshold=1073741824:glibc.malloc.hugetlb=1";
  assert.equal(workerProcessEnv({ GLIBC_TUNABLES: own })["GLIBC_TUNABLES"], own, "an explicit mmap threshold wins");
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
      // (not /proc/PID/environ: glibc cuts GLIBC_TUNABLES there after the first tunable it parsed)
      const env = Object.values(await client.run(() => [process.env["GLIBC_TUNABLES"], process.env["MALLOC_TRIM_THRESHOLD_"]]))[0]!;
      assert.deepEqual(env, [`glibc.malloc.hugetlb=1:${MMAP}`, "65536"], `worker environment (nanny: ${nanny})`);
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
