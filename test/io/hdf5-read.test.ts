// The io.hdf5_read op itself: blocks read straight through H5Dread (same stored and block dtype,
// little-endian) equal h5py's values for any hyperslab, as do the converting path's (big-endian,
// widened types); open files are cached per thread and closed when idle, then reopened.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { hdf5Read } from "../../src/array/io/hdf5-read.js";
import { closeIdleH5, openH5Count } from "../../src/array/io/hdf5-file.js";
import type { DType } from "../../src/array/dtype.js";
import { py, tempDir } from "./python.js";

const { dir, cleanup } = tempDir("hdf5-read");
after(cleanup);
const file = `${dir}/d.h5`;

test("hyperslabs of chunked, contiguous, compressed, big-endian and widened datasets equal h5py's", async () => {
  const want = py(`
import h5py
a = (np.arange(7 * 9 * 11) * 7919 % 1000 - 300).reshape(7, 9, 11)
with h5py.File('${file}', 'w') as f:
    f.create_dataset('f8', data=a.astype('<f8'), chunks=(3, 4, 11))
    f.create_dataset('f4z', data=a.astype('<f4') / 4, chunks=(2, 9, 5), compression='gzip', shuffle=True)
    f.create_dataset('i8', data=a.astype('<i8'))
    f.create_dataset('be', data=a.astype('>f8'), chunks=(7, 1, 11))
    f.create_dataset('i2', data=a.astype('<i2'), chunks=(1, 9, 11))
    f.create_dataset('u1', data=(a % 200 + 50).astype('u1'))
with h5py.File('${file}', 'r') as f:
    print(json.dumps({k: f[k][1:6, 2:9, 3:10].astype('f8').ravel().tolist() for k in f}))`, ["h5py"]) as Record<string, number[]>;
  const stamp = String(statSync(file).mtimeMs);
  const dtypes: Record<string, DType> = { f8: "float64", f4z: "float32", i8: "int64", be: "float64", i2: "int32", u1: "uint8" };
  for (const [name, dtype] of Object.entries(dtypes)) {
    const c = await hdf5Read({ file, stamp, dataset: name, dtype }, [1, 2, 3], [5, 7, 7]);
    assert.equal(c.dtype, dtype);
    assert.ok(c.data.buffer instanceof SharedArrayBuffer, `${name}: the block is in shared memory`);
    assert.deepEqual(Array.from(c.data as ArrayLike<number | bigint>, Number), want[name], name);
  }
  const whole = await hdf5Read({ file, stamp, dataset: "f8", dtype: "float64" }, [0, 0, 0], [7, 9, 11]);
  assert.equal(whole.data.length, 7 * 9 * 11);
  assert.equal((whole.data as Float64Array)[7 * 9 * 11 - 1], ((7 * 9 * 11 - 1) * 7919 % 1000) - 300);
});

test("open files are cached per thread, closed when idle, and reopened on the next read", async () => {
  const stamp = String(statSync(file).mtimeMs);
  await hdf5Read({ file, stamp, dataset: "f8", dtype: "float64" }, [0, 0, 0], [1, 1, 1]);
  await hdf5Read({ file, stamp, dataset: "i8", dtype: "int64" }, [0, 0, 0], [1, 1, 1]);
  assert.equal(openH5Count(), 1, "one open file for both datasets");
  closeIdleH5(60_000);
  assert.equal(openH5Count(), 1, "recently used: stays open");
  closeIdleH5(0);
  assert.equal(openH5Count(), 0, "idle: closed");
  const c = await hdf5Read({ file, stamp, dataset: "f8", dtype: "float64" }, [6, 8, 10], [1, 1, 1]);
  assert.equal((c.data as Float64Array)[0], ((7 * 9 * 11 - 1) * 7919 % 1000) - 300);
  assert.equal(openH5Count(), 1);
});
