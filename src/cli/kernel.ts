/**
 * `tessera kernel install [--user | --prefix DIR] [--name NAME] [--display-name TEXT]`: writes the
 * kernelspec so that Jupyter (Lab, Notebook, nbclient, a JupyterHub's single-user server) lists the
 * TypeScript kernel. The kernelspec runs dist/src/notebook/kernel/main.js.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { kernelSpec, kernelsDir, type SpecLocation } from "../notebook/kernelspec.js";
import { UsageError } from "../util/errors.js";

const HELP = `usage: tessera kernel install [--user | --prefix DIR] [--name NAME] [--display-name TEXT]

Writes the Jupyter kernelspec of the TypeScript kernel (kernels/NAME/kernel.json).
  --user            in your Jupyter data directory (~/.local/share/jupyter; JUPYTER_DATA_DIR wins)
  --prefix DIR      in DIR/share/jupyter (a virtualenv or conda environment Jupyter runs from)
  (neither)         in /usr/local/share/jupyter (for everyone; needs write access there)
  --name NAME       the kernel's name (default: tessera)
  --display-name T  what Jupyter shows (default: "TypeScript (Tessera)")
Then: jupyter kernelspec list
`;

const OPTIONS = ["--user", "--prefix", "--name", "--display-name", "--help"];

function suggest(opt: string): string {
  const best = OPTIONS.map((o) => [o, [...o].filter((c, i) => opt[i] === c).length] as const).sort((a, b) => b[1] - a[1])[0]!;
  return best[1] >= 3 ? ` (did you mean ${best[0]}?)` : "";
}

export async function kernelCommand(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h") {
    process.stdout.write(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== "install") {
    process.stderr.write(`tessera kernel: unknown subcommand '${sub}'; use 'tessera kernel install' (tessera kernel --help)\n`);
    return 2;
  }
  let where: SpecLocation = { system: true };
  let name = "tessera";
  let display: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    const value = (): string => {
      const v = rest[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value`);
      return v;
    };
    try {
      if (a === "--user") where = { user: true };
      else if (a === "--prefix") where = { prefix: value() };
      else if (a === "--name") name = value();
      else if (a === "--display-name") display = value();
      else if (a === "--help" || a === "-h") {
        process.stdout.write(HELP);
        return 0;
      } else {
        process.stderr.write(`tessera kernel install: unknown option '${a}'${suggest(a)}; options: ${OPTIONS.join(", ")}\n`);
        return 2;
      }
    } catch (err) {
      process.stderr.write(`tessera kernel install: ${(err as Error).message}\n`);
      return 2;
    }
  }
  if (!/^[a-z0-9._-]+$/i.test(name)) {
    process.stderr.write(`tessera kernel install: --name '${name}' may hold only letters, digits, '.', '_' and '-'\n`);
    return 2;
  }
  const main = fileURLToPath(new URL("../notebook/kernel/main.js", import.meta.url));
  const dir = join(kernelsDir(where), name);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "kernel.json"), JSON.stringify(kernelSpec(process.execPath, main, display), null, 1) + "\n");
  } catch (err) {
    process.stderr.write(`tessera kernel install: cannot write ${dir}: ${(err as Error).message}; use --user (or --prefix DIR)\n`);
    return 1;
  }
  process.stdout.write(`Installed the kernelspec '${name}' in ${dir}\n`);
  return 0;
}
