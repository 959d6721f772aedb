// The fast Blosc decoder (LZ4 / LZ4HC, byte shuffle or none) against buffers Python's numcodecs
// (c-blosc) encodes: every case it takes must decode to exactly NumPy's bytes, and the cases it
// leaves to numcodecs' full build (BloscLZ, zstd, bit shuffle, garbage) must say so (false).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bloscDecodedSize, bloscDecodeInto } from "../../src/array/io/blosc-decode.js";
import { lz4DecodeBlock } from "../../src/array/io/lz4-block.js";
import { unshuffle } from "../../src/array/io/unshuffle.js";
import { simdUnshuffle, simdUnshuffleBuffers } from "../../src/array/io/unshuffle-wasm.js";
import { py, tempDir } from "./python.js";

const { dir, cleanup } = tempDir("blosc");
after(cleanup);

test("decodes what c-blosc encodes with LZ4 and LZ4HC, shuffled or not, split or not, with partial last blocks", () => {
  const cases = py(`
from numcodecs import Blosc
rng = np.random.default_rng(1)
out = []
datas = {
  'f8': np.round(rng.normal(280, 5, 50001), 2),
  'f4': rng.normal(0, 1, 30011).astype('f4'),
  'i4': (np.arange(40000) % 97).astype('i4'),
  'i8': np.arange(20000, dtype='i8') * 3,
  'u1': rng.integers(0, 4, 70001).astype('u1'),
  'rand': rng.integers(0, 256, 90000).astype('u1'),
  'tiny': np.arange(10, dtype='f8'),
}
k = 0
for name, a in datas.items():
    for cname in ['lz4', 'lz4hc']:
        for shuffle in [Blosc.NOSHUFFLE, Blosc.SHUFFLE]:
            for blocksize in [0, 4096, 10000]:
                enc = Blosc(cname=cname, clevel=5, shuffle=shuffle, blocksize=blocksize).encode(a)
                open('${dir}/c%d.blosc' % k, 'wb').write(enc); open('${dir}/c%d.raw' % k, 'wb').write(a.tobytes())
                out.append({'k': k, 'what': '%s %s shuffle=%d blocksize=%d typesize=%d' % (name, cname, shuffle, blocksize, a.dtype.itemsize), 'flags': enc[2]})
                k += 1
print(json.dumps(out))`, ["numcodecs"]) as { k: number; what: string; flags: number }[];
  const flagsSeen = new Set<number>();
  for (const c of cases) {
    const src = new Uint8Array(readFileSync(join(dir, `c${c.k}.blosc`)));
    const want = readFileSync(join(dir, `c${c.k}.raw`));
    assert.equal(bloscDecodedSize(src), want.length, c.what);
    const got = new Uint8Array(new SharedArrayBuffer(want.length));
    assert.equal(bloscDecodeInto(src, got), true, `${c.what}: the fast decoder takes it`);
    assert.ok(Buffer.from(got.buffer as unknown as ArrayBuffer).equals(want), `${c.what}: decoded bytes equal NumPy's`);
    flagsSeen.add(c.flags);
  }
  // Split and unsplit blocks, shuffled and not, and stored-as-is (tiny) buffers all occurred.
  assert.ok([...flagsSeen].some((f) => (f & 0x10) === 0 && (f & 1) === 1), `a split, shuffled case among flags ${[...flagsSeen]}`);
  assert.ok([...flagsSeen].some((f) => (f & 0x2) !== 0), "a stored-as-is case");
});

test("leaves BloscLZ, zstd, zlib and bit shuffle to numcodecs, and refuses garbage and wrong sizes", () => {
  const cases = py(`
from numcodecs import Blosc
a = np.round(np.random.default_rng(2).normal(280, 5, 20000), 2)
out = []
for k, (cname, shuffle) in enumerate([('blosclz', 1), ('zstd', 1), ('zlib', 0), ('lz4', Blosc.BITSHUFFLE)]):
    open('${dir}/u%d.blosc' % k, 'wb').write(Blosc(cname=cname, clevel=5, shuffle=shuffle).encode(a)); out.append(k)
print(json.dumps(out))`, ["numcodecs"]) as number[];
  for (const k of cases) {
    const src = new Uint8Array(readFileSync(join(dir, `u${k}.blosc`)));
    assert.equal(bloscDecodeInto(src, new Uint8Array(bloscDecodedSize(src))), false, `case ${k}`);
  }
  const lz4 = py(`
from numcodecs import Blosc
open('${dir}/ok.blosc', 'wb').write(Blosc(cname='lz4', shuffle=1).encode(np.arange(5000, dtype='f8')))
print(1)`, ["numcodecs"]);
  assert.equal(lz4, 1);
  const ok = new Uint8Array(readFileSync(join(dir, "ok.blosc")));
  assert.equal(bloscDecodeInto(ok, new Uint8Array(39999)), false, "a destination of the wrong size");
  assert.equal(bloscDecodeInto(ok.subarray(0, ok.length - 7), new Uint8Array(40000)), false, "a truncated buffer");
  const corrupt = ok.slice();
  for (let i = 40; i < corrupt.length; i += 13) corrupt[i] = 255;
  assert.equal(bloscDecodeInto(corrupt, new Uint8Array(40000)), false, "a corrupted buffer");
  assert.equal(bloscDecodeInto(new TextEncoder().encode("this is not a blosc-compressed chunk"), new Uint8Array(100)), false);
});

test("LZ4 blocks: overlapping matches, long literal and match runs, and bounds", () => {
  // token 0x1F: 1 literal 'a', then a match of 15+4+len bytes at offset 1 (a run of 'a').
  const run = new Uint8Array([0x1f, 97, 1, 0, 200, 0x50, 98, 99, 100, 101, 102]);
  const dst = new Uint8Array(1 + 219 + 5);
  assert.equal(lz4DecodeBlock(run, 0, run.length, dst, 0, dst.length), dst.length);
  assert.equal(new TextDecoder().decode(dst), "a".repeat(220) + "bcdef");
  assert.equal(lz4DecodeBlock(run, 0, run.length, new Uint8Array(100), 0, 100), -1, "output overrun");
  assert.equal(lz4DecodeBlock(new Uint8Array([0x10, 97, 5, 0]), 0, 4, new Uint8Array(10), 0, 10), -1, "offset before the start");
  // 3 literals 'xyz', then a 3-periodic match of 15+4+100 = 119 bytes (doubling copies), then 'q'.
  const period = new Uint8Array([0x3f, 120, 121, 122, 3, 0, 100, 0x10, 113]);
  const p = new Uint8Array(3 + 119 + 1);
  assert.equal(lz4DecodeBlock(period, 0, period.length, p, 0, p.length), p.length);
  assert.equal(new TextDecoder().decode(p), "xyz".repeat(41).slice(0, 122) + "q");
});

test("the SIMD unshuffle equals the JS one for 4- and 8-byte types, whole 16-element steps or not", () => {
  for (const ts of [4, 8] as const) {
    for (const bytes of [16 * ts, 4096, 1000 * ts + 3, 77, 5, 65536 + 8 * ts]) {
      const src = new Uint8Array(bytes).map((_, i) => (i * 31 + 7) & 255);
      const want = new Uint8Array(bytes);
      unshuffle(ts, src, 0, want, 0, bytes);
      const { input, output } = simdUnshuffleBuffers(bytes + 64);
      input.set(src);
      simdUnshuffle(ts, bytes);
      assert.ok(Buffer.from(output.subarray(0, bytes)).equals(Buffer.from(want)), `typesize ${ts}, ${bytes} bytes`);
    }
  }
});
