import { test } from "node:test";
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withCluster } from "../fixtures/cluster.js";
import { TaskError, CancelledError } from "../../src/client/errors.js";
import { UnshippableFunctionError } from "../../src/client/functions.js";
import { getDefaultExecutor } from "../../src/graph/default-executor.js";
import type { Graph } from "../../src/graph/spec.js";

test("submit, map, gather, dependencies, errors, retries and cancel on a real cluster", async () => {
  await withCluster({}, async ({ client, cluster }) => {
    // submit → await
    const f = client.submit((x: number) => x + 1, 41);
    assert.equal(await f, 42);
    assert.equal(f.status, "finished");
    assert.match(f.key, /^lambda-[0-9a-f]{16}$/);
    // pure: same function and arguments → same key
    const inc = (x: number) => x + 1;
    assert.equal(client.submit(inc, 1).key, client.submit(inc, 1).key);
    assert.notEqual(client.submitWith({ pure: false }, inc, 1).key, client.submitWith({ pure: false }, inc, 1).key);
    assert.equal(client.submitWith({ key: "my-key" }, inc, 5).key, "my-key");

    // map + gather
    const squares = client.map((x: number) => x * x, Array.from({ length: 100 }, (_, i) => i));
    assert.deepEqual(await client.gather(squares), Array.from({ length: 100 }, (_, i) => i * i));
    const sums = client.map((a: number, b: number) => a + b, [1, 2, 3], [10, 20, 30]);
    assert.deepEqual(await client.gather(sums), [11, 22, 33]);
    // gather keeps non-futures as they are
    assert.deepEqual(await client.gather([squares[3]!, "plain", 7]), [9, "plain", 7]);

    // futures as arguments: dependencies, wherever they live
    const total = client.submit((xs: number[]) => xs.reduce((a, b) => a + b, 0), squares);
    assert.equal(await total, Array.from({ length: 100 }, (_, i) => i * i).reduce((a, b) => a + b, 0));
    const nested = client.submit((o: { a: number; b: number[] }) => o.a + o.b[0]!, { a: squares[2]!, b: [squares[3]!] });
    assert.equal(await nested, 4 + 9);

    // typed arrays travel as raw frames and come back as typed arrays
    const arr = client.submit((n: number) => Float64Array.from({ length: n }, (_, i) => i * 0.5), 1000);
    const sum = client.submit((a: Float64Array) => a.reduce((x, y) => x + y, 0), arr);
    assert.equal(await sum, 0.5 * ((999 * 1000) / 2));
    const back = (await arr) as Float64Array;
    assert.ok(back instanceof Float64Array);
    assert.equal(back.length, 1000);

    // a task that throws: TaskError with key and remote stack; other tasks unaffected
    const bad = client.submit(function explode(x: number) {
      throw new RangeError(`bad value ${x}`);
    }, 7);
    const good = client.submit((x: number) => x * 2, 21);
    await assert.rejects(bad.result(), (e: unknown) => {
      assert.ok(e instanceof TaskError);
      assert.equal(e.key, bad.key);
      assert.equal(e.remoteName, "RangeError");
      assert.match(e.message, /explode-.*failed: RangeError: bad value 7/);
      assert.match(e.stack ?? "", /remote stack[\s\S]*explode/);
      return true;
    });
    assert.equal(await good, 42);
    // a dependent of a failed task fails with the original error
    const after = client.submit((x: number) => x + 1, bad);
    await assert.rejects(after.result(), (e: unknown) => e instanceof TaskError && /its input 'explode-/.test(e.message));

    // retries: fails on the first run, succeeds on the retry
    const dir = await mkdtemp(join(tmpdir(), "tessera-retry-"));
    try {
      const flaky = (marker: string) => {
        const fs = process.getBuiltinModule("node:fs") as typeof import("node:fs");
        if (!fs.existsSync(marker)) {
          fs.writeFileSync(marker, "1");
          throw new Error("first run fails");
        }
        return "second run";
      };
      assert.equal(await client.submitWith({ retries: 1 }, flaky, join(dir, "m1")), "second run");
      await assert.rejects(client.submit(flaky, join(dir, "m2")).result(), /first run fails/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    // cancel a long task: awaiting it rejects with CancelledError; the cluster stays usable
    const sleep = (ms: number) => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      return ms;
    };
    const slow = client.submitWith({ pure: false }, sleep, 600);
    await client.cancel(slow);
    await assert.rejects(slow.result(), (e: unknown) => e instanceof CancelledError);
    assert.equal(slow.status, "cancelled");
    assert.equal(await client.submit((x: number) => x - 1, 1), 0);

    // functions that cannot be shipped fail at submit time
    const captured = 3;
    assert.throws(() => client.submit((x: number) => x + captured, 1), UnshippableFunctionError);

    // the client is the default executor: graphs run on the cluster
    assert.equal(getDefaultExecutor(), client);
    const g: Graph = {
      "a-1": { data: 5 },
      "b-1": { op: "call", args: [{ kind: "source", source: "(x) => x * 10", name: "times10" }, { $ref: "a-1" }] },
    };
    assert.deepEqual(await client.computeGraph(g, ["b-1", "a-1"]), [50, 5]);
    const [persisted] = client.persist(g, "b-1");
    assert.equal(await persisted!, 50);
    assert.deepEqual(await client.compute(g, "b-1"), [50]);
    const lineage = await client.persistGraph(g, ["b-1"]);
    assert.deepEqual(Object.keys(lineage).sort(), ["a-1", "b-1"]);
    let progressed = 0;
    await client.computeGraph(g, ["b-1"], { progress: (done, n) => (progressed = done / n) });
    assert.equal(progressed, 1);

    // scheduler info and the REPL view
    const info = await client.schedulerInfo();
    assert.equal(info.workers.length, 2);
    assert.deepEqual(info.workers.map((w) => w.name).sort(), ["local-0", "local-1"]);
    assert.equal(info.address, cluster.schedulerAddress);
    const view = inspect(client);
    assert.match(view, /Scheduler: tcp:\/\/127\.0\.0\.1:\d+/);
    assert.match(view, /Workers: 2 · Cores: 2 · Memory: 4\.00 GB/);
  });
});

test("inputs move directly between workers", async () => {
  await withCluster({}, async ({ client, cluster }) => {
    const make = (n: number, v: number) => new Float64Array(n).fill(v);
    const x = client.submit(make, 100_000, 1);
    const y = client.submit(make, 100_000, 2);
    await client.wait([x, y]);
    const where = cluster.scheduler.state.whoHas([x.key, y.key]);
    assert.notDeepEqual(where[x.key], where[y.key], "two root tasks ran on the two workers");
    const dot = client.submit((a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i]!, 0), x, y);
    assert.equal(await dot, 200_000);
  });
});

test("a future being awaited is not garbage-collected (its key stays wanted until the result arrives)", async () => {
  const { setFlagsFromString } = await import("node:v8");
  const { runInNewContext } = await import("node:vm");
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  await withCluster({ nWorkers: 1 }, async ({ client }) => {
    const sleep = (ms: number) => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      return ms;
    };
    // Only the pending result refers to the future here.
    const pending = client.submitWith({ pure: false }, sleep, 300).result();
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("the result never came: the future was collected and its key released")), 10_000).unref());
    assert.equal(await Promise.race([pending, timeout]), 300);
  });
});
