/**
 * Modules whose import registers built-in ops (see ./ops.ts). Every task thread and the
 * in-process executor import all of them before running tasks. Paths are relative to this file.
 */
export const builtinOpModules: readonly string[] = [
  "../array/ops-register.js",
  "../array/io/ops-register.js",
];

export async function importBuiltinOps(): Promise<void> {
  for (const m of builtinOpModules) await import(new URL(m, import.meta.url).href);
}
