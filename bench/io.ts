/**
 * Read-and-reduce throughput of Zarr (uncompressed and Blosc-LZ4) and NetCDF-4 (chunked) files,
 * Tessera vs Python Dask (da.from_zarr / da.from_array over h5py) on the same files in the same
 * run, both with 2 worker processes x 1 thread; plus Tessera's Zarr write throughput (a copy of
 * the first ~1 GB of the uncompressed store into a Blosc-LZ4 one, timed once). Data is generated
 * by NumPy. Dask's runs happen in one Python process that keeps its cluster up, and alternate
 * with Tessera's (who goes first alternates per repeat), so both see the same load on a shared
 * machine; medians of --repeats, each run's times and the load average are printed.
 *
 *   npm run bench:io -- [--size 4] [--repeats 3] [--data DIR]
 *
 * --size: GB per file (default 4, the issue's size). --data DIR: generate the files in DIR, or
 * reuse them when DIR already holds files of that size, and keep them (for repeated runs and
 * profiling); without it they go to a temp dir that is deleted afterwards.
 *
 * The last line is JSON: {"zarrReadGBps", "zarrReadDaskGBps", "netcdfReadGBps", "netcdfReadDaskGBps", "zarrWriteGBps", ...}.
 */
import { spawn, spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { createInterface } from "node:readline";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalCluster } from "../src/cluster/local.js";
import { Client } from "../src/client/client.js";
import { fromNetCDF, fromZarr } from "../src/array/index.js";
import { IOOptionsError } from "../src/array/io/errors.js";
import { TesseraError } from "../src/util/errors.js";

const FLAGS = ["size", "repeats", "data"];
for (const a of process.argv.slice(2)) {
  if (a.startsWith("--") && !FLAGS.includes(a.slice(2))) throw new IOOptionsError(`bench:io: unknown flag ${a}; flags: ${FLAGS.map((f) => `--${f}`).join(", ")}`);
}
function flagText(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
function flag(name: string, dflt: number): number {
  const v = flagText(name);
  const n = v === undefined ? dflt : Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new IOOptionsError(`bench:io: --${name} needs a positive number, got ${JSON.stringify(v)}`);
  return n;
}
const sizeGB = flag("size", 4);
const repeats = flag("repeats", 3);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const python = (code: string): string => {
  const r = spawnSync("/usr/bin/python3", ["-c", code], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new TesseraError("TESSERA_ERR_USAGE", `bench:io: /usr/bin/python3 failed (it needs python3-zarr, python3-netcdf4, python3-h5py, python3-dask, python3-distributed): ${r.stderr}`);
  return r.stdout;
};

const keep = flagText("data");
const load0 = loadavg()[0]!;
const dir = keep ?? mkdtempSync(join(tmpdir(), "tessera-bench-io-"));
const side = 512;
const slab = side * side * 8;
const chunkT = 16;
const nt = Math.max(chunkT, Math.round((sizeGB * 1e9) / slab / chunkT) * chunkT);
const bytes = nt * slab;
if (process.env["TESSERA_LOG_LEVEL"] === undefined) process.env["TESSERA_LOG_LEVEL"] = "warn";
try {
  const made = join(dir, "generated.json");
  const have = existsSync(made) ? (JSON.parse(readFileSync(made, "utf8")) as { nt: number }).nt : -1;
  if (have === nt) console.log(`reusing the files in ${dir} (float64 [${nt}, ${side}, ${side}])`);
  else {
  mkdirSync(dir, { recursive: true });
  console.log(`generating 3 files of ${(bytes / 1e9).toFixed(2)} GB each (float64 [${nt}, ${side}, ${side}], storage chunks [${chunkT}, ${side}, ${side}] = ${(chunkT * slab / 2 ** 20).toFixed(0)} MiB) under ${dir}`);
  python(`
import numpy as np, zarr, netCDF4, numcodecs
nt, s, c = ${nt}, ${side}, ${chunkT}
raw = zarr.open('${dir}/raw.zarr', mode='w', shape=(nt, s, s), chunks=(c, s, s), dtype='f8', compressor=None)
lz4 = zarr.open('${dir}/lz4.zarr', mode='w', shape=(nt, s, s), chunks=(c, s, s), dtype='f8')
nc = netCDF4.Dataset('${dir}/data.nc', 'w'); nc.createDimension('t', nt); nc.createDimension('y', s); nc.createDimension('x', s)
v = nc.createVariable('v', 'f8', ('t', 'y', 'x'), chunksizes=(c, s, s))
rng = np.random.default_rng(0)
for t in range(0, nt, c):
    b = np.round(rng.normal(280, 5, (c, s, s)), 2)
    raw[t:t + c] = b; lz4[t:t + c] = b; v[t:t + c] = b
nc.close()`);
  writeFileSync(made, JSON.stringify({ nt }));
  }
  // Dask's cluster runs in a Python process that reads one format name per line and answers one
  // JSON line [seconds, sum]; Tessera's and Dask's runs alternate (who goes first alternates per
  // repeat), so that both see the same machine: on a shared one the load drifts over minutes.
  const daskCode = `
import json, sys, time, h5py, numpy as np, dask.array as da
from dask.distributed import Client, LocalCluster
class H5:
    def __init__(self, path, name): self.path, self.name = path, name; self._d = None
    def _ds(self):
        if self._d is None: self._d = h5py.File(self.path, 'r')[self.name]
        return self._d
    @property
    def shape(self): return self._ds().shape
    @property
    def dtype(self): return self._ds().dtype
    ndim = 3
    def __getitem__(self, k): return self._ds()[k]
    def __getstate__(self): return (self.path, self.name)
    def __setstate__(self, s): self.path, self.name = s; self._d = None
if __name__ == '__main__':
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cl, Client(cl) as c:
        make = {'raw': lambda: da.from_zarr('${dir}/raw.zarr'), 'lz4': lambda: da.from_zarr('${dir}/lz4.zarr'),
                'nc': lambda: da.from_array(H5('${dir}/data.nc', 'v'), chunks=(${chunkT * 4}, ${side}, ${side}), lock=False)}
        print(json.dumps('ready'), flush=True)
        for line in sys.stdin:
            name = line.strip()
            t = time.perf_counter(); s = float(make[name]().sum().compute())
            print(json.dumps([time.perf_counter() - t, s]), flush=True)
`;
  const daskProc = spawn("/usr/bin/python3", ["-c", daskCode], { stdio: ["pipe", "pipe", "inherit"] });
  const daskLines = createInterface({ input: daskProc.stdout! })[Symbol.asyncIterator]();
  const daskNext = async (): Promise<unknown> => {
    for (;;) {
      const r = await daskLines.next();
      if (r.done) throw new TesseraError("TESSERA_ERR_USAGE", "bench:io: the Python Dask process ended early (see its output above)");
      try { return JSON.parse(r.value) as unknown; } catch { /* a line that is not ours */ }
    }
  };
  await daskNext();
  const daskRun = async (name: string): Promise<[number, number]> => {
    daskProc.stdin!.write(`${name}\n`);
    return (await daskNext()) as [number, number];
  };
  const cluster = await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, memoryLimit: "4GB" });
  const client = await Client.connect(cluster);
  const ours: Record<string, [number, number]> = {};
  const dask: Record<string, [number, number]> = {};
  let writeS = 0;
  const writeRows = Math.min(nt, Math.max(chunkT * 4, Math.round(1e9 / slab / (chunkT * 4)) * chunkT * 4));
  try {
    for (const [name, make] of [
      ["raw", () => fromZarr(`${dir}/raw.zarr`)],
      ["lz4", () => fromZarr(`${dir}/lz4.zarr`)],
      ["nc", () => fromNetCDF(`${dir}/data.nc`, "v")],
    ] as const) {
      const ts: number[] = [], dts: number[] = [];
      let s = 0, ds = 0;
      const tessera = async (): Promise<void> => {
        const t = performance.now();
        s = Number(await (await make()).sum().compute());
        ts.push((performance.now() - t) / 1000);
      };
      for (let r = 0; r < repeats; r++) {
        if (r % 2 === 1) await tessera();
        const [dt, dsum] = await daskRun(name);
        dts.push(dt);
        ds = dsum;
        if (r % 2 === 0) await tessera();
        console.log(`  ${name} repeat ${r + 1}: Tessera ${ts[r]!.toFixed(2)} s, Dask ${dt.toFixed(2)} s (load average ${loadavg()[0]!.toFixed(1)})`);
      }
      ours[name] = [median(ts), s];
      dask[name] = [median(dts), ds];
    }
    // Write: the first ~1 GB of the uncompressed store copied into a Blosc-LZ4 one (the whole
    // 4 GB took 6 minutes on the shared 2-core machine), once.
    const t = performance.now();
    await (await fromZarr(`${dir}/raw.zarr`)).slice([0, writeRows]).toZarr(`${dir}/copy.zarr`, { overwrite: true });
    writeS = (performance.now() - t) / 1000;
  } finally {
    daskProc.stdin!.end();
    await client.close();
    await cluster.close();
  }
  const gbps = (s: number): number => Number((bytes / 1e9 / s).toFixed(3));
  for (const k of ["raw", "lz4", "nc"]) {
    const [t, s] = ours[k]!;
    const [dt, ds] = dask[k]!;
    if (Math.abs(s - ds) > Math.abs(ds) * 1e-9) throw new TesseraError("TESSERA_ERR_BENCH_MISMATCH", `bench:io: ${k}: Tessera sum ${s} differs from Dask's ${ds}`);
    console.log(`${k.padEnd(4)} Tessera ${gbps(t)} GB/s (${t.toFixed(2)} s)   Dask ${gbps(dt)} GB/s (${dt.toFixed(2)} s)   ratio ${(dt / t).toFixed(2)}`);
  }
  const writeGBps = Number((writeRows * slab / 1e9 / writeS).toFixed(3));
  console.log(`zarr write (copy of the first ${(writeRows * slab / 1e9).toFixed(2)} GB, raw -> Blosc-LZ4): ${writeGBps} GB/s (${writeS.toFixed(2)} s)`);
  console.log(JSON.stringify({
    zarrReadGBps: gbps(ours.raw![0]), zarrReadDaskGBps: gbps(dask.raw![0]),
    zarrLz4ReadGBps: gbps(ours.lz4![0]), zarrLz4ReadDaskGBps: gbps(dask.lz4![0]),
    netcdfReadGBps: gbps(ours.nc![0]), netcdfReadDaskGBps: gbps(dask.nc![0]),
    zarrWriteGBps: writeGBps, sizeGB: Number((bytes / 1e9).toFixed(3)), repeats,
    loadAverage: [Number(load0.toFixed(1)), Number(loadavg()[0]!.toFixed(1))],
  }));
} finally {
  if (keep === undefined) rmSync(dir, { recursive: true, force: true });
  else rmSync(join(dir, "copy.zarr"), { recursive: true, force: true });
}
