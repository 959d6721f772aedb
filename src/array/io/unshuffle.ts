/**
 * Blosc's byte unshuffle: a shuffled block holds byte j of every element together
 * (src[j·n + i] is byte j of element i); unshuffling interleaves them back. For 4- and 8-byte
 * types at a 4-byte-aligned destination, whole 32-bit words are assembled from 4 byte streams
 * (one store per 4 bytes instead of 4); bytes past the last whole element are copied as they are.
 */
export function unshuffle(typesize: number, src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number, bytes: number): void {
  const n = Math.floor(bytes / typesize);
  const whole = n * typesize;
  if ((typesize === 4 || typesize === 8) && (dst.byteOffset + dstOff) % 4 === 0) {
    const words = new Uint32Array(dst.buffer, dst.byteOffset + dstOff, whole / 4);
    const per = typesize / 4;
    for (let w = 0; w < per; w++) {
      const b0 = srcOff + 4 * w * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
      for (let i = 0, o = w; i < n; i++, o += per) {
        words[o] = src[b0 + i]! | (src[b1 + i]! << 8) | (src[b2 + i]! << 16) | (src[b3 + i]! << 24);
      }
    }
  } else {
    for (let j = 0; j < typesize; j++) {
      const s = srcOff + j * n;
      for (let i = 0, o = dstOff + j; i < n; i++, o += typesize) dst[o] = src[s + i]!;
    }
  }
  for (let k = whole; k < bytes; k++) dst[dstOff + k] = src[srcOff + k]!;
}
