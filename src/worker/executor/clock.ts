/** Wall-clock seconds since the Unix epoch with sub-millisecond resolution (consistent across threads). */
export function nowSeconds(): number {
  return (performance.timeOrigin + performance.now()) / 1000;
}
