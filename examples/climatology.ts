/**
 * Monthly climatology and anomaly of t2m(time, lat, lon) — what xarray users write as
 * `ds.t2m.groupby("time.month").mean()` and `(ds.t2m.groupby("time.month") - clim).mean("time")`.
 * Reads the NetCDF-4 file and the Zarr store made by scripts/make-climate-data.py (the same data),
 * writes the climatology to Zarr, and checks both inputs give the same answer.
 *
 *   npm run example:climate-data -- --out /tmp/climate     # ~2 GB per copy (see --years/--lat/--lon)
 *   npm run example:climatology -- /tmp/climate            # LocalCluster, 2 workers x 1 thread
 *   npm run example:climatology -- /shared/climate --slurm [--queue debug] [--memory 4GB]   # SLURMCluster, 2 jobs
 *
 * (TESSERA_SLURM=1 also selects SLURM.) The last line printed is JSON with the timings.
 *
 * On SLURM the data directory must be on the filesystem every node sees: each task opens the file
 * on its worker and reads only its block.
 */
import { LocalCluster } from "../src/cluster/local.js";
import { SLURMCluster } from "../src/cluster/slurm/index.js";
import { Client } from "../src/client/client.js";
import { fromNetCDF, fromZarr, openDataset, type TArray } from "../src/array/index.js";
import { TesseraError } from "../src/util/errors.js";

const USAGE = "usage: node dist/examples/climatology.js DATA_DIR [--slurm] [--queue NAME] [--memory 4GB] (DATA_DIR made by scripts/make-climate-data.py)";
const argv = process.argv.slice(2);
const VALUE_FLAGS = ["--queue", "--memory"];
let dir: string | undefined;
let slurm = process.env["TESSERA_SLURM"] === "1";
const opts: Record<string, string> = {};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === "--slurm") slurm = true;
  else if (VALUE_FLAGS.includes(a) && argv[i + 1] !== undefined) opts[a.slice(2)] = argv[++i]!;
  else if (a.startsWith("--")) throw new TesseraError("TESSERA_ERR_UNKNOWN_OPTION", `climatology: unknown or incomplete flag ${a}; ${USAGE}`);
  else if (dir === undefined) dir = a;
  else throw new TesseraError("TESSERA_ERR_UNKNOWN_OPTION", `climatology: one DATA_DIR only, got ${dir} and ${a}; ${USAGE}`);
}
if (!dir) {
  console.error(USAGE);
  process.exit(2);
}
if (process.env["TESSERA_LOG_LEVEL"] === undefined) process.env["TESSERA_LOG_LEVEL"] = "warn";

/**
 * Climatology per calendar month, (12, lat, lon), and the anomaly against it. The time axis is
 * viewed as (year, month) — blocks are whole years, so the reshape moves no data — and the
 * climatology is the mean over years: one pass over the data, kept on the workers (persist) for
 * the write and the anomaly, which is a second pass.
 */
async function climatology(x: TArray): Promise<{ clim: TArray; anomalyMean: TArray }> {
  const [nt, nlat, nlon] = x.shape as [number, number, number];
  if (nt % 12 !== 0) throw new TesseraError("TESSERA_ERR_USAGE", `climatology: ${nt} time steps are not whole years of 12 months`);
  const byMonth = x.reshape(nt / 12, 12, nlat, nlon);
  const clim = await byMonth.mean({ axis: 0 }).persist();
  const anomalyMean = await byMonth.sub(clim).mean({ axis: [0, 1] }).persist();
  return { clim, anomalyMean };
}

const t0 = Date.now();
const cluster = slurm
  ? await SLURMCluster.start({ cores: 1, processes: 1, memory: opts["memory"] ?? "4GB", ...(opts["queue"] ? { queue: opts["queue"] } : {}) }) : await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, memoryLimit: "6GB" });
if (slurm) await cluster.scale(2);
const client = await Client.connect(cluster);
try {
  const ds = await openDataset(`${dir}/t2m.nc`);
  const v = ds.variables["t2m"]!;
  console.log(`t2m${JSON.stringify(v.shape)} ${v.dtype} dims ${v.dims.join(",")} storage chunks ${JSON.stringify(v.chunks)} units ${String(v.attrs["units"])}`);
  const nc = await fromNetCDF(`${dir}/t2m.nc`, "t2m");
  const zr = await fromZarr(`${dir}/t2m.zarr`, { path: "t2m" });
  console.log(`blocks: NetCDF ${nc.npartitions} of ${JSON.stringify(nc.chunksize)}, Zarr ${zr.npartitions} of ${JSON.stringify(zr.chunksize)}`);
  const results: Record<string, number> = {};
  const gb = (v.shape.reduce((a, b) => a * b, 1) * (v.dtype === "float32" ? 4 : 8)) / 1e9;
  for (const [name, x] of [["netcdf", nc], ["zarr", zr]] as const) {
    const t = Date.now();
    const { clim, anomalyMean } = await climatology(x.astype("float64"));
    const tClim = (Date.now() - t) / 1000;
    await clim.toZarr(`${dir}/clim-${name}.zarr`, { overwrite: true, dims: ["month", "lat", "lon"] });
    const months = (await clim.mean({ axis: [1, 2] }).computeArray()).toArray() as number[];
    const anom = Number(await anomalyMean.mean().compute());
    const maxAbs = Number(await anomalyMean.abs().max().compute());
    const seconds = (Date.now() - t) / 1000;
    results[`${name}Seconds`] = seconds;
    results[`${name}ClimatologySeconds`] = tClim;
    results[`${name}Jan`] = months[0]!;
    console.log(`${name}: climatology (one pass over ${gb.toFixed(2)} GB) ${tClim.toFixed(1)} s = ${(gb / tClim).toFixed(3)} GB/s; ` +
      `with the Zarr write and the anomaly pass ${seconds.toFixed(1)} s. January mean ${months[0]!.toFixed(3)} K, July mean ${months[6]!.toFixed(3)} K, ` +
      `anomaly mean ${anom.toExponential(2)}, max |time-mean anomaly| ${maxAbs.toExponential(2)}`);
  }
  if (Math.abs(results["netcdfJan"]! - results["zarrJan"]!) > 1e-9) throw new TesseraError("TESSERA_ERR_EXAMPLE_MISMATCH", `NetCDF and Zarr climatologies differ: January means ${results["netcdfJan"]} and ${results["zarrJan"]}`);
  console.log(JSON.stringify({ ...results, sizeGB: Number(gb.toFixed(3)), totalSeconds: (Date.now() - t0) / 1000, cluster: slurm ? "slurm" : "local" }));
} finally {
  await client.close();
  await cluster.close();
}
