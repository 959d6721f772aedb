// A module-level user function that workers import by URL (as on a shared filesystem).
export function double(x: number): number {
  return 2 * x;
}
