// Checks that each layer imports only from the layers below it (docs/architecture.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const src = join(repo, "src");

/** What each top-level folder of src/ may import (besides itself). */
const allowed: Record<string, readonly string[]> = {
  util: [],
  graph: ["util"],
  array: ["graph", "util"],
  protocol: ["graph", "util"], // message types carry graphs (data only)
  scheduler: ["protocol", "graph", "util"],
  worker: ["protocol", "graph", "util"],
  client: ["protocol", "graph", "util"],
  dashboard: ["scheduler", "protocol", "graph", "util"],
  cluster: ["scheduler", "worker", "client", "protocol", "graph", "util", "dashboard"],
  notebook: ["cluster", "client", "scheduler", "worker", "array", "dashboard", "protocol", "graph", "util"],
  cli: ["notebook", "cluster", "client", "scheduler", "worker", "array", "dashboard", "protocol", "graph", "util"],
};

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== "frontend") out.push(...tsFiles(p));
    } else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

test("src/ layers import only downward", () => {
  const violations: string[] = [];
  const files = tsFiles(src);
  assert.ok(files.length > 5, "expected source files under src/");
  for (const file of files) {
    const rel = relative(src, file);
    const layer = rel.split("/")[0]!;
    if (!(layer in allowed)) continue; // top-level files such as src/index.ts re-export everything
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s*["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g)) {
      const spec = m[1] ?? m[2]!;
      const target = relative(src, resolve(dirname(file), spec));
      const targetLayer = target.split("/")[0]!;
      if (target.startsWith("..") || targetLayer === layer || !(targetLayer in allowed)) continue;
      if (!allowed[layer]!.includes(targetLayer)) violations.push(`${rel} imports ${spec} (${layer} → ${targetLayer})`);
    }
  }
  assert.deepEqual(violations, []);
});
