// Zarr v2 interoperability with Python's zarr (reads of what it writes, and the reverse), Zarr v3
// as far as the installed zarr-python allows (it is 2.x: no v3), and every bad input.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { arange, fromZarr, zarrInfo, NDArray, type TArray } from "../../src/array/index.js";
import { jsValue, py, PY_VALUES, tempDir } from "./python.js";

const { dir, cleanup } = tempDir("zarr");
after(cleanup);

async function assertValues(x: TArray, shape: number[], fill?: (i: number) => number | undefined): Promise<void> {
  assert.deepEqual(x.shape, shape);
  const nd = (await x.computeArray()) as NDArray;
  for (let i = 0; i < nd.size; i++) {
    const want = fill?.(i) ?? jsValue(i);
    assert.equal(Number(nd.flat(i)), want, `element ${i}`);
  }
}

test("reads what Python's zarr writes: Blosc-LZ4 (default), zstd, gzip, none; groups, dims, fill values", async () => {
  py(`${PY_VALUES}
root = zarr.open_group('${dir}/py.zarr', mode='w')
root.array('blosc', values((37, 23), 'f8'), chunks=(10, 8))
root.array('zstd', values((37, 23), 'i2'), chunks=(10, 8), compressor=numcodecs.Zstd(level=3))
root.array('gzip', values((37, 23), 'f4'), chunks=(10, 8), compressor=numcodecs.GZip(level=5))
root.array('none', values((37, 23), 'u2') + 300, chunks=(37, 5), compressor=None)
g = root.create_group('sub')
t = g.create('temp', shape=(6, 4, 5), chunks=(2, 4, 5), dtype='f8', fill_value=-99.0)
t[:2] = values((2, 4, 5), 'f8')
t.attrs['_ARRAY_DIMENSIONS'] = ['time', 'lat', 'lon']
t.attrs['units'] = 'K'
print(json.dumps(zarr.__version__))`, ["zarr", "numcodecs"]);
  const store = join(dir, "py.zarr");
  const b = await fromZarr(store, { path: "blosc" });
  assert.equal(b.dtype, "float64");
  assert.deepEqual(zarrInfo(store, { path: "blosc" }).codecs, ["blosc"]);
  await assertValues(b, [37, 23]);
  await assertValues(await fromZarr(store, { path: "blosc", chunks: [7, 9] }), [37, 23]);
  const z = await fromZarr(store, { path: "zstd" });
  assert.equal(z.dtype, "int32", "int16 widens to int32");
  await assertValues(z, [37, 23]);
  await assertValues(await fromZarr(store, { path: "gzip" }), [37, 23]);
  const n = await fromZarr(store, { path: "none" });
  await assertValues(n.sub(300), [37, 23]);
  const info = zarrInfo(store, { path: "sub/temp" });
  assert.deepEqual(info.dims, ["time", "lat", "lon"]);
  assert.equal(info.attrs.units, "K");
  assert.equal(info.fillValue, -99);
  assert.deepEqual(info.storageChunks, [2, 4, 5]);
  // Rows 2.. were never written: those chunks are missing and read as the fill value.
  await assertValues(await fromZarr(store, { path: "/sub/temp" }), [6, 4, 5], (i) => (i >= 40 ? -99 : undefined));
});

test("default blocks are whole stored chunks, several per block", async () => {
  const x = arange(0, 4000, 1, { chunks: 4000 }).reshape(40, 100);
  await x.rechunk([4, 10]).toZarr(join(dir, "small-chunks.zarr"));
  const y = await fromZarr(join(dir, "small-chunks.zarr"));
  assert.deepEqual(y.chunks, [[40], [100]], "a small array is one block made of 100 stored chunks");
  assert.equal(await y.sum().compute(), (3999 * 4000) / 2);
  // Uncompressed chunks are read straight into the block; edge and missing chunks take the general path.
  const r = arange(0, 4200, 1, { chunks: 4200 }).reshape(42, 100).astype("float64").rechunk([4, 100]);
  await r.toZarr(join(dir, "raw.zarr"), { compressor: null });
  rmSync(join(dir, "raw.zarr", "2.0"));
  const got = await (await fromZarr(join(dir, "raw.zarr"), { chunks: [12, 100] })).computeArray();
  for (let i = 0; i < 4200; i++) assert.equal(got.flat(i), i >= 800 && i < 1200 ? 0 : i, `element ${i}`);
});

test("Python's zarr reads what Tessera writes (all compressors, dtypes, groups, dims, composed with compute)", async () => {
  const base = arange(0, 37 * 23, 1, { chunks: 37 * 23 }).reshape(37, 23).rechunk([10, 8]);
  await base.toZarr(join(dir, "ts.zarr"), { path: "i64", dims: ["y", "x"], attrs: { units: "m" } });
  await base.astype("float32").div(4).toZarr(join(dir, "ts.zarr"), { path: "f32", compressor: "zstd" });
  await base.astype("int32").toZarr(join(dir, "ts.zarr"), { path: "grp/i32", compressor: "gzip" });
  await base.gt(400).toZarr(join(dir, "ts.zarr"), { path: "b", compressor: null });
  await base.astype("float64").mean({ axis: 0 }).toZarr(join(dir, "ts.zarr"), { path: "mean0", compressor: { id: "blosc", cname: "zstd", clevel: 3, shuffle: 2 } });
  const r = py(`
root = zarr.open_group('${dir}/ts.zarr', mode='r')
want = np.arange(37 * 23).reshape(37, 23)
print(json.dumps({
  'i64': bool((root['i64'][:] == want).all()) and root['i64'].dtype == np.int64,
  'dims': root['i64'].attrs['_ARRAY_DIMENSIONS'], 'units': root['i64'].attrs['units'],
  'incomplete': 'tessera:incomplete' in root['i64'].attrs,
  'f32': bool((root['f32'][:] == (want / 4).astype('f4')).all()) and root['f32'].dtype == np.float32,
  'i32': bool((root['grp/i32'][:] == want).all()),
  'b': bool((root['b'][:] == (want > 400)).all()) and root['b'].dtype == np.bool_,
  'mean0': bool(np.allclose(root['mean0'][:], want.mean(axis=0))),
  'compressors': [repr(root[k].compressor) for k in ['i64', 'f32', 'grp/i32', 'b', 'mean0']],
  'chunks': list(root['i64'].chunks),
}))`, ["zarr"]) as Record<string, unknown>;
  assert.deepEqual(r, {
    i64: true, dims: ["y", "x"], units: "m", incomplete: false, f32: true, i32: true, b: true, mean0: true,
    compressors: ["Blosc(cname='lz4', clevel=5, shuffle=SHUFFLE, blocksize=0)", "Zstd(level=1)", "GZip(level=1)", "None", "Blosc(cname='zstd', clevel=3, shuffle=BITSHUFFLE, blocksize=0)"],
    chunks: [10, 8],
  });
});

test("Zarr v3: Tessera writes and reads it back (zarr-python 2.x here cannot read v3: see docs/io.md)", async () => {
  const x = arange(0, 600, 1, { chunks: 600 }).reshape(6, 10, 10).rechunk([2, 5, 10]);
  for (const compressor of [undefined, "zstd", "gzip", null] as const) {
    const store = join(dir, `v3-${String(compressor)}.zarr`);
    await x.toZarr(store, { zarrFormat: 3, path: "g/v", dims: ["t", "y", "x"], ...(compressor === undefined ? {} : { compressor }) });
    const doc = JSON.parse(readFileSync(join(store, "g/v/zarr.json"), "utf8")) as { zarr_format: number; dimension_names: string[] };
    assert.equal(doc.zarr_format, 3);
    assert.deepEqual(zarrInfo(store, { path: "g/v" }).dims, ["t", "y", "x"]);
    assert.ok(existsSync(join(store, "g/v/c/0/0/0")), "v3 default chunk key encoding c/0/0/0");
    const y = await fromZarr(store, { path: "g/v" });
    assert.deepEqual((await y.computeArray()).toArray(), (await x.computeArray()).toArray());
  }
  const ver = py("print(json.dumps(zarr.__version__))", ["zarr"]) as string;
  assert.match(ver, /^2\./, "if zarr-python 3 is installed, extend this test to read v3 with it");
});

test("bad input: missing store, unknown array (lists those that exist), corrupt/missing chunk by key, unsupported codec/dtype, existing store, shared chunks", async () => {
  await assert.rejects(fromZarr(join(dir, "nope.zarr")), { code: "TESSERA_ERR_IO_NOT_FOUND", message: /no Zarr store at .*nope\.zarr/ });
  await assert.rejects(fromZarr(dir), { code: "TESSERA_ERR_IO_NOT_FOUND", message: /is not a Zarr store/ });
  await assert.rejects(fromZarr(join(dir, "py.zarr"), { path: "tmep" }), { code: "TESSERA_ERR_IO_UNKNOWN_VARIABLE", message: /no variable 'tmep'; it has: 'blosc', 'gzip', 'none', 'sub\/temp', 'zstd'/ });
  await assert.rejects(fromZarr(join(dir, "py.zarr")), { code: "TESSERA_ERR_IO_UNKNOWN_VARIABLE", message: /is a group; pass \{path\}/ });
  await assert.rejects(fromZarr(join(dir, "py.zarr"), { path: "blosc", chunk: 3 } as never), { code: "TESSERA_ERR_IO_OPTIONS", message: /unknown option 'chunk' \(did you mean 'chunks'\?\)/ });

  py(`
a = zarr.open('${dir}/bad.zarr', mode='w', shape=(20, 20), chunks=(10, 10), dtype='f8')
a[:] = 1.0
c = zarr.open('${dir}/bz2.zarr', mode='w', shape=(4,), chunks=(2,), dtype='f8', compressor=numcodecs.BZ2())
c[:] = 1
d = zarr.open('${dir}/complex.zarr', mode='w', shape=(4,), chunks=(2,), dtype='c16')`, ["zarr", "numcodecs"]);
  const bad = join(dir, "bad.zarr");
  writeFileSync(join(bad, "1.0"), "this is not a blosc-compressed chunk");
  const corrupt = await fromZarr(bad);
  await assert.rejects(corrupt.sum().compute(), (e: Error & { cause?: { code?: string; chunkKey?: string } }) => {
    assert.match(e.message, /Zarr chunk '1\.0' (cannot be decoded|decoded to 0 elements, expected 100)/);
    assert.equal(e.cause?.code, "TESSERA_ERR_IO_CHUNK");
    assert.equal(e.cause?.chunkKey, "1.0");
    return true;
  });
  rmSync(join(bad, "0.1"));
  await assert.rejects((await fromZarr(bad, { missingChunks: "error", chunks: [10, 10] })).slice([0, 10], [10, 20]).compute(), /Zarr chunk '0\.1' is missing/);
  assert.equal(await (await fromZarr(bad, { chunks: [10, 10] })).slice([0, 10], [10, 20]).sum().compute(), 0, "missing chunks read as the fill value by default");
  await assert.rejects(fromZarr(join(dir, "bz2.zarr")), { code: "TESSERA_ERR_IO_UNSUPPORTED", message: /codec 'bz2' is not supported; supported codecs: .*blosc/ });
  await assert.rejects(fromZarr(join(dir, "complex.zarr")), { code: "TESSERA_ERR_IO_UNSUPPORTED", message: /stored dtype '<c16' is not supported/ });

  const x = arange(0, 100, 1, { chunks: 25 });
  await assert.rejects(x.toZarr(join(dir, "ts.zarr"), { path: "i64" }), { code: "TESSERA_ERR_IO_EXISTS", message: /already exists; pass overwrite: true/ });
  await x.toZarr(join(dir, "ts.zarr"), { path: "i64", overwrite: true });
  assert.equal(await (await fromZarr(join(dir, "ts.zarr"), { path: "i64" })).sum().compute(), 4950);
  writeFileSync(join(dir, "precious.txt"), "keep me");
  await assert.rejects(x.toZarr(dir, { path: "", overwrite: true }), { code: "TESSERA_ERR_IO_EXISTS", message: /is not a Zarr array or group; refusing to delete it/ });
  await assert.rejects(x.toZarr(join(dir, "shared.zarr"), { chunks: [10] }), { code: "TESSERA_ERR_IO_ALIGNMENT", message: /would share storage chunks of size 10.*rechunk first/ });
  assert.ok(!existsSync(join(dir, "shared.zarr")), "nothing written when refused");
  await assert.rejects(arange(0, 10, 1, { chunks: [[4, 3, 3]] }).toZarr(join(dir, "irregular.zarr")), { code: "TESSERA_ERR_IO_ALIGNMENT" });
  await assert.rejects(x.toZarr(join(dir, "c.zarr"), { compressor: "snappy" as never }), { code: "TESSERA_ERR_IO_OPTIONS", message: /unknown compressor "snappy"/ });

  // A write whose input fails part-way: the error says so and the store is marked incomplete.
  await assert.rejects(corrupt.toZarr(join(dir, "half.zarr")), { code: "TESSERA_ERR_IO_WRITE_FAILED", message: /the array is incomplete/ });
  await assert.rejects(fromZarr(join(dir, "half.zarr")), { code: "TESSERA_ERR_IO_INCOMPLETE", message: /write it again with overwrite: true/ });
  const attrs = py(`print(json.dumps(dict(zarr.open('${dir}/half.zarr', mode='r').attrs)))`, ["zarr"]) as Record<string, string>;
  assert.match(attrs["tessera:incomplete"]!, /a block failed/, "Python's zarr sees the mark too");
});
