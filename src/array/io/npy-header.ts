/** The .npy header (format versions 1.0–3.0): parse and build. */
import { closeSync, openSync, readSync } from "node:fs";
import { UnsupportedFormatError } from "./errors.js";
import { fromNumpyTypestr, type StoredType } from "./dtypes.js";

export interface NpyHeader {
  readonly type: StoredType;
  readonly littleEndian: boolean;
  readonly shape: number[];
  readonly dataOffset: number;
}

const MAGIC = "\x93NUMPY";

export function readNpyHeader(file: string): NpyHeader {
  const fd = openSync(file, "r");
  try {
    const pre = Buffer.alloc(12);
    const got = readSync(fd, pre, 0, 12, 0);
    if (got < 10 || pre.toString("latin1", 0, 6) !== MAGIC) throw new UnsupportedFormatError(`${file} is not a .npy file (bad magic bytes)`);
    const major = pre[6]!;
    const lenBytes = major === 1 ? 2 : 4;
    const hlen = lenBytes === 2 ? pre.readUInt16LE(8) : pre.readUInt32LE(8);
    const start = 8 + lenBytes;
    const h = Buffer.alloc(hlen);
    readSync(fd, h, 0, hlen, start);
    const text = h.toString(major === 3 ? "utf8" : "latin1");
    const descr = /'descr'\s*:\s*'([^']+)'/.exec(text);
    const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
    const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
    if (!descr || !fortran || !shape) throw new UnsupportedFormatError(`${file}: cannot parse the .npy header ${JSON.stringify(text.trim())} (structured dtypes are not supported)`);
    if (fortran[1] === "True") throw new UnsupportedFormatError(`${file}: Fortran-order .npy files are not supported; save with np.ascontiguousarray(x)`);
    const { type, littleEndian } = fromNumpyTypestr(descr[1]!, file);
    const dims = shape[1]!.split(",").map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
    return { type, littleEndian, shape: dims, dataOffset: start + hlen };
  } finally {
    closeSync(fd);
  }
}

/** A version 1.0 header (2.0 if it does not fit) padded to a multiple of 64 bytes. */
export function npyHeaderBytes(descr: string, shape: readonly number[]): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  for (const [major, lenBytes] of [[1, 2], [2, 4]] as const) {
    const pre = 8 + lenBytes;
    const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
    const hlen = total - pre;
    if (lenBytes === 2 && hlen > 0xffff) continue;
    const b = Buffer.alloc(total, 0x20);
    b.write(MAGIC, 0, "latin1");
    b[6] = major; b[7] = 0;
    if (lenBytes === 2) b.writeUInt16LE(hlen, 8); else b.writeUInt32LE(hlen, 8);
    b.write(dict, pre, "latin1");
    b[total - 1] = 0x0a;
    return b;
  }
  throw new UnsupportedFormatError(`a .npy header for shape (${shape.join(", ")}) is ${dict.length} bytes: more than a version 2.0 header holds`);
}
