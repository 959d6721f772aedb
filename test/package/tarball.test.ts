// The published package: `npm pack` the project, check what the tarball holds, install it into a
// scratch project (from the npm cache where it can), compile the README's TypeScript snippets and the type
// tests against the installed types (tsc --strict, module nodenext), and run the snippets that need no
// SLURM, including the by-hand cluster with the installed `tessera` command. Dependencies come from
// the npm cache when it has them (--prefer-offline), else from the registry.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", timeout: 180_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The ```ts blocks of the README, in order. */
async function readmeSnippets(): Promise<string[]> {
  const md = await readFile(join(repo, "README.md"), "utf8");
  return [...md.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
}

test("npm pack → install → tsc --strict nodenext → run the README snippets", async () => {
  const pkg = JSON.parse(await readFile(join(repo, "package.json"), "utf8")) as { scripts: Record<string, string>; version: string };
  assert.match(pkg.scripts["prepack"] ?? "", /build/, "a fresh clone's npm pack builds dist/ first");
  const dir = await mkdtemp(join(tmpdir(), "tessera-pack-"));
  const procs: ChildProcess[] = [];
  try {
    // dist/ is built by `npm test`; --ignore-scripts skips the prepack rebuild here.
    const packed = JSON.parse(run(npm, ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], repo)) as { filename: string; files: { path: string }[] }[];
    const files = packed[0]!.files.map((f) => f.path);
    assert.ok(files.includes("dist/src/index.js") && files.includes("dist/src/index.d.ts") && files.includes("dist/src/cli/main.js"));
    assert.ok(files.includes("dist/dashboard-assets/app.js"), "the dashboard's front-end");
    assert.deepEqual(files.filter((f) => f.endsWith(".map")), [], "no source maps for sources the tarball does not ship");
    assert.deepEqual(files.filter((f) => /\.(png|jpg)$/.test(f) || f.startsWith("scripts/") || f.startsWith("dist/test") || f.startsWith("dist/bench")), []);

    const app = join(dir, "app");
    await mkdir(app);
    await writeFile(join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", type: "module", private: true }));
    const tsVersion = (JSON.parse(await readFile(join(repo, "node_modules/typescript/package.json"), "utf8")) as { version: string }).version;
    const typesVersion = (JSON.parse(await readFile(join(repo, "node_modules/@types/node/package.json"), "utf8")) as { version: string }).version;
    run(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", join(dir, packed[0]!.filename), `typescript@${tsVersion}`, `@types/node@${typesVersion}`], app);

    // Every README snippet, and the type tests rewritten to import the package.
    const snippets = await readmeSnippets();
    assert.ok(snippets.length >= 4, `found ${snippets.length} ts snippets in README.md`);
    const names: string[] = [];
    for (const [i, s] of snippets.entries()) {
      names.push(`readme-${i}.ts`);
      await writeFile(join(app, `readme-${i}.ts`), `${s}\nexport {};\n`);
    }
    for (const f of ["submit.ts", "compute.ts"]) {
      const src = await readFile(join(repo, "test/types", f), "utf8");
      await writeFile(join(app, `types-${f}`), src.replaceAll('"../../src/index.js"', '"tessera"').replaceAll('"../../src/array/index.js"', '"tessera/array"'));
      names.push(`types-${f}`);
    }
    await writeFile(
      join(app, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { strict: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", lib: ["es2023"], types: ["node"], outDir: "out", skipLibCheck: true }, files: names }),
    );
    const tsc = createRequire(join(app, "package.json")).resolve("typescript/bin/tsc");
    run(process.execPath, [tsc, "-p", "tsconfig.json"], app);

    // Run the snippets: arrays (10 GB → 10 MB here), futures on a LocalCluster, and the by-hand cluster.
    const node = (file: string, env: NodeJS.ProcessEnv = {}) => run(process.execPath, [join("out", file)], app, { TESSERA_LOG_LEVEL: "warn", ...env });
    const arrays = snippets.findIndex((s) => s.includes("random.uniform"));
    const arraysSrc = (await readFile(join(app, "out", `readme-${arrays}.js`), "utf8")).replace("10e9 / 8", "10e6 / 8").replace("200e6 / 8", "1e6 / 8");
    await writeFile(join(app, "out", "arrays.js"), `${arraysSrc}\nconsole.log("pi", pi);\n`);
    assert.match(node("arrays.js"), /pi 3\.1\d*/);
    const futures = snippets.findIndex((s) => s.includes("LocalCluster.start"));
    assert.match(node(`readme-${futures}.js`), /Workers: 2 · Cores: 2/);

    const home = join(dir, "home");
    await mkdir(home);
    const bin = join(app, "node_modules/.bin/tessera");
    assert.match(run(bin, ["--version"], app), new RegExp(`^tessera ${pkg.version.replace(/\./g, "\\.")}\\n$`));
    const env = { ...process.env, HOME: home, TESSERA_SECRET: "", TESSERA_SECRET_FILE: "", TESSERA_LOG_LEVEL: "warn" };
    const sched = spawn(bin, ["scheduler", "--port", "0", "--no-dashboard"], { cwd: app, env, stdio: ["ignore", "pipe", "pipe"] });
    procs.push(sched);
    const address = await new Promise<string>((res, rej) => {
      let out = "";
      sched.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /tcp:\/\/(\S+)\n/.exec(out);
        if (m) res(m[1]!);
      });
      sched.once("exit", (code) => rej(new Error(`scheduler exited ${code}`)));
    });
    const secret = join(home, ".tessera", "secret");
    for (const extra of [[], ["--resources", "GPU=1"]]) {
      procs.push(spawn(bin, ["worker", address, "--secret-file", secret, "--nthreads", "1", "--no-nanny", ...extra], { cwd: app, env, stdio: "ignore" }));
    }
    const byHand = snippets.findIndex((s) => s.includes("Security.fromSecretFile"));
    const byHandSrc = (await readFile(join(app, "out", `readme-${byHand}.js`), "utf8")).replace("127.0.0.1:8786", address);
    await writeFile(join(app, "out", "by-hand.js"), `${byHandSrc}\nconsole.log(JSON.stringify({ squares, onGpu }));\n`);
    const got = JSON.parse(node("by-hand.js", { HOME: home }).trim().split("\n").at(-1)!) as { squares: number[]; onGpu: number };
    assert.deepEqual(got.squares, [1, 4, 9]);
    assert.equal(typeof got.onGpu, "number");
    assert.equal(procs[2]!.pid !== undefined, true);
    assert.equal(got.onGpu, procs[2]!.pid, "the task asking for a GPU ran on the worker with --resources GPU=1");
    void readdir;
  } finally {
    for (const p of procs.reverse()) p.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    await rm(dir, { recursive: true, force: true });
  }
});
