/**
 * An LZ4 block decoder (the raw block format, as inside Blosc): decodes src[ip, ipEnd) into
 * dst[op, opEnd) and returns the end of what it wrote, or -1 when the input is not a valid block
 * of exactly that size (the caller then falls back to a checked decoder that names the error).
 * Literal and match runs of 32+ bytes go through TypedArray.set / copyWithin (memcpy / memmove);
 * long overlapping matches by doubling copies of their period; short ones byte by byte.
 */
export function lz4DecodeBlock(src: Uint8Array, ip: number, ipEnd: number, dst: Uint8Array, op: number, opEnd: number): number {
  const opStart = op;
  while (ip < ipEnd) {
    const token = src[ip++]!;
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do { b = src[ip++]!; lit += b; } while (b === 255 && ip < ipEnd);
    }
    if (ip + lit > ipEnd || op + lit > opEnd) return -1;
    if (lit >= 32) {
      dst.set(src.subarray(ip, ip + lit), op);
      ip += lit; op += lit;
    } else {
      for (const end = ip + lit; ip < end;) dst[op++] = src[ip++]!;
    }
    if (ip === ipEnd) break; // the last sequence has literals only
    if (ip + 2 > ipEnd) return -1;
    const offset = src[ip]! | (src[ip + 1]! << 8);
    ip += 2;
    let len = (token & 15) + 4;
    if (len === 19) {
      let b: number;
      do { b = src[ip++]!; len += b; } while (b === 255 && ip < ipEnd);
    }
    if (offset === 0 || op - offset < opStart || op + len > opEnd) return -1;
    if (len >= 32 && offset >= len) {
      dst.copyWithin(op, op - offset, op - offset + len);
      op += len;
    } else if (len >= 64) {
      // An overlapping match repeats the last `offset` bytes: copy one period, then double
      // (a run of one byte, e.g. a shuffled exponent stream, is ~log2(len) copies, not len).
      const from = op - offset;
      dst.copyWithin(op, from, op);
      let done = offset;
      while (done < len) {
        const n = Math.min(len - done, done);
        dst.copyWithin(op + done, op, op + n);
        done += n;
      }
      op += len;
    } else {
      for (let m = op - offset, end = op + len; op < end;) dst[op++] = dst[m++]!;
    }
  }
  return op;
}
