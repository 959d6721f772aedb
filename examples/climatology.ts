/**
 * Monthly climatology and anomaly of t2m(time, lat, lon) — what xarray users write as
 * `ds.t2m.groupby("time.month").mean()` and `(ds.t2m.groupby("time.month") - clim).mean("time")`.
 * Reads the NetCDF-4 file and the Zarr store made by scripts/make-climate-data.py (the same data),
 * writes the climatology to Zarr, and checks both inputs give the same answer.
 *
 *   npm run example:climate-data -- --out /tmp/climate     # ~2 GB per copy (see --years/--lat/--lon)
 *   npm run example:climatology -- /tmp/climate            # LocalCluster, 2 workers x 1 thread
 *   TESSERA_SLURM=1 npm run example:climatology -- /shared/climate   # SLURMCluster, 2 jobs
 *
 * On SLURM the data directory must be on the filesystem every node sees: each task opens the file
 * on its worker and reads only its block.
 */
import { LocalCluster } from "../src/cluster/local.js";
import { SLURMCluster } from "../src/cluster/slurm/index.js";
import { Client } from "../src/client/client.js";
import { fromNetCDF, fromZarr, openDataset, type TArray } from "../src/array/index.js";
import { TesseraError } from "../src/util/errors.js";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node dist/examples/climatology.js DATA_DIR (made by scripts/make-climate-data.py)");
  process.exit(2);
}
if (process.env["TESSERA_LOG_LEVEL"] === undefined) process.env["TESSERA_LOG_LEVEL"] = "warn";

/** Climatology per calendar month (12 arrays of (lat, lon)) and the time-mean anomaly. */
function climatology(x: TArray): { clim: TArray[]; anomalyMean: TArray } {
  const nt = x.shape[0]!;
  const clim: TArray[] = [];
  let anomalySum: TArray | undefined;
  for (let m = 0; m < 12; m++) {
    const months = x.slice([m, null, 12], null, null); // every year's month m
    const c = months.mean({ axis: 0 });
    clim.push(c);
    const s = months.sub(c).sum({ axis: 0 });
    anomalySum = anomalySum === undefined ? s : anomalySum.add(s);
  }
  return { clim, anomalyMean: anomalySum!.div(nt) };
}

const t0 = Date.now();
const slurm = process.env["TESSERA_SLURM"] === "1";
const cluster = slurm ? await SLURMCluster.start({ cores: 1, processes: 1, memory: "4GB" }) : await LocalCluster.start({ nWorkers: 2, threadsPerWorker: 1, memoryLimit: "6GB" });
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
  for (const [name, x] of [["netcdf", nc], ["zarr", zr]] as const) {
    const t = Date.now();
    const { clim, anomalyMean } = climatology(x.astype("float64"));
    // Write the climatology (one array per month) while computing the anomaly's global mean.
    await Promise.all(clim.map((c, m) => c.toZarr(`${dir}/clim-${name}.zarr`, { path: `month${String(m + 1).padStart(2, "0")}`, overwrite: true, dims: ["lat", "lon"] })));
    const janMean = Number(await clim[0]!.mean().compute());
    const julMean = Number(await clim[6]!.mean().compute());
    const anom = Number(await anomalyMean.mean().compute());
    const maxAbs = Number(await anomalyMean.abs().max().compute());
    results[`${name}Seconds`] = (Date.now() - t) / 1000;
    console.log(`${name}: January mean ${janMean.toFixed(3)} K, July mean ${julMean.toFixed(3)} K, anomaly mean ${anom.toExponential(2)}, max |time-mean anomaly| ${maxAbs.toExponential(2)} (${results[`${name}Seconds`]} s)`);
    results[`${name}Jan`] = janMean;
  }
  if (Math.abs(results["netcdfJan"]! - results["zarrJan"]!) > 1e-9) throw new TesseraError("TESSERA_ERR_EXAMPLE_MISMATCH", `NetCDF and Zarr climatologies differ: January means ${results["netcdfJan"]} and ${results["zarrJan"]}`);
  console.log(JSON.stringify({ ...results, totalSeconds: (Date.now() - t0) / 1000, cluster: slurm ? "slurm" : "local" }));
} finally {
  await client.close();
  await cluster.close();
}
