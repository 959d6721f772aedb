/**
 * Runs examples/climatology.ts (compiled) on tiny data from scripts/make-climate-data.py and
 * checks what it wrote against NumPy's climatology of the same NetCDF file: shared by the
 * LocalCluster test here and the SLURM one in test/slurm/.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { py, PYTHON } from "./python.js";
import { spawnSync } from "node:child_process";

const EXAMPLE = fileURLToPath(new URL("../../examples/climatology.js", import.meta.url));
const GENERATOR = fileURLToPath(new URL("../../../scripts/make-climate-data.py", import.meta.url));

export function makeClimateData(dir: string): void {
  const r = spawnSync(PYTHON, [GENERATOR, "--out", dir, "--years", "3", "--lat", "19", "--lon", "36"], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, `make-climate-data.py failed: ${r.stderr}`);
}

/** Runs the example; returns its last line (JSON) parsed. */
export async function runClimatology(dir: string, args: string[], cwd: string): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, [EXAMPLE, dir, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, TESSERA_SLURM: "" } });
  let out = "", err = "";
  child.stdout.on("data", (b: Buffer) => { out += b; });
  child.stderr.on("data", (b: Buffer) => { err += b; });
  const code = await new Promise<number | null>((res) => child.on("exit", res));
  assert.equal(code, 0, `climatology example failed (exit ${code}):\n${out}\n${err}`);
  return JSON.parse(out.trim().split("\n").pop()!) as Record<string, unknown>;
}

/** The climatologies the example wrote (both inputs) equal NumPy's, month by month. */
export function checkAgainstNumpy(dir: string): void {
  const r = py(`
import netCDF4, zarr
x = netCDF4.Dataset('${dir}/t2m.nc')['t2m'][:].astype('f8')
want = x.reshape(-1, 12, *x.shape[1:]).mean(axis=0)
errs = [float(np.abs(zarr.open('${dir}/clim-%s.zarr' % k)[:] - want).max()) for k in ('netcdf', 'zarr')]
print(json.dumps({'shape': list(zarr.open('${dir}/clim-netcdf.zarr').shape), 'errs': errs, 'dims': zarr.open('${dir}/clim-zarr.zarr').attrs['_ARRAY_DIMENSIONS']}))`) as { shape: number[]; errs: number[]; dims: string[] };
  assert.deepEqual(r.shape, [12, 19, 36]);
  assert.deepEqual(r.dims, ["month", "lat", "lon"]);
  for (const e of r.errs) assert.ok(e < 1e-9, `climatology differs from NumPy's by ${e}`);
}
