/**
 * The chunk grid of an array as SVG, like dask.array's repr: one rectangle per array (the last two
 * axes; a 1-d array is a flat bar), a line at each chunk boundary, side lengths scaled by the log of
 * the shape so that long and short axes both stay readable. Pure.
 */

const MAX_SIDE = 120;
const MIN_SIDE = 10;
/** Past this many boundaries on an axis the lines merge into a shaded fill (dask does the same). */
const MAX_LINES = 100;

function sides(shape: readonly number[]): number[] {
  const big = Math.max(...shape, 1);
  return shape.map((n) => {
    if (n <= 0) return MIN_SIDE;
    // Ratio on a log scale: an axis 1000× shorter still gets a visible side.
    const r = Math.log1p(n) / Math.log1p(big);
    return Math.max(MIN_SIDE, Math.round(MAX_SIDE * r));
  });
}

function boundaries(chunks: readonly number[], side: number): number[] {
  const total = chunks.reduce((a, b) => a + b, 0) || 1;
  const out = [0];
  let at = 0;
  for (const c of chunks) {
    at += c;
    out.push((at / total) * side);
  }
  return out;
}

/** SVG of the chunk grid of the last two axes (`chunks[i]` = chunk sizes along axis i). */
export function chunkGridSvg(chunks: readonly (readonly number[])[]): string {
  const grid = chunks.length === 0 ? [[1], [1]] : chunks.length === 1 ? [[1], chunks[0]!] : chunks.slice(-2);
  const shape = grid.map((c) => c.reduce((a, b) => a + b, 0));
  const [h, w] = chunks.length === 1 ? [Math.round(MAX_SIDE / 5), MAX_SIDE] : sides(shape);
  const pad = 10;
  const lines: string[] = [];
  const rows = boundaries(grid[0]!, h!);
  const cols = boundaries(grid[1]!, w!);
  const fill = (rows.length > MAX_LINES || cols.length > MAX_LINES) ? "#8B4903" : "#ECB172";
  const opacity = fill === "#8B4903" ? "0.5" : "1";
  lines.push(`<polygon points="${pad},${pad} ${pad + w!},${pad} ${pad + w!},${pad + h!} ${pad},${pad + h!}" style="fill:${fill};fill-opacity:${opacity};stroke-width:0"/>`);
  const sample = (xs: number[]) => (xs.length > MAX_LINES ? [xs[0]!, xs[xs.length - 1]!] : xs);
  for (const y of sample(rows)) {
    const bold = y === 0 || Math.abs(y - h!) < 1e-9;
    lines.push(`<line x1="${pad}" y1="${(pad + y).toFixed(1)}" x2="${pad + w!}" y2="${(pad + y).toFixed(1)}" style="stroke-width:${bold ? 2 : 1}"/>`);
  }
  for (const x of sample(cols)) {
    const bold = x === 0 || Math.abs(x - w!) < 1e-9;
    lines.push(`<line x1="${(pad + x).toFixed(1)}" y1="${pad}" x2="${(pad + x).toFixed(1)}" y2="${pad + h!}" style="stroke-width:${bold ? 2 : 1}"/>`);
  }
  const label = (text: string, x: number, y: number, rotate = false) =>
    `<text x="${x}" y="${y}" font-size="1.0rem" font-weight="100" text-anchor="middle"${rotate ? ` transform="rotate(-90,${x},${y})"` : ""}>${text}</text>`;
  const labels = [label(String(shape[1]), pad + w! / 2, pad + h! + 20)];
  if (chunks.length >= 2) labels.push(label(String(shape[0]), pad + w! + 20, pad + h! / 2, true));
  const width = w! + 2 * pad + 30;
  const height = h! + 2 * pad + 25;
  return (
    `<svg class="tessera-chunks" width="${width}" height="${height}" style="stroke:rgb(0,0,0)" xmlns="http://www.w3.org/2000/svg">` +
    `<g>${lines.join("")}</g><g style="stroke:none">${labels.join("")}</g></svg>`
  );
}
