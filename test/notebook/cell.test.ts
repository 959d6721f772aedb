// Cells: TypeScript → a script whose top-level names outlive the cell, with top-level await; run here
// in this process as the kernel runs them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runInThisContext } from "node:vm";
import { compileCell, CellSyntaxError } from "../../src/notebook/kernel/cell.js";

const g = globalThis as Record<string, unknown>;
g["__cellTestImport"] = (spec: string) => import(spec);

async function runBoxed(code: string): Promise<{ value: unknown } | undefined> {
  const cell = compileCell(code, "__cellTestImport");
  return (await (runInThisContext(cell.script) as Promise<{ value: unknown } | undefined>)) ?? undefined;
}
const run = async (code: string): Promise<unknown> => (await runBoxed(code))?.value;

test("declarations persist between cells; const may be declared again when a cell is re-run", async () => {
  assert.equal(await run("const cellA: number = 20;\nlet cellB = 1;\ncellA + cellB"), 21);
  assert.equal(await run("cellA * 2"), 40);
  assert.equal(await run("const cellA = 5;\ncellA"), 5);
  assert.equal(await run("const { cellX, cellY: [cellZ] } = { cellX: 1, cellY: [2] };\ncellX + cellZ"), 3);
});

test("functions are hoisted, classes assigned, interfaces and types erased", async () => {
  assert.equal(await run("cellTwice(4)\nfunction cellTwice(x: number): number { return 2 * x; }"), 8);
  assert.equal(await run("interface P { x: number }\ntype Q = P;\nclass CellBox implements P { x = 3 }\nnew CellBox().x"), 3);
  assert.equal(await run("cellTwice(new CellBox().x)"), 6);
});

test("top-level await and imports (named, default, namespace); type-only imports vanish", async () => {
  assert.equal(await run("import { join as cellJoin } from 'node:path';\nimport type { Stats } from 'node:fs';\nawait Promise.resolve(cellJoin('a', 'b'))"), "a/b");
  assert.equal(await run("import cellPath from 'node:path';\nimport * as cellOs from 'node:os';\ntypeof cellPath.join + typeof cellOs.cpus"), "functionfunction");
});

test("the value is the last expression only; a thenable is shown, not awaited", async () => {
  assert.equal(await run("const cellQ = 1;"), undefined);
  assert.equal(await run("if (true) { 5 }"), undefined);
  const box = await runBoxed("({ then(r: (v: number) => void) { r(1); }, tag: 'future' })");
  assert.equal((box!.value as { tag: string }).tag, "future");
});

test("syntax errors name the line", () => {
  assert.throws(() => compileCell("const = 3"), (e: unknown) => e instanceof CellSyntaxError && /line 1/.test(e.message));
});
