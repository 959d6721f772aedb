/**
 * Debian's Jupyter for the notebook tests: the kernelspec installed by `tessera kernel install` into
 * a temporary prefix (JUPYTER_PATH points there), and python3 with jupyter_client / nbclient.
 * Without them the tests fail loudly with the install command.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const PYTHON = "/usr/bin/python3";
export const repo = fileURLToPath(new URL("../../../", import.meta.url));
const CLI = join(repo, "dist/src/cli/main.js");

export function requireJupyter(): void {
  const r = spawnSync(PYTHON, ["-c", "import jupyter_client, nbclient, nbformat"], { encoding: "utf8" });
  assert.equal(
    r.status,
    0,
    `the notebook tests need Debian's Jupyter: apt-get install -y --no-install-recommends jupyter-nbconvert python3-nbclient jupyter-client\n${r.stderr}`,
  );
}

/** Installs the kernelspec with the CLI into a fresh prefix; returns the env that makes Jupyter find it. */
export function installKernel(): { env: NodeJS.ProcessEnv; specFile: string } {
  const prefix = mkdtempSync(join(tmpdir(), "tessera-jupyter-"));
  process.on("exit", () => rmSync(prefix, { recursive: true, force: true }));
  const r = spawnSync(process.execPath, [CLI, "kernel", "install", "--prefix", prefix], { encoding: "utf8" });
  assert.equal(r.status, 0, `tessera kernel install failed: ${r.stderr}`);
  const specFile = join(prefix, "share/jupyter/kernels/tessera/kernel.json");
  JSON.parse(readFileSync(specFile, "utf8"));
  // Keep Jupyter's runtime files (connection files) out of the shared home directory as well.
  const env = { ...process.env, JUPYTER_PATH: join(prefix, "share/jupyter"), JUPYTER_RUNTIME_DIR: join(prefix, "runtime"), PYDEVD_DISABLE_FILE_VALIDATION: "1" };
  return { env, specFile };
}
