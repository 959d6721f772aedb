/**
 * The environment every worker process starts with (set by whoever spawns it: the nanny, LocalCluster,
 * `tessera worker`). Both settings are read by glibc at process start, so they cannot be set from
 * inside the worker; values already in the environment win.
 *
 * - `MALLOC_TRIM_THRESHOLD_=65536` (Dask's pre-spawn setting): freed memory goes back to the OS
 *   promptly, so the RSS the memory thresholds watch drops after results are spilled.
 * - `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`: big buffers (chunk data) are mapped with
 *   madvise(MADV_HUGEPAGE), so where transparent huge pages are in "madvise" mode (Debian's and most
 *   distributions' default) a fresh 32 MiB chunk costs 16 page faults instead of 8192. On the VMs this
 *   was measured on, a first write to fresh 4 KiB pages runs at ~0.3 GB/s against ~10 GB/s with huge
 *   pages; without it no chunk received from a peer can arrive faster than that (bench/protocol.ts).
 *   Memory is still returned on free (munmap); no effect where THP is "never" or glibc predates 2.35.
 */

export const HUGE_PAGES_TUNABLE = "glibc.malloc.hugetlb=1";

export function workerProcessEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { MALLOC_TRIM_THRESHOLD_: "65536", ...base };
  const tunables = env["GLIBC_TUNABLES"];
  if (tunables === undefined || tunables === "") env["GLIBC_TUNABLES"] = HUGE_PAGES_TUNABLE;
  else if (!/(^|:)glibc\.malloc\.hugetlb=/.test(tunables)) env["GLIBC_TUNABLES"] = `${tunables}:${HUGE_PAGES_TUNABLE}`;
  return env;
}
