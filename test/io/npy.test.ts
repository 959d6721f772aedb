// .npy files written by NumPy read by Tessera (byte ranges per block), and the reverse.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { arange, fromNpy } from "../../src/array/index.js";
import { jsValue, py, PY_VALUES, tempDir } from "./python.js";

const { dir, cleanup } = tempDir("npy");
after(cleanup);

test("reads NumPy's .npy (little and big endian, narrow ints, bool), any block shape", async () => {
  py(`${PY_VALUES}
np.save('${dir}/f8.npy', values((13, 7, 5), 'f8'))
np.save('${dir}/be.npy', values((13, 7), '>i2'))
np.save('${dir}/b.npy', values((20,), 'i4') > 0)
np.save('${dir}/f.npy', np.asfortranarray(values((4, 3), 'f8')))
np.save('${dir}/c.npy', np.zeros(3, dtype='c8'))`);
  for (const chunks of [undefined, [5, 3, 2], [13, 1, 5]] as const) {
    const x = fromNpy(join(dir, "f8.npy"), chunks ? { chunks: [...chunks] } : {});
    const v = await x.computeArray();
    for (let i = 0; i < v.size; i++) assert.equal(v.flat(i), jsValue(i));
  }
  const be = fromNpy(join(dir, "be.npy"), { chunks: [4, 3] });
  assert.equal(be.dtype, "int32");
  const bv = await be.computeArray();
  for (let i = 0; i < bv.size; i++) assert.equal(bv.flat(i), jsValue(i));
  const b = await fromNpy(join(dir, "b.npy"), { chunks: 6 }).computeArray();
  assert.deepEqual(b.toArray(), Array.from({ length: 20 }, (_, i) => jsValue(i) > 0));
  assert.throws(() => fromNpy(join(dir, "f.npy")), { code: "TESSERA_ERR_IO_UNSUPPORTED", message: /Fortran-order/ });
  assert.throws(() => fromNpy(join(dir, "c.npy")), { code: "TESSERA_ERR_IO_UNSUPPORTED", message: /stored dtype '<c8' is not supported/ });
  assert.throws(() => fromNpy(join(dir, "none.npy")), { code: "TESSERA_ERR_IO_NOT_FOUND" });
});

test("NumPy reads what toNpy writes; existing files need overwrite", async () => {
  const x = arange(0, 600, 1, { chunks: 600 }).reshape(20, 30).rechunk([7, 11]);
  await x.toNpy(join(dir, "i64.npy"));
  await x.astype("float32").div(3).toNpy(join(dir, "f32.npy"));
  await x.gt(100).toNpy(join(dir, "b.npy"), { overwrite: true });
  await x.sum({ axis: 1 }).toNpy(join(dir, "s.npy"));
  await assert.rejects(x.toNpy(join(dir, "i64.npy")), { code: "TESSERA_ERR_IO_EXISTS", message: /pass overwrite: true/ });
  const r = py(`
w = np.arange(600).reshape(20, 30)
print(json.dumps([bool((np.load('${dir}/i64.npy') == w).all()), bool((np.load('${dir}/f32.npy') == (w.astype('f4') / np.float32(3))).all()),
  bool((np.load('${dir}/b.npy') == (w > 100)).all()), bool((np.load('${dir}/s.npy') == w.sum(1)).all())]))`);
  assert.deepEqual(r, [true, true, true, true]);
  // A write whose input fails: the error says the partial file was removed, and it was.
  await x.toNpy(join(dir, "short.npy"));
  const src = fromNpy(join(dir, "short.npy"), { chunks: [5, 30] });
  truncateSync(join(dir, "short.npy"), 300);
  await assert.rejects(src.toNpy(join(dir, "out.npy")), { code: "TESSERA_ERR_IO_WRITE_FAILED", message: /partial file was removed.*shorter than expected/ });
  assert.ok(!existsSync(join(dir, "out.npy")));
});
