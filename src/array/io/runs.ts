/**
 * Contiguous runs of a C-order box inside a C-order array: how a block of a flat file (.npy,
 * NetCDF-3 variables) maps to byte ranges. Runs come in the block's C order.
 */
export function forEachRun(shape: readonly number[], start: readonly number[], count: readonly number[], fn: (flatOffset: number, length: number) => void): void {
  const nd = shape.length;
  if (count.some((c) => c === 0)) return;
  if (nd === 0) { fn(0, 1); return; }
  const strides = new Array<number>(nd);
  let acc = 1;
  for (let k = nd - 1; k >= 0; k--) { strides[k] = acc; acc *= shape[k]!; }
  let inner = nd - 1;
  let run = count[inner]!;
  while (inner > 0 && count[inner] === shape[inner]) { inner--; run *= count[inner]!; }
  const idx = new Array<number>(inner).fill(0);
  for (;;) {
    let off = 0;
    for (let k = 0; k < nd; k++) off += (start[k]! + (k < inner ? idx[k]! : 0)) * strides[k]!;
    fn(off, run);
    let k = inner - 1;
    for (; k >= 0; k--) {
      if (++idx[k]! < count[k]!) break;
      idx[k] = 0;
    }
    if (k < 0) return;
  }
}
