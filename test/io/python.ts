/**
 * Python's own readers and writers for the interop tests: Debian's /usr/bin/python3 with
 * python3-zarr, python3-netcdf4, python3-h5py and python3-numpy (.ci/run installs them). A
 * missing module fails the test loudly: these tests are the proof of interoperability.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PYTHON = "/usr/bin/python3";

/** Runs `code` with numpy as np (and the named modules) imported; returns stdout parsed as JSON when it is. */
export function py(code: string, modules: readonly string[] = []): unknown {
  const head = ["import json, sys", "import numpy as np", ...modules.map((m) => `import ${m}`)].join("\n");
  const r = spawnSync(PYTHON, ["-c", `${head}\n${code}`], { encoding: "utf8", timeout: 60_000 });
  if (r.error) assert.fail(`cannot run ${PYTHON}: ${r.error.message} (install Debian's python3 with python3-numpy)`);
  if (r.status !== 0) {
    const missing = /No module named '([^']+)'/.exec(r.stderr);
    if (missing) assert.fail(`Python module '${missing[1]}' is missing: apt-get install -y python3-zarr python3-netcdf4 python3-h5py python3-numpy`);
    assert.fail(`python failed (exit ${r.status}):\n${r.stderr}`);
  }
  const out = r.stdout.trim();
  try { return JSON.parse(out.split("\n").pop() ?? ""); } catch { return out; }
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `tessera-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The deterministic values both sides use: v(i) for flat index i. */
export const PY_VALUES = "def values(shape, dtype):\n    n = int(np.prod(shape))\n    return ((np.arange(n) * 7919) % 1000 - 300).reshape(shape).astype(dtype)\n";
export function jsValue(i: number): number { return ((i * 7919) % 1000) - 300; }
