// rebalance and uploadFile on a real LocalCluster (worker processes over TCP): results piled on one
// worker spread out and stay right; a module that exists only in a client's temporary directory
// reaches every worker, current and joining later, as ops and as remote() functions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { withCluster } from "../fixtures/cluster.js";
import { remote, TesseraError, type Future } from "../../src/index.js";

const MB = 1 << 20;

test("rebalance moves results from a loaded worker to an idle one; values and later tasks stay right", async () => {
  await withCluster({ memoryLimit: 0 }, async ({ client }) => {
    const [a, b] = (await client.schedulerInfo()).workers.map((w) => w.address).sort();
    const arrays = Array.from({ length: 8 }, (_, i) => new Float64Array(MB / 8).fill(i + 1));
    const data = await client.scatter(arrays, { workers: a! });
    const on = async (fs: readonly Future[]) => {
      const where = await client.whoHas(fs);
      return fs.map((f) => where[f.key]!.join(","));
    };
    assert.deepEqual(await on(data), Array(8).fill(a));

    // Only the keys given may move: two of them.
    const some = await client.rebalance(data.slice(6));
    assert.deepEqual(Object.keys(some.moved).sort(), data.slice(6).map((f) => f.key).sort());
    assert.deepEqual(await on(data), [...Array(6).fill(a), b, b]);

    // All: 8 MiB on a and b → 4 and 4 (a sends its oldest until both hold the mean).
    const all = await client.rebalance();
    assert.deepEqual(all.failed, []);
    const where = await on(data);
    assert.equal(where.filter((w) => w === a).length, 4);
    assert.equal(where.filter((w) => w === b).length, 4);
    assert.ok(Object.values(all.moved).every(([from, to]) => from === a && to === b));
    // Balanced: nothing more to do.
    assert.deepEqual((await client.rebalance()).moved, {});

    // The values came along intact, and tasks on them run (wherever they are now).
    const back = await client.gather(data);
    back.forEach((v, i) => assert.ok(v.length === MB / 8 && v.every((x) => x === i + 1), `array ${i}`));
    const sums = await client.gather(data.map((f) => client.submit((x: Float64Array) => x.reduce((s, v) => s + v, 0), f)));
    assert.deepEqual(sums, arrays.map((_, i) => (i + 1) * (MB / 8)));
  });
});

test("uploadFile: a module only in the client's temporary directory runs on every worker, also ones joining later", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tessera-upload-src-"));
  try {
    await withCluster({}, async ({ client, cluster }) => {
      await writeFile(join(dir, "factor.mjs"), "export const factor = 3;\n");
      await writeFile(
        join(dir, "tripling.mjs"),
        'import { factor } from "./factor.mjs";\n' +
          'export const ops = { "upload.triple": (x) => x * factor };\n' +
          "export function tripleAll(xs) { return xs.map((x) => x * factor); }\n",
      );
      // Before the upload, workers do not know the op.
      await assert.rejects(client.submit("upload.triple", 1).result(), /unknown op 'upload\.triple'/);

      const factorPaths = await client.uploadFile(join(dir, "factor.mjs"));
      const paths = await client.uploadFile(join(dir, "tripling.mjs"));
      const workers = (await client.schedulerInfo()).workers.map((w) => w.address).sort();
      assert.deepEqual(Object.keys(paths).sort(), workers);
      assert.deepEqual(Object.keys(factorPaths).sort(), workers);
      for (const p of Object.values(paths)) assert.ok(p.endsWith("tripling.mjs") && !p.startsWith(dir), p);

      // The client's copy goes: workers must use theirs. Functions tagged with remote() in that file
      // load the uploaded copy; its ops are registered in every task thread.
      const url = pathToFileURL(join(dir, "tripling.mjs")).href;
      const mod = (await import(url)) as { tripleAll: (xs: number[]) => number[] };
      const { tripleAll } = remote(url, { tripleAll: mod.tripleAll });
      await rm(dir, { recursive: true, force: true });
      assert.equal(existsSync(dir), false);
      assert.deepEqual(await client.gather(client.map("upload.triple", [1, 2, 3, 4])), [3, 6, 9, 12]);
      assert.deepEqual(await client.submit(tripleAll, [5, 6]), [15, 18]);

      // A worker joining later gets the files before its first task.
      await cluster.scale(3);
      await client.waitForWorkers(3, { timeoutMs: 30_000 });
      const late = (await client.schedulerInfo()).workers.map((w) => w.address).find((w) => !workers.includes(w))!;
      assert.equal(await client.submitWith({ workers: late }, "upload.triple", 7), 21);
      assert.deepEqual(await client.submitWith({ workers: late }, tripleAll, [1]), [3]);

      // A directory arrives as a directory: its modules import each other by relative paths.
      const tree = await mkdtemp(join(tmpdir(), "tessera-upload-tree-"));
      let dirs: Record<string, string> = {};
      try {
        const pkg = join(tree, "pkg");
        await mkdir(join(pkg, "lib"), { recursive: true });
        await writeFile(join(pkg, "lib", "four.mjs"), "export const four = 4;\n");
        await writeFile(join(pkg, "ops.mjs"), 'import { four } from "./lib/four.mjs";\nexport const ops = { "upload.quadruple": (x) => x * four };\n');
        await writeFile(join(pkg, ".hidden"), "left out\n");
        dirs = await client.uploadFile(pkg);
        assert.equal(Object.keys(dirs).length, 3);
        for (const d of Object.values(dirs)) {
          assert.ok(d.endsWith("/pkg") && existsSync(join(d, "lib", "four.mjs")) && !existsSync(join(d, ".hidden")), d);
        }
      } finally {
        await rm(tree, { recursive: true, force: true });
      }
      for (const [i, w] of Object.keys(dirs).entries()) assert.equal(await client.submitWith({ workers: w }, "upload.quadruple", i), 4 * i);

      // Errors: an unreadable path; a module that does not import (every worker says why).
      await assert.rejects(client.uploadFile(join(dir, "missing.mjs")), (e: unknown) => e instanceof TesseraError && e.code === "TESSERA_ERR_USAGE" && /cannot read/.test(e.message));
      const bad = await mkdtemp(join(tmpdir(), "tessera-upload-bad-"));
      try {
        await writeFile(join(bad, "broken.mjs"), "export const = ;\n");
        await assert.rejects(client.uploadFile(join(bad, "broken.mjs")), (e: unknown) => e instanceof TesseraError && e.code === "TESSERA_ERR_UPLOAD" && /failed on 3 worker/.test(e.message) && /SyntaxError/.test(e.message));
      } finally {
        await rm(bad, { recursive: true, force: true });
      }
      // The cluster still works after a failed upload.
      assert.equal(await client.submit("upload.triple", 10), 30);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
