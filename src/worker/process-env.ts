/**
 * The environment every worker process starts with (set by whoever spawns it: the nanny, LocalCluster,
 * `tessera worker`). These settings are read by glibc at process start, so they cannot be set from
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
 * - `glibc.malloc.mmap_threshold=1048576` (1 MiB): setting the trim threshold freezes glibc's mmap
 *   threshold at 128 KiB, so every buffer above that (a rechunk's pieces, small results, received
 *   frames) would be mapped afresh and unmapped on free, and on the VMs measured first-touching fresh
 *   4 KiB pages is what such transfers cost. Below 1 MiB, buffers now come from the heap and are reused
 *   warm; chunks (a megabyte and up) are still mapped and returned on free, so RSS still drops when they
 *   are spilled or released. Measured: the full-size swap rechunk of bench:arrays (20000², 5000 pieces
 *   of 320 KB moving between workers) 11.79 -> 8.33 s. Not higher: with 4 MiB, the 4 MB results of
 *   test/chaos/spill.test.ts stayed in the heap after being spilled (RSS never dropped) and a worker
 *   was killed at the terminate line.
 */

export const HUGE_PAGES_TUNABLE = "glibc.malloc.hugetlb=1";
export const MMAP_THRESHOLD_TUNABLE = "glibc.malloc.mmap_threshold=1048576";

export function workerProcessEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { MALLOC_TRIM_THRESHOLD_: "65536", ...base };
  // each tunable only where the environment does not set it already
  const given = env["GLIBC_TUNABLES"] ?? "";
  const add = [HUGE_PAGES_TUNABLE, MMAP_THRESHOLD_TUNABLE].filter((t) => !new RegExp(`(^|:)${t.split("=")[0]!.replace(/\./g, "\\.")}=`).test(given));
  if (add.length > 0) env["GLIBC_TUNABLES"] = [given, ...add].filter((t) => t !== "").join(":");
  return env;
}
