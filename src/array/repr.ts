/** The REPL view of an array, like dask's array repr: bytes, shape, counts, dtype. */
import { formatBytesDecimal } from "../util/sizes.js";
import type { TArray } from "./core.js";

const fmtShape = (s: readonly number[]): string => `(${s.join(", ")}${s.length === 1 ? "," : ""})`;

export function reprArray(a: TArray, table: boolean): string {
  const head = `tessera.array<${a.name.slice(0, a.name.lastIndexOf("-"))}, shape=${fmtShape(a.shape)}, dtype=${a.dtype}, chunksize=${fmtShape(a.chunksize)}>`;
  if (!table) return head;
  const chunkBytes = a.chunksize.reduce((x, y) => x * y, 1) * a.itemsize;
  const tasks = [...a.layers.values()].reduce((n, l) => n + Object.keys(l).length, 0);
  const rows: [string, string, string][] = [
    ["", "Array", "Chunk"],
    ["Bytes", formatBytesDecimal(a.nbytes), formatBytesDecimal(chunkBytes)],
    ["Shape", fmtShape(a.shape), fmtShape(a.chunksize)],
    ["Count", `${tasks} tasks in ${a.layers.size} layers`, `${a.npartitions} chunks`],
    ["Type", a.dtype, "typed array"],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return [head, ...rows.map(([x, y, z]) => `  ${x.padEnd(w0)}  ${y.padEnd(w1)}  ${z}`)].join("\n");
}
