// Parallel reads and writes on a real LocalCluster (2 worker processes over TCP): the graph
// carries paths and block selections only, each worker opens the files itself.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fromHDF5, fromNetCDF, fromNpy, fromZarr, random } from "../../src/array/index.js";
import { withCluster } from "../fixtures/cluster.js";
import { py, tempDir } from "./python.js";

const { dir, cleanup } = tempDir("io-cluster");
after(cleanup);

test("Zarr, NetCDF-4/3, HDF5 and .npy: parallel block reads, writes composed with compute, checked by Python", async () => {
  py(`
a = np.arange(240 * 50 * 40, dtype='f4').reshape(240, 50, 40) % 977
zarr.open('${dir}/in.zarr', mode='w', shape=a.shape, chunks=(20, 50, 40), dtype='f4')[:] = a
np.save('${dir}/in.npy', a.astype('f8'))
for fmt, name in [('NETCDF4', 'in4.nc'), ('NETCDF3_CLASSIC', 'in3.nc')]:
    ds = netCDF4.Dataset('${dir}/' + name, 'w', format=fmt)
    ds.createDimension('t', None); ds.createDimension('y', 50); ds.createDimension('x', 40)
    kw = dict(zlib=True, chunksizes=(20, 50, 40)) if fmt == 'NETCDF4' else {}
    ds.createVariable('v', 'f4', ('t', 'y', 'x'), **kw)[:] = a
    ds.close()
with h5py.File('${dir}/in.h5', 'w') as f:
    f.create_dataset('g/v', data=a, chunks=(10, 50, 40), compression='gzip')`, ["zarr", "netCDF4", "h5py"]);
  await withCluster({}, async () => {
    const x = await fromZarr(join(dir, "in.zarr"), { chunks: [40, 50, 40] });
    assert.equal(x.npartitions, 6);
    assert.ok(JSON.stringify(x.graph).length < 6000, "the graph holds selections, not data");
    const n = fromNpy(join(dir, "in.npy"), { chunks: [60, 25, 40] });
    const [zs, ns] = await Promise.all([x.astype("float64").sum().compute(), n.sum().compute()]);
    assert.equal(zs, ns);
    const others = [
      await fromNetCDF(join(dir, "in4.nc"), "v", { chunks: [40, 50, 40] }),
      await fromNetCDF(join(dir, "in3.nc"), "v", { chunks: [40, 25, 40] }),
      await fromHDF5(join(dir, "in.h5"), "g/v", { chunks: [30, 50, 40] }),
    ];
    for (const o of others) assert.equal(await o.astype("float64").sum().compute(), zs, "NetCDF-4, NetCDF-3 and HDF5 reads on workers");
    await x.mean({ axis: 0 }).toZarr(join(dir, "mean.zarr"));
    await x.sub(x.mean({ axis: 0 })).toZarr(join(dir, "anom.zarr"), { compressor: "zstd" });
    await n.mul(2).toNpy(join(dir, "twice.npy"));
    const r = random.uniform(0, 1, { shape: [1000, 30], chunks: [100, 30], seed: 7 });
    await r.toZarr(join(dir, "rand.zarr"));
    const rsum = await r.sum().compute();
    const got = py(`
a = np.arange(240 * 50 * 40, dtype='f4').reshape(240, 50, 40) % 977
m = zarr.open('${dir}/mean.zarr', mode='r')[:]
an = zarr.open('${dir}/anom.zarr', mode='r')[:]
print(json.dumps({
  'mean': bool(np.allclose(m, a.mean(axis=0), rtol=1e-5)),
  'anom': bool(np.allclose(an, a - a.mean(axis=0), atol=1e-3)),
  'twice': bool((np.load('${dir}/twice.npy') == 2 * a.astype('f8')).all()),
  'rand': float(zarr.open('${dir}/rand.zarr', mode='r')[:].sum()),
}))`, ["zarr"]) as Record<string, unknown>;
    assert.deepEqual({ ...got, rand: Math.abs((got.rand as number) - (rsum as number)) < 1e-6 }, { mean: true, anom: true, twice: true, rand: true });
  });
});
