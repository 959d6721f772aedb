#!/usr/bin/env node
// Bundles the dashboard's browser front-end (src/dashboard/frontend, with uPlot) into
// dist/dashboard-assets/app.js + app.css. No CDN: everything the pages load comes from the scheduler.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
// esbuild strips types without checking them: type-check the front-end first (it is excluded from
// the main tsconfig because it targets the browser).
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const check = spawnSync(process.execPath, [tsc, "-p", "src/dashboard/frontend/tsconfig.json"], { cwd: root, stdio: "inherit" });
if (check.status !== 0) {
  console.error("dashboard front-end has type errors (see above)");
  process.exit(1);
}
await build({
  absWorkingDir: root,
  entryPoints: ["src/dashboard/frontend/main.ts"],
  bundle: true,
  format: "iife",
  platform: "browser",
  target: ["chrome100", "firefox100", "safari15"],
  outfile: "dist/dashboard-assets/app.js",
  minify: true,
  sourcemap: true,
  legalComments: "linked",
  logLevel: "warning",
});
console.log("dashboard front-end → dist/dashboard-assets/");
