/**
 * The kernelspec Jupyter reads (kernels/tessera/kernel.json): how to start the kernel. Where it goes
 * follows Jupyter's own search path: the user's data directory (--user), a prefix (--prefix, for a
 * virtualenv or conda environment), or the system directory.
 */
import { homedir } from "node:os";
import { join } from "node:path";

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "message" | "signal";
  env?: Record<string, string>;
  metadata?: Record<string, unknown>;
}

export function kernelSpec(nodePath: string, kernelMain: string, displayName = "TypeScript (Tessera)"): KernelSpec {
  return {
    argv: [nodePath, kernelMain, "{connection_file}"],
    display_name: displayName,
    language: "typescript",
    // Interrupts arrive on the control channel: SIGINT would also cancel the SLURM jobs (exit guard).
    interrupt_mode: "message",
    metadata: { debugger: false },
  };
}

export type SpecLocation = { user: true } | { prefix: string } | { system: true };

/** The kernels/ directory for a location (JUPYTER_DATA_DIR wins for --user, as in Jupyter). */
export function kernelsDir(where: SpecLocation, env: NodeJS.ProcessEnv = process.env): string {
  if ("prefix" in where) return join(where.prefix, "share", "jupyter", "kernels");
  if ("system" in where) return "/usr/local/share/jupyter/kernels";
  const data = env["JUPYTER_DATA_DIR"] ?? (process.platform === "darwin" ? join(homedir(), "Library", "Jupyter") : join(env["XDG_DATA_HOME"] ?? join(homedir(), ".local", "share"), "jupyter"));
  return join(data, "kernels");
}
