// NetCDF-4 (chunked, compressed, packed), NetCDF-3 classic and HDF5 files written by Python's
// netCDF4 and h5py, read by Tessera; openDataset's listing; maskAndScale; bad input.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fromHDF5, fromNetCDF, openDataset, type NDArray } from "../../src/array/index.js";
import { jsValue, py, PY_VALUES, tempDir } from "./python.js";

const { dir, cleanup } = tempDir("netcdf");
after(cleanup);

py(`${PY_VALUES}
ds = netCDF4.Dataset('${dir}/n4.nc', 'w')
ds.title = 'synthetic'
ds.createDimension('time', None); ds.createDimension('lat', 9); ds.createDimension('lon', 11)
t = ds.createVariable('t2m', 'i2', ('time', 'lat', 'lon'), zlib=True, complevel=4, shuffle=True, chunksizes=(4, 9, 11), fill_value=-32767)
t.scale_factor = 0.01; t.add_offset = 273.15; t.units = 'K'
t.set_auto_maskandscale(False)
raw = values((10, 9, 11), 'i2')
raw[0, 0, 0] = -32767
t[:] = raw
p = ds.createVariable('precip', 'f4', ('time', 'lat', 'lon'), chunksizes=(5, 3, 11), zlib=True)
p[:] = values((10, 9, 11), 'f4')
lat = ds.createVariable('lat', 'f8', ('lat',)); lat[:] = np.linspace(-80, 80, 9)
ds.close()
ds = netCDF4.Dataset('${dir}/n3.nc', 'w', format='NETCDF3_CLASSIC')
ds.createDimension('time', None); ds.createDimension('y', 7); ds.createDimension('x', 5)
v = ds.createVariable('v', 'f8', ('time', 'y', 'x')); v[:] = values((6, 7, 5), 'f8')
s = ds.createVariable('s', 'i2', ('y', 'x'), fill_value=-1); s.scale_factor = 0.5
s.set_auto_maskandscale(False)
s[:] = values((7, 5), 'i2')
c = ds.createVariable('name', 'S1', ('x',))
ds.close()
with h5py.File('${dir}/h.h5', 'w') as f:
    f.create_dataset('grid/a', data=values((50, 40), 'f8'), chunks=(10, 40), compression='gzip')
    f.create_dataset('flat', data=values((30, 3), 'i8'))
    f.create_dataset('u16', data=values((10,), 'i4') + 300, dtype='u2')
    f.create_dataset('words', data=np.array([b'a', b'b']))
print(json.dumps(1))`, ["netCDF4", "h5py"]);

const flat = async (x: Promise<import("../../src/array/index.js").TArray>): Promise<NDArray> => (await x).computeArray();

test("openDataset lists variables with dims, shape, dtype, attributes and storage chunks", async () => {
  const n4 = await openDataset(join(dir, "n4.nc"));
  assert.equal(n4.format, "netcdf4/hdf5");
  assert.equal(n4.attrs.title, "synthetic");
  assert.deepEqual(Object.keys(n4.variables).sort(), ["lat", "precip", "t2m"]);
  const t = n4.variables.t2m!;
  assert.deepEqual([t.dims, t.shape, t.dtype, t.storedDtype, t.chunks], [["time", "lat", "lon"], [10, 9, 11], "int32", "int16", [4, 9, 11]]);
  assert.deepEqual(t.attrs, { _FillValue: -32767, scale_factor: 0.01, add_offset: 273.15, units: "K" });
  const n3 = await openDataset(join(dir, "n3.nc"));
  assert.equal(n3.format, "netcdf3");
  assert.deepEqual([n3.variables.v!.dims, n3.variables.v!.shape, n3.variables.v!.dtype], [["time", "y", "x"], [6, 7, 5], "float64"]);
  assert.equal(n3.variables.name!.dtype, null, "char variables are listed but not readable");
  const h = await openDataset(join(dir, "h.h5"));
  assert.deepEqual(Object.keys(h.variables).sort(), ["flat", "grid/a", "u16", "words"]);
  assert.deepEqual(h.variables["grid/a"]!.chunks, [10, 40]);
  assert.equal(h.variables.flat!.chunks, null);
});

test("NetCDF-4: chunked + compressed values, default blocks on storage chunks, maskAndScale", async () => {
  const raw = await fromNetCDF(join(dir, "n4.nc"), "t2m");
  assert.deepEqual(raw.chunks, [[10], [9], [11]], "small: one block of whole storage chunks");
  const r = await raw.computeArray();
  for (let i = 1; i < r.size; i++) assert.equal(r.flat(i), ((jsValue(i) + 32768) % 65536) - 32768);
  assert.equal(r.flat(0), -32767);
  const m = await flat(fromNetCDF(join(dir, "n4.nc"), "t2m", { maskAndScale: true, chunks: [3, 9, 5] }));
  assert.ok(Number.isNaN(m.flat(0) as number), "_FillValue becomes NaN");
  for (let i = 1; i < 50; i++) assert.ok(Math.abs((m.flat(i) as number) - (jsValue(i) * 0.01 + 273.15)) < 1e-9);
  const p = await flat(fromNetCDF(join(dir, "n4.nc"), "precip", { chunks: [3, 4, 6] }));
  for (let i = 0; i < p.size; i++) assert.equal(p.flat(i), jsValue(i));
});

test("NetCDF-3 classic: record and fixed variables, byte-range blocks", async () => {
  const v = await flat(fromNetCDF(join(dir, "n3.nc"), "v", { chunks: [4, 3, 2] }));
  for (let i = 0; i < v.size; i++) assert.equal(v.flat(i), jsValue(i));
  const s = await flat(fromNetCDF(join(dir, "n3.nc"), "s", { maskAndScale: true, chunks: [3, 5] }));
  for (let i = 0; i < s.size; i++) {
    if (jsValue(i) === -1) assert.ok(Number.isNaN(s.flat(i) as number));
    else assert.equal(s.flat(i), jsValue(i) * 0.5);
  }
});

test("HDF5: groups, contiguous and chunked datasets, widened integer types", async () => {
  const a = await flat(fromHDF5(join(dir, "h.h5"), "/grid/a", { chunks: [7, 15] }));
  for (let i = 0; i < a.size; i++) assert.equal(a.flat(i), jsValue(i));
  const f = await fromHDF5(join(dir, "h.h5"), "flat");
  assert.equal(f.dtype, "int64");
  const fv = await f.computeArray();
  for (let i = 0; i < fv.size; i++) assert.equal(fv.flat(i), jsValue(i));
  const u = await fromHDF5(join(dir, "h.h5"), "u16");
  assert.equal(u.dtype, "int32");
  assert.deepEqual((await u.computeArray()).toArray(), Array.from({ length: 10 }, (_, i) => jsValue(i) + 300));
});

test("bad input: missing file, unknown variable (lists those that exist), unsupported type and format", async () => {
  await assert.rejects(fromNetCDF(join(dir, "nope.nc"), "t2m"), { code: "TESSERA_ERR_IO_NOT_FOUND", message: /no file or store at .*nope\.nc/ });
  await assert.rejects(fromHDF5(join(dir, "nope.h5"), "a"), { code: "TESSERA_ERR_IO_NOT_FOUND" });
  await assert.rejects(fromNetCDF(join(dir, "n4.nc"), "t2"), { code: "TESSERA_ERR_IO_UNKNOWN_VARIABLE", message: /has no variable 't2'; it has: 't2m', 'precip', 'lat'|it has: .*'t2m'/ });
  await assert.rejects(fromNetCDF(join(dir, "n3.nc"), "vv"), { code: "TESSERA_ERR_IO_UNKNOWN_VARIABLE", message: /it has: 'v', 's', 'name'/ });
  await assert.rejects(fromHDF5(join(dir, "h.h5"), "grid/b"), { code: "TESSERA_ERR_IO_UNKNOWN_VARIABLE", message: /'grid\/a'/ });
  await assert.rejects(fromHDF5(join(dir, "h.h5"), "words"), { code: "TESSERA_ERR_IO_UNSUPPORTED", message: /not supported/ });
  await assert.rejects(fromNetCDF(join(dir, "n3.nc"), "name"), { code: "TESSERA_ERR_IO_UNSUPPORTED", message: /NetCDF type 'char' is not supported/ });
  writeFileSync(join(dir, "text.nc"), "just some text");
  await assert.rejects(openDataset(join(dir, "text.nc")), { code: "TESSERA_ERR_IO_UNSUPPORTED", message: /neither NetCDF/ });
  await assert.rejects(fromNetCDF(join(dir, "n4.nc"), "t2m", { mask: true } as never), { code: "TESSERA_ERR_IO_OPTIONS", message: /did you mean 'maskAndScale'/ });
});
