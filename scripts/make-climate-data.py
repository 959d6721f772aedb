#!/usr/bin/python3
"""Synthetic monthly near-surface temperature t2m(time, lat, lon) for examples/climatology.ts.

Writes the same data twice: a NetCDF-4 file (chunked, zlib) and a Zarr v2 store (Blosc-LZ4,
Python zarr's default). Seasonal cycle by latitude + warming trend + noise, float32 in kelvin.
Default size: 40 years x 12 months x 721 x 1440 (a 0.25° grid) = ~2 GB per copy.

  /usr/bin/python3 scripts/make-climate-data.py --out /tmp/climate [--years 40 --lat 721 --lon 1440]
"""
import argparse, os
import numpy as np
import netCDF4, zarr

p = argparse.ArgumentParser()
p.add_argument("--out", required=True)
p.add_argument("--years", type=int, default=40)
p.add_argument("--lat", type=int, default=721)
p.add_argument("--lon", type=int, default=1440)
a = p.parse_args()
os.makedirs(a.out, exist_ok=True)
nt = a.years * 12
lat = np.linspace(-90, 90, a.lat)
lon = np.linspace(0, 360, a.lon, endpoint=False)
rng = np.random.default_rng(0)

def month_block(t0, t1):
    t = np.arange(t0, t1)
    month = t % 12
    season = -np.cos(2 * np.pi * (month + 0.5) / 12)[:, None, None] * (np.sin(np.deg2rad(lat)) * 15)[None, :, None]
    base = (288 - 30 * np.sin(np.deg2rad(lat)) ** 2)[None, :, None]
    trend = (0.02 / 12 * t)[:, None, None]
    wave = 2 * np.sin(np.deg2rad(lon) * 3)[None, None, :]
    noise = rng.normal(0, 1, (len(t), a.lat, a.lon))
    return (base + season + trend + wave + noise).astype("f4")

nc = netCDF4.Dataset(os.path.join(a.out, "t2m.nc"), "w")
nc.createDimension("time", nt); nc.createDimension("lat", a.lat); nc.createDimension("lon", a.lon)
nc.createVariable("lat", "f8", ("lat",))[:] = lat
nc.createVariable("lon", "f8", ("lon",))[:] = lon
tv = nc.createVariable("time", "i4", ("time",)); tv[:] = np.arange(nt); tv.units = "months since 1980-01-01"
v = nc.createVariable("t2m", "f4", ("time", "lat", "lon"), zlib=True, complevel=1, chunksizes=(12, a.lat, a.lon))
v.units = "K"; v.long_name = "2 metre temperature"
z = zarr.open_group(os.path.join(a.out, "t2m.zarr"), mode="w")
zv = z.create("t2m", shape=(nt, a.lat, a.lon), chunks=(12, a.lat, a.lon), dtype="f4")
zv.attrs["_ARRAY_DIMENSIONS"] = ["time", "lat", "lon"]; zv.attrs["units"] = "K"
for y in range(a.years):
    block = month_block(y * 12, (y + 1) * 12)
    v[y * 12:(y + 1) * 12] = block
    zv[y * 12:(y + 1) * 12] = block
nc.close()
print(f"wrote {a.out}/t2m.nc and {a.out}/t2m.zarr: t2m{(nt, a.lat, a.lon)} float32, {nt * a.lat * a.lon * 4 / 1e9:.2f} GB each")
