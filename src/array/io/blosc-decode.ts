/**
 * A Blosc (1.x format) decoder for the common case, Python zarr's default compressor: LZ4 or
 * LZ4HC inside, byte shuffle or none. It decodes straight into the caller's buffer (the block's
 * shared memory); shuffled blocks of 4- and 8-byte types are LZ4-decoded into a WebAssembly
 * memory, unshuffled there by a SIMD loop (./unshuffle-wasm.ts) and copied out, other shuffled
 * types through a JS scratch buffer. numcodecs' build copies the chunk in and the result out and
 * unshuffles without SIMD. Anything else (BloscLZ, zstd, zlib,
 * snappy, bit shuffle, a malformed buffer) returns false, and the caller decodes with numcodecs'
 * full c-blosc build, which also names errors properly.
 *
 * Header (16 bytes): version, versionlz, flags, typesize, nbytes, blocksize, cbytes (int32 LE);
 * flags bit 0 byte shuffle, bit 1 stored without compression, bit 2 bit shuffle, bit 4 blocks not
 * split into per-byte streams, bits 5–7 the codec (1 = LZ4). Then int32 start offsets of the
 * blocks; each block is `nsplits` streams, each an int32 size then LZ4 data (or stored bytes
 * when the size equals the stream's length). The last, partial block is never split.
 */
import { lz4DecodeBlock } from "./lz4-block.js";
import { unshuffle } from "./unshuffle.js";
import { simdUnshuffle, simdUnshuffleBuffers } from "./unshuffle-wasm.js";

const SHUFFLE = 0x1, MEMCPYED = 0x2, BITSHUFFLE = 0x4, NOSPLIT = 0x10;
const CODEC_LZ4 = 1;

let scratch = new Uint8Array(0);

/** Decoded size of a Blosc buffer, or -1 when it has no valid header. */
export function bloscDecodedSize(src: Uint8Array): number {
  if (src.length < 16) return -1;
  const v = new DataView(src.buffer, src.byteOffset, 16);
  return v.getInt32(4, true);
}

/** Decode Blosc `src` into `dst` (exactly nbytes long); false when this decoder cannot. */
export function bloscDecodeInto(src: Uint8Array, dst: Uint8Array): boolean {
  if (src.length < 16) return false;
  const h = new DataView(src.buffer, src.byteOffset, src.length);
  const flags = src[2]!, typesize = src[3]!;
  const nbytes = h.getInt32(4, true), blocksize = h.getInt32(8, true), cbytes = h.getInt32(12, true);
  if (nbytes !== dst.length || cbytes > src.length || nbytes < 0) return false;
  if (flags & MEMCPYED) {
    if (cbytes !== 16 + nbytes) return false;
    dst.set(src.subarray(16, 16 + nbytes));
    return true;
  }
  if ((flags & BITSHUFFLE) || (flags >>> 5) !== CODEC_LZ4 || blocksize <= 0 || typesize === 0) return false;
  const doShuffle = (flags & SHUFFLE) !== 0 && typesize > 1;
  const nblocks = Math.ceil(nbytes / blocksize);
  if (16 + 4 * nblocks > cbytes) return false;
  // 4- and 8-byte types unshuffle with WebAssembly SIMD: the block is decoded into its memory.
  const simd = doShuffle && (typesize === 4 || typesize === 8) ? simdUnshuffleBuffers(blocksize) : null;
  if (doShuffle && simd === null && scratch.length < blocksize) scratch = new Uint8Array(blocksize);
  for (let b = 0; b < nblocks; b++) {
    const bsize = b === nblocks - 1 && nbytes % blocksize !== 0 ? nbytes % blocksize : blocksize;
    const leftover = bsize !== blocksize;
    const nsplits = !(flags & NOSPLIT) && !leftover ? typesize : 1;
    if (bsize % nsplits !== 0) return false;
    const neblock = bsize / nsplits;
    const out = simd !== null ? simd.input : doShuffle ? scratch : dst;
    let op = doShuffle ? 0 : b * blocksize;
    let ip = h.getInt32(16 + 4 * b, true);
    for (let s = 0; s < nsplits; s++) {
      if (ip < 0 || ip + 4 > cbytes) return false;
      const csize = h.getInt32(ip, true);
      ip += 4;
      if (csize < 0 || ip + csize > cbytes) return false;
      if (csize === neblock) out.set(src.subarray(ip, ip + neblock), op);
      else if (lz4DecodeBlock(src, ip, ip + csize, out, op, op + neblock) !== op + neblock) return false;
      ip += csize;
      op += neblock;
    }
    if (simd !== null) {
      simdUnshuffle(typesize as 4 | 8, bsize);
      dst.set(simd.output.subarray(0, bsize), b * blocksize);
    } else if (doShuffle) unshuffle(typesize, scratch, 0, dst, b * blocksize, bsize);
  }
  return true;
}
