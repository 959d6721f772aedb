import { test } from "node:test";
import assert from "node:assert/strict";
import { TaskThreadPool, type TaskOutcome } from "../../src/worker/executor/index.js";
import { describeFunction, remote } from "../../src/client/functions.js";

const opModules = [new URL("./executor-fixtures/ops.js", import.meta.url).href];

function ok(o: TaskOutcome): unknown {
  if (o.status !== "ok") assert.fail(`expected ok, got ${o.error.name}: ${o.error.message}`);
  return o.value;
}

test("runs built-in and registered ops, sync and async, with timings", async () => {
  const pool = await TaskThreadPool.start({ nthreads: 2, opModules });
  try {
    const o = await pool.run({ key: "add-1", op: "test.add", args: [2, 3] });
    assert.equal(ok(o), 5);
    assert.ok(o.startTime > 1.6e9 && o.stopTime >= o.startTime, "times are epoch seconds");
    assert.equal(o.status === "ok" && o.nbytes, 8);
    assert.equal(ok(await pool.run({ key: "a", op: "test.asyncAdd", args: [4, 5] })), 9);
    assert.equal(pool.busy, 0);
  } finally {
    await pool.close();
  }
});

test("errors and rejected promises come back with name, message, remote stack and key", async () => {
  const pool = await TaskThreadPool.start({ nthreads: 1, opModules });
  try {
    const e = await pool.run({ key: "fail-7", op: "test.fail", args: ["bad input"] });
    assert.equal(e.status, "error");
    if (e.status !== "error") return;
    assert.equal(e.error.name, "TypeError");
    assert.equal(e.error.message, "bad input");
    assert.equal(e.error.key, "fail-7");
    assert.match(e.error.stack, /executor-fixtures\/ops\.js/);
    const r = await pool.run({ key: "af", op: "test.asyncFail", args: ["later"] });
    assert.equal(r.status === "error" && r.error.name, "RangeError");
    const u = await pool.run({ key: "nope", op: "no.such.op", args: [] });
    assert.equal(u.status === "error" && /unknown op 'no.such.op'/.test(u.error.message), true);
    const c = await pool.run({ key: "fn", op: "test.unclonable", args: [] });
    assert.equal(c.status === "error" && c.error.name, "DataCloneError");
    // The pool keeps working after errors.
    assert.equal(ok(await pool.run({ key: "x", op: "test.inc", args: [1] })), 2);
  } finally {
    await pool.close();
  }
});

test("many tasks complete in submission order per key, spread over threads", async () => {
  const pool = await TaskThreadPool.start({ nthreads: 2, opModules });
  try {
    const n = 5000;
    const outs = await Promise.all(Array.from({ length: n }, (_, i) => pool.run({ key: `inc-${i}`, op: "test.inc", args: [i] })));
    outs.forEach((o, i) => assert.equal(ok(o), i + 1));
    // Long tasks go one per thread, so two 150 ms tasks overlap.
    const t0 = Date.now();
    const ids = await Promise.all([
      pool.run({ key: "b1", op: "test.busy", args: [150] }),
      pool.run({ key: "b2", op: "test.busy", args: [150] }),
    ]);
    ids.forEach((o) => assert.equal(ok(o), 150));
    const [a, b] = ids as [TaskOutcome, TaskOutcome];
    assert.ok(a.startTime < b.stopTime && b.startTime < a.stopTime, "the two busy tasks ran at the same time on two threads");
    assert.ok(Date.now() - t0 >= 150);
  } finally {
    await pool.close();
  }
});

test("large typed-array results come back in shared memory and pass to later tasks without copies", async () => {
  const pool = await TaskThreadPool.start({ nthreads: 1, opModules });
  try {
    const o = await pool.run({ key: "ones", op: "test.ones", args: [100_000] });
    const arr = ok(o) as Float64Array;
    assert.ok(arr instanceof Float64Array);
    assert.equal(arr.length, 100_000);
    assert.ok(arr.buffer instanceof SharedArrayBuffer);
    assert.equal(o.status === "ok" && o.nbytes, 800_000);
    assert.equal(ok(await pool.run({ key: "s", op: "test.sum", args: [arr] })), 100_000);
    assert.equal(ok(await pool.run({ key: "sh", op: "test.isShared", args: [arr] })), true);
    // Small results are plain copies.
    const small = ok(await pool.run({ key: "o2", op: "test.ones", args: [4] })) as Float64Array;
    assert.ok(small.buffer instanceof ArrayBuffer && small.length === 4);
    // A view on part of a bigger buffer arrives as just its own bytes.
    const big = new Float64Array(1000).fill(2);
    assert.equal(ok(await pool.run({ key: "s2", op: "test.sum", args: [big.subarray(10, 20)] })), 20);
    const lens = ok(await pool.run({ key: "bl", op: "test.byteLengths", args: [[big.subarray(0, 5), arr.subarray(0, 2)]] }));
    assert.deepEqual(lens, [[40, 40], [16, 800_000]], "a nested partial view is narrowed; shared memory is passed as is");
  } finally {
    await pool.close();
  }
  const transfer = await TaskThreadPool.start({ nthreads: 1, opModules, resultTransport: "transfer" });
  try {
    const arr = ok(await transfer.run({ key: "ones", op: "test.ones", args: [100_000] })) as Float64Array;
    assert.ok(arr.buffer instanceof ArrayBuffer && arr.length === 100_000 && arr[99_999] === 1);
  } finally {
    await transfer.close();
  }
});

test("array chunks in any wrapper cross between threads in shared memory, both ways, without copies", async () => {
  const pool = await TaskThreadPool.start({ nthreads: 2, opModules });
  try {
    type Chunk = { dtype: string; shape: number[]; data: Float64Array };
    // Copied once into shared memory on the task thread, or allocated there from the start.
    for (const op of ["test.chunk", "test.chunkAllocated"]) {
      const c = ok(await pool.run({ key: op, op, args: [100_000, 5] })) as Chunk;
      assert.deepEqual([c.dtype, c.shape], ["float64", [100_000]]);
      assert.ok(c.data.buffer instanceof SharedArrayBuffer, `${op}: the chunk's data is shared memory`);
      // A task (on either thread) writing into its input writes into the very memory the main thread holds.
      for (let i = 0; i < 4; i++) {
        const seen = ok(await pool.run({ key: `poke-${i}`, op: "test.poke", args: [[{ nested: c }], i, 100 + i] }));
        assert.deepEqual(seen, [true]);
        assert.equal(c.data[i], 100 + i, "the main thread sees the task thread's write: no copy was made");
      }
      assert.equal(c.data[4], 5);
    }
    // Lists, class instances (arrive as plain objects, as structured clone makes them) and Maps of chunks.
    const [a, box, m] = ok(await pool.run({ key: "many", op: "test.chunks", args: [50_000] })) as [Chunk, { chunk: Chunk; label: string }, Map<string, Float64Array>];
    assert.ok(a.data.buffer instanceof SharedArrayBuffer && box.chunk.data.buffer instanceof SharedArrayBuffer && m.get("m")!.buffer instanceof SharedArrayBuffer);
    assert.equal(box.label, "box");
    assert.deepEqual([a.data[9], box.chunk.data[9], m.get("m")![9]], [1, 2, 3]);
    assert.deepEqual(ok(await pool.run({ key: "poke-many", op: "test.poke", args: [[a, box, m], 9, -1] })), [true, true, true]);
    assert.deepEqual([a.data[9], box.chunk.data[9], m.get("m")![9]], [-1, -1, -1]);
    // Small chunks are cloned (cheaper than shared memory).
    const small = ok(await pool.run({ key: "small", op: "test.chunk", args: [16, 1] })) as Chunk;
    assert.ok(small.data.buffer instanceof ArrayBuffer);
  } finally {
    await pool.close();
  }
});

test("a thread that crashes is replaced; its task errors and the others still run", async () => {
  const crashes: string[] = [];
  const pool = await TaskThreadPool.start({ nthreads: 1, opModules, onThreadCrash: (c) => crashes.push(`${c.key}: ${c.error}`) });
  try {
    const before = pool.run({ key: "i0", op: "test.inc", args: [0] });
    const crash = pool.run({ key: "crash-1", op: "test.crash", args: [] });
    const after = Array.from({ length: 20 }, (_, i) => pool.run({ key: `i${i}`, op: "test.inc", args: [i] }));
    assert.equal(ok(await before), 1);
    const c = await crash;
    assert.equal(c.status, "error");
    if (c.status === "error") {
      assert.equal(c.error.name, "ThreadCrashed");
      assert.equal(c.error.key, "crash-1");
      assert.match(c.error.message, /boom from a timer/);
    }
    (await Promise.all(after)).forEach((o, i) => assert.equal(ok(o), i + 1));
    const e = await pool.run({ key: "exit-1", op: "test.exit", args: [] });
    assert.equal(e.status === "error" && e.error.name, "ThreadCrashed");
    assert.equal(ok(await pool.run({ key: "z", op: "test.add", args: [1, 1] })), 2);
    assert.equal(crashes.length, 2);
    assert.match(crashes[0]!, /^crash-1: /);
  } finally {
    await pool.close();
  }
});

test("'call' runs shipped user functions: source and module", async () => {
  const pool = await TaskThreadPool.start({ nthreads: 1, opModules });
  try {
    const square = describeFunction((x: number) => x * x);
    assert.equal(ok(await pool.run({ key: "sq", op: "call", args: [square, 7] })), 49);
    const later = describeFunction(async (a: number, b: number) => {
      await new Promise((r) => setTimeout(r, 1));
      return a - b;
    });
    assert.equal(ok(await pool.run({ key: "l", op: "call", args: [later, 10, 4] })), 6);
    const mod = remote(new URL("./executor-fixtures/user-module.js", import.meta.url).href, { double: (x: number) => 2 * x });
    const desc = describeFunction(mod.double);
    assert.deepEqual(desc, { kind: "module", url: new URL("./executor-fixtures/user-module.js", import.meta.url).href, exportName: "double" });
    assert.equal(ok(await pool.run({ key: "d", op: "call", args: [desc, 21] })), 42);
    const throwing = describeFunction(() => {
      throw new Error("user error");
    });
    const t = await pool.run({ key: "t", op: "call", args: [throwing] });
    assert.equal(t.status === "error" && t.error.message, "user error");
    const missing = await pool.run({ key: "m", op: "call", args: [{ kind: "module", url: "file:///nonexistent/x.js", exportName: "f" }] });
    assert.equal(missing.status === "error" && /cannot import 'file:\/\/\/nonexistent\/x.js'/.test(missing.error.message), true);
  } finally {
    await pool.close();
  }
});

test("closing fails queued tasks and refuses new ones; bad sizes are refused", async () => {
  const pool = await TaskThreadPool.start({ nthreads: 1, opModules });
  const slow = pool.run({ key: "s", op: "test.sleep", args: [10_000] });
  await new Promise((r) => setTimeout(r, 20));
  await pool.close();
  const o = await slow;
  assert.equal(o.status === "error" && o.error.name, "PoolClosed");
  const n = await pool.run({ key: "n", op: "test.inc", args: [1] });
  assert.equal(n.status === "error" && n.error.name, "PoolClosed");
  await assert.rejects(TaskThreadPool.start({ nthreads: 0 }), /nthreads must be a whole number ≥ 1, got 0/);
  await assert.rejects(TaskThreadPool.start({ nthreads: 1, opModules: ["file:///nonexistent/ops.js"] }), /task thread failed to start/);
});

test("launch() accepts tasks before the threads are ready; a pool that cannot start fails its tasks", async () => {
  const pool = TaskThreadPool.launch({ nthreads: 2, opModules });
  const early = pool.run({ key: "e", op: "test.add", args: [40, 2] });
  assert.equal(pool.busy, 1);
  assert.equal(ok(await early), 42);
  await pool.ready;
  await pool.close();
  const broken = TaskThreadPool.launch({ nthreads: 1, opModules: ["file:///nonexistent/ops.js"] });
  const t = broken.run({ key: "t", op: "test.add", args: [1, 1] });
  await assert.rejects(broken.ready, /task thread failed to start/);
  const o = await t;
  assert.equal(o.status === "error" && o.error.name, "ThreadStartupError");
  await broken.close();
});
