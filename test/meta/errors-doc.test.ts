// docs/errors.md lists exactly the error codes used in src/, and every error class in src/ extends
// TesseraError (so every error Tessera raises on purpose has a code).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { TaskError, executeGraph } from "../../src/graph/execute.js";
import * as tessera from "../../src/index.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

const sources = tsFiles(join(repo, "src")).map((p) => ({ path: relative(repo, p), text: readFileSync(p, "utf8") }));

test("docs/errors.md lists exactly the codes used in src/", () => {
  const used = new Set<string>();
  for (const { text } of sources) for (const m of text.matchAll(/"(TESSERA_ERR_[A-Z_]+)"/g)) used.add(m[1]!);
  const doc = readFileSync(join(repo, "docs/errors.md"), "utf8");
  const documented = new Set([...doc.matchAll(/^\| `(TESSERA_ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]!));
  assert.ok(used.size >= 20, `found only ${used.size} codes in src/`);
  assert.deepEqual([...used].filter((c) => !documented.has(c)).sort(), [], "codes used in src/ but missing from docs/errors.md");
  assert.deepEqual([...documented].filter((c) => !used.has(c)).sort(), [], "codes in docs/errors.md that src/ never uses");
});

test("every error class in src/ extends TesseraError", () => {
  const offenders: string[] = [];
  for (const { path, text } of sources) {
    for (const m of text.matchAll(/class (\w+) extends (\w*Error)\b/g)) {
      if (m[2] !== "TesseraError" && !(path === "src/util/errors.ts" && m[1] === "TesseraError")) offenders.push(`${path}: ${m[1]} extends ${m[2]}`);
    }
  }
  assert.deepEqual(offenders, []);
});

/**
 * Paths other helpers are converting now (merged later): the lead empties this list once they are.
 * Everything else in src/ raises TesseraErrors only.
 */
test("src/ raises no plain Error, RangeError or TypeError: every error is a TesseraError with a code", () => {
  const plain = /\bnew (Error|RangeError|TypeError|SyntaxError|ReferenceError)\(/;
  const offenders: string[] = [];
  for (const { path, text } of sources) {
    text.split("\n").forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, "");
      // `err instanceof Error ? err : new Error(inspect(err))` turns a thrown non-Error into one for display.
      if (plain.test(code) && !/instanceof Error \? \w+ : new Error\(/.test(code)) offenders.push(`${path}:${i + 1}: ${line.trim().slice(0, 120)}`);
    });
  }
  assert.deepEqual(offenders, [], "use a TesseraError subclass (src/util/errors.ts, or the layer's errors) and list its code in docs/errors.md");
});

test("one TaskError: thrown in-process, exported, with a code", () => {
  assert.equal(TaskError, tessera.TaskError);
  tessera.registerOp("test.errorsDoc.fail", (x: number) => {
    throw new RangeError(`bad ${x}`);
  });
  let caught: unknown;
  try {
    executeGraph({ x: { data: 1 }, f: { op: "test.errorsDoc.fail", args: [{ $ref: "x" }] } }, ["f"]);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof tessera.TaskError, `got ${String(caught)}`);
  assert.ok(caught instanceof tessera.TesseraError);
  assert.equal(caught.code, "TESSERA_ERR_TASK");
  assert.equal(caught.key, "f");
  assert.equal(caught.remoteName, "RangeError");
  assert.equal(caught.op, "test.errorsDoc.fail");
  assert.equal(new tessera.KilledWorker("k", "m").code, tessera.KILLED_WORKER_CODE);
});
