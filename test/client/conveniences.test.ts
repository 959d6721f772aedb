// The Dask conveniences on a real LocalCluster (2 worker processes over TCP): the submit trap fixed,
// asCompleted, wait(FIRST_COMPLETED), scatter, whoHas, run, pinned tasks, client.compute/persist of
// arrays, progress over every task of a graph, and the dashboard on by default.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withCluster } from "../fixtures/cluster.js";
import { CollectionFuture, TaskError, terminalProgress, type ProgressReporter } from "../../src/index.js";
import { ones, random, NDArray } from "../../src/array/index.js";
import { Writable } from "node:stream";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

function recorder(): ProgressReporter & { events: string[]; updates: [number, number][] } {
  const events: string[] = [];
  const updates: [number, number][] = [];
  return {
    events,
    updates,
    start: (total) => void events.push(`start ${total}`),
    update: (done, total) => void updates.push([done, total]),
    end: (ok) => void events.push(`end ${ok}`),
  };
}

test("Client conveniences on a LocalCluster", async () => {
  await withCluster({}, async ({ client, cluster }) => {
    // The dashboard is on by default, and the client shows its link.
    assert.match(cluster.dashboardLink ?? "", /^http:\/\/127\.0\.0\.1:\d+\/status/);
    assert.match(String(client), /Dashboard: http/);

    // An object argument is an argument, never options.
    assert.equal(await client.submit((o: { key: string }) => o.key, { key: "abc" }), "abc");
    assert.equal(await client.submitWith({ key: "given-key" }, (o: { key: string }) => o.key, { key: "abc" }), "abc");
    assert.throws(() => client.submitWith({ retry: 1 } as never, (x: number) => x, 1), /unknown option 'retry'/);

    // asCompleted: in the order they finish; add() while iterating.
    const sleep = (ms: number) => new Promise<number>((r) => setTimeout(() => r(ms), ms));
    const ac = client.asCompleted(client.map(sleep, [900, 20]));
    const order: number[] = [];
    for await (const f of ac) {
      order.push(await f);
      if (order.length === 1) ac.add(client.submit(sleep, 300));
    }
    assert.deepEqual(order, [20, 300, 900]);

    // wait: FIRST_COMPLETED returns once one is done.
    const slow = client.submitWith({ pure: false }, sleep, 1500);
    const quick = client.submitWith({ pure: false }, sleep, 10);
    const w = await client.wait([slow, quick], { returnWhen: "FIRST_COMPLETED" });
    assert.deepEqual(w.done.map((f) => f.key), [quick.key]);
    assert.deepEqual(w.notDone.map((f) => f.key), [slow.key]);
    const all = await client.wait([slow, quick]);
    assert.equal(all.notDone.length, 0);

    // scatter: data on a worker, used by tasks, located by whoHas.
    const [data] = await client.scatter([Float64Array.from([1, 2, 3, 4])]);
    assert.ok(data);
    assert.equal(data.status, "finished");
    assert.equal(await client.submit((a: Float64Array) => a.reduce((s, v) => s + v, 0), data), 10);
    const where = await client.whoHas([data]);
    assert.equal(where[data.key]?.length, 1);
    const one = await client.scatter({ answer: 42 });
    assert.equal((await one).answer, 42);

    // run: once on every worker.
    const pids = await client.run(() => process.pid);
    const info = await client.schedulerInfo();
    assert.deepEqual(Object.keys(pids).sort(), info.workers.map((x) => x.address).sort());
    assert.deepEqual(Object.values(pids).sort(), info.workers.map((x) => x.pid).sort());

    // Pinned tasks run on the worker named.
    const target = info.workers[1]!;
    const ran = await client.gather(client.mapWith({ workers: target.name, pure: false }, (i: number) => process.pid + 0 * i, [1, 2, 3, 4, 5, 6]));
    assert.deepEqual(new Set(ran), new Set([target.pid]));

    // client.compute(array) → a future of what compute() gives; progress counts every task.
    const x = random.uniform(0, 1, { shape: [4000], chunks: [250], seed: 7 });
    const rec = recorder();
    const fut = client.compute(x.mul(2).sum(), { progress: rec, optimize: false });
    assert.ok(fut instanceof CollectionFuture);
    const total = await fut;
    assert.equal(total, await x.mul(2).sum().compute({ executor: client }));
    const tasks = Object.keys(x.mul(2).sum().buildGraph(false)).length;
    assert.ok(tasks > 16, `graph of ${tasks} tasks`);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(rec.events, [`start ${tasks}`, "end true"]);
    assert.deepEqual(rec.updates.at(-1), [tasks, tasks]);
    assert.ok(rec.updates.every(([, t]) => t === tasks));

    // array.compute({progress}) on the cluster counts every task too (not only the output key).
    const seen: number[] = [];
    const pi = await x.mean().compute({ executor: client, optimize: false, progress: (_d, t) => seen.push(t) });
    assert.equal(typeof pi, "number");
    assert.ok(seen.length > 0 && seen.every((t) => t > 1), `totals ${seen.join(",")}`);

    // A list of arrays; an N-d one gives an NDArray.
    const [s, m] = client.compute([ones([10], { chunks: 5 }).sum(), ones([2, 3])] as const);
    assert.equal(await s, 10);
    const nd = await m;
    assert.ok(nd instanceof NDArray);
    assert.deepEqual(nd.shape, [2, 3]);

    // persist: the same array backed by results on the workers.
    const p = await client.persist(ones([100], { chunks: 10 }).mul(3));
    assert.equal(await p.sum().compute({ executor: client }), 300);

    // progress() over futures, with the terminal reporter forced onto a stream.
    let drawn = "";
    const sink = new Writable({ write: (c: Buffer, _e, cb) => ((drawn += c.toString()), cb()) });
    await client.progress(client.map((i: number) => i * 2, [1, 2, 3, 4]), terminalProgress({ stream: sink, force: true }));
    assert.match(drawn, /100% 4\/4 tasks/);

    // getTaskStream and performanceReport: what ran meanwhile, as a self-contained HTML file.
    const stream = await client.getTaskStream(() => client.gather(client.mapWith({ pure: false }, (i: number) => i + 1, [1, 2, 3, 4, 5])));
    assert.deepEqual(stream.result, [2, 3, 4, 5, 6]);
    assert.equal(stream.tasks.length, 5);
    assert.ok(stream.tasks.every((t) => t.prefix === "lambda" && t.stop >= t.start && t.start >= stream.start - 1000 && t.status === "memory"), JSON.stringify(stream.tasks.slice(0, 2)));
    const reportDir = await mkdtemp(join(tmpdir(), "tessera-report-"));
    try {
      const file = join(reportDir, "report.html");
      const out = await client.performanceReport(file, () => client.gather(client.mapWith({ pure: false }, function work(i: number) { return i * 2; }, [1, 2, 3, 4, 5, 6, 7])));
      assert.deepEqual(out, [2, 4, 6, 8, 10, 12, 14]);
      const html = await readFile(file, "utf8");
      assert.equal((html.match(/<rect /g) ?? []).length, 7, "one bar per task");
      assert.match(html, /<td><span style="color:#[0-9a-f]+">■<\/span> work<\/td><td>7<\/td>/);
      assert.doesNotMatch(html, /<script|src=|href=/, "self-contained");
    } finally {
      await rm(reportDir, { recursive: true, force: true });
    }

    // restart: fresh worker processes; pending futures are cancelled.
    const before = new Set(Object.values(await client.run(() => process.pid)));
    const pending = client.submitWith({ pure: false }, sleep, 5000);
    await client.restart();
    await assert.rejects(pending.result(), /will not complete/);
    const after = Object.values(await client.run(() => process.pid));
    assert.equal(after.length, 2);
    assert.ok(after.every((pid) => !before.has(pid)), "new worker processes");
    assert.equal(await client.submit((x: number) => x + 1, 1), 2);

    // One TaskError on the cluster as in-process.
    await assert.rejects(client.submit(() => JSON.parse("{")).result(), (e: unknown) => e instanceof TaskError && e.code === "TESSERA_ERR_TASK" && e.remoteName === "SyntaxError");
  });
});
