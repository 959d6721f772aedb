/** A lazy array in a notebook: dask.array's table (bytes, shape, count, type) beside the chunk grid. */
import type { TArray } from "../../array/core.js";
import { formatBytesDecimal } from "../../util/sizes.js";
import { chunkGridSvg } from "./chunk-svg.js";
import { escapeHtml } from "./html.js";

const fmtShape = (s: readonly number[]): string => `(${s.join(", ")}${s.length === 1 ? "," : ""})`;

export function arrayHtml(a: TArray): string {
  const chunkBytes = a.chunksize.reduce((x, y) => x * y, 1) * a.itemsize;
  const tasks = [...a.layers.values()].reduce((n, l) => n + Object.keys(l).length, 0);
  const cell = 'style="padding:2px 8px;text-align:left;border-bottom:1px solid #ddd"';
  const rows: [string, string, string][] = [
    ["Bytes", formatBytesDecimal(a.nbytes), formatBytesDecimal(chunkBytes)],
    ["Shape", fmtShape(a.shape), fmtShape(a.chunksize)],
    ["Count", `${tasks} tasks in ${a.layers.size} layers`, `${a.npartitions} chunks`],
    ["Type", a.dtype, "typed array"],
  ];
  const table =
    `<table class="tessera-array-table" style="border-collapse:collapse;font-size:12px">` +
    `<thead><tr><td ${cell}></td><th ${cell}>Array</th><th ${cell}>Chunk</th></tr></thead><tbody>` +
    rows.map(([k, x, y]) => `<tr><th ${cell}>${k}</th><td ${cell}>${escapeHtml(x)}</td><td ${cell}>${escapeHtml(y)}</td></tr>`).join("") +
    `</tbody></table>`;
  const name = escapeHtml(a.name.slice(0, a.name.lastIndexOf("-")));
  return (
    `<div class="tessera-repr tessera-array" style="font-family:system-ui,sans-serif;font-size:12px">` +
    `<div style="font-weight:600;margin-bottom:2px">tessera.array&lt;${name}&gt;</div>` +
    `<table style="border-collapse:collapse"><tr><td style="vertical-align:top;padding:0 16px 0 0">${table}</td>` +
    `<td style="vertical-align:middle">${chunkGridSvg(a.chunks)}</td></tr></table></div>`
  );
}
