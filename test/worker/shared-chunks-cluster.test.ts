// Real worker processes over real TCP (LocalCluster, 2 workers × 1 thread): an array chunk made on
// one worker and fetched by the other reaches the task thread there in shared memory (received
// straight into a SharedArrayBuffer and handed to the thread uncopied: a copy by structured clone
// would arrive as an ordinary ArrayBuffer); a reduction whose siblings are co-assigned runs on one
// worker and gives exact results.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withCluster } from "../fixtures/cluster.js";
import { random, type NDArray } from "../../src/array/index.js";

type Chunk = { dtype: string; shape: number[]; data: Float64Array };

test("a chunk fetched from a peer worker reaches the task thread in shared memory, nested wrappers and all", async () => {
  await withCluster({}, async ({ client, cluster }) => {
    const make = (n: number, v: number) => ({ dtype: "float64", shape: [n], data: new Float64Array(n).fill(v) });
    // Two independent root tasks at once: one per idle worker.
    const a = client.submit(make, 1_000_000, 2);
    const b = client.submit(make, 1_000_000, 3);
    await Promise.all([a.result(), b.result()]);
    const where = cluster.scheduler.state.whoHas([a.key, b.key]);
    assert.equal(where[a.key]!.length, 1);
    assert.notEqual(where[a.key]![0], where[b.key]![0], "the two chunks live on different workers");
    const check = client.submit(
      (xs: { items: Chunk[] }) => {
        const [x, y] = xs.items;
        let sum = 0;
        for (const c of [x!, y!]) for (let i = 0; i < c.data.length; i++) sum += c.data[i]!;
        return { shared: [x!.data.buffer instanceof SharedArrayBuffer, y!.data.buffer instanceof SharedArrayBuffer], sum };
      },
      { items: [a, b] },
    );
    assert.deepEqual(await check.result(), { shared: [true, true], sum: 5_000_000 });
    const back = (await b.result()) as Chunk;
    assert.deepEqual([back.shape, back.data.length, back.data[999_999]], [[1_000_000], 1_000_000, 3]);
  });
});

test("co-assigned reductions: each reduction step's inputs are made on one worker, and the sums are exact", async () => {
  await withCluster({}, async ({ client, cluster }) => {
    const made = new Map<string, string>();
    cluster.scheduler.addPlugin({
      name: "where",
      transition: (key, _from, to, info) => {
        if (to === "memory" && info.worker !== undefined) made.set(key, info.worker);
      },
    });
    // 64 chunks of random integers, summed by a tree (4 steps of 16, then one of 4); integers, so the
    // sum is exact in any order and must equal the in-process result.
    const x = random.integers(0, 1000, { shape: [4000, 4000], chunks: [500, 500], seed: 3 });
    const expected = Number(await x.sum().compute());
    assert.equal(Number(await x.sum().compute({ executor: client })), expected);
    const graph = x.sum().buildGraph(true);
    let steps = 0;
    let together = 0;
    for (const [key, node] of Object.entries(graph)) {
      if (!("op" in node) || node.op !== "array.reduce_combine") continue;
      const inputs = JSON.stringify(node.args).match(/"\$ref":"([^"]+)"/g)?.map((r) => r.slice(8, -1)) ?? [];
      assert.ok(inputs.every((k) => made.has(k)) && made.has(key));
      steps++;
      if (new Set(inputs.map((k) => made.get(k))).size === 1) together++;
    }
    assert.equal(steps, 4, "four reduction steps of 16 chunks");
    // Work stealing may split the last step between the workers once nothing is left in the queue;
    // without co-assignment the steps' inputs alternate between the workers (none together).
    assert.ok(together >= steps - 1, `${together} of ${steps} reduction steps had all their inputs made on one worker`);
    assert.equal(new Set(made.values()).size, 2, "both workers computed");
    // Means and sums along an axis too: same answers as in-process.
    const m = x.sum({ axis: 0 });
    assert.deepEqual(((await m.compute({ executor: client })) as NDArray).toArray(), ((await m.compute()) as NDArray).toArray());
  });
});
