// Spill throughput of SpillableStore to local disk: write N chunks of 8 MB float64 (evict), then read
// them all back (load). Prints write, read and combined figures; last line JSON {"spillGBPerSec": …}
// where spillGBPerSec = bytes / (write seconds + read seconds), the median of the runs.
// Usage: node dist/bench/spill.js [totalMB=512] [runs=3] [directory=os.tmpdir()]
// Other benches (bench/chaos.ts) can import measureSpill() instead.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { SpillableStore } from "../src/worker/memory/index.js";

export interface SpillFigures {
  spillGBPerSec: number;
  spillWriteGBPerSec: number;
  spillReadGBPerSec: number;
  bytesPerRun: number;
  chunkBytes: number;
  runs: number;
  directory: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function measureSpill(opts: { totalMB?: number; runs?: number; directory?: string; log?: (line: string) => void } = {}): Promise<SpillFigures> {
  const totalMB = opts.totalMB ?? 512;
  const runs = opts.runs ?? 3;
  const base = opts.directory ?? tmpdir();
  const log = opts.log ?? (() => {});
  const chunkBytes = 8 * 1024 * 1024;
  const nChunks = Math.max(1, Math.round((totalMB * 1024 * 1024) / chunkBytes));
  const bytes = nChunks * chunkBytes;
  const writes: number[] = [];
  const reads: number[] = [];
  const combined: number[] = [];
  for (let r = 0; r < runs; r++) {
    const dir = mkdtempSync(join(base, "tessera-spill-bench-"));
    const store = new SpillableStore({ directory: dir });
    try {
      for (let i = 0; i < nChunks; i++) {
        const a = new Float64Array(chunkBytes / 8);
        for (let j = 0; j < a.length; j += 512) a[j] = i + j; // touch the pages
        store.set(`x-${i}`, a);
      }
      const t0 = performance.now();
      const spilled = await store.evict(bytes);
      const t1 = performance.now();
      if (spilled !== bytes) throw new Error(`spilled ${spilled} of ${bytes} bytes`);
      // Read back four at a time, as a worker fetching several dependencies would.
      for (let i = 0; i < nChunks; i += 4) {
        const ids = [i, i + 1, i + 2, i + 3].filter((k) => k < nChunks);
        const got = await Promise.all(ids.map((k) => store.load(`x-${k}`)));
        got.forEach((v, j) => {
          const a = v as Float64Array;
          const k = ids[j]!;
          if (a.length !== chunkBytes / 8 || a[512] !== k + 512) throw new Error(`chunk ${k} came back wrong`);
          store.delete(`x-${k}`); // keep memory flat while reading
        });
      }
      const t2 = performance.now();
      const w = (t1 - t0) / 1000;
      const rd = (t2 - t1) / 1000;
      writes.push(bytes / w / 1e9);
      reads.push(bytes / rd / 1e9);
      combined.push(bytes / (w + rd) / 1e9);
      log(`run ${r + 1}: wrote ${(bytes / 1e9).toFixed(2)} GB in ${w.toFixed(3)} s (${(bytes / w / 1e9).toFixed(2)} GB/s), read back in ${rd.toFixed(3)} s (${(bytes / rd / 1e9).toFixed(2)} GB/s)`);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    spillGBPerSec: Number(median(combined).toFixed(3)),
    spillWriteGBPerSec: Number(median(writes).toFixed(3)),
    spillReadGBPerSec: Number(median(reads).toFixed(3)),
    bytesPerRun: bytes,
    chunkBytes,
    runs,
    directory: base,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = await measureSpill({
    totalMB: Number(process.argv[2] ?? "512"),
    runs: Number(process.argv[3] ?? "3"),
    directory: process.argv[4] ?? tmpdir(),
    log: (l) => console.log(l),
  });
  console.log(`median of ${out.runs}: write ${out.spillWriteGBPerSec} GB/s, read ${out.spillReadGBPerSec} GB/s, write+read ${out.spillGBPerSec} GB/s (files in ${out.directory}; reads may be served by the page cache)`);
  console.log(JSON.stringify(out));
}
