import { test } from "node:test";
import assert from "node:assert/strict";
import { executeGraph, inProcessExecutor, topologicalOrder, TaskError } from "../../src/graph/execute.js";
import { getDefaultExecutor } from "../../src/graph/default-executor.js";
import { registerOp } from "../../src/graph/ops.js";
import { cull, optimizeGraph } from "../../src/graph/optimize.js";
import { ref, type Graph } from "../../src/graph/spec.js";

registerOp("test.add", (a: number, b: number) => a + b);
registerOp("test.sumAll", (xs: { items: number[] }) => xs.items.reduce((p, q) => p + q, 0));
registerOp("test.fail", () => { throw new Error("boom"); });
registerOp("test.len", (x: Float64Array) => x.length);

test("executes in dependency order, resolving refs inside arrays and objects", () => {
  const g: Graph = {
    x: { data: 1 },
    y: { op: "test.add", args: [ref("x"), 10] },
    z: { op: "test.sumAll", args: [{ items: [ref("x"), ref("y"), 100] }] },
    t: { op: "test.len", args: [new Float64Array(7)] },
  };
  assert.deepEqual(executeGraph(g, ["z", "y", "t"]), [112, 11, 7]);
});

test("a string that equals a key is data, not a reference", () => {
  const g: Graph = { x: { data: 1 }, s: { op: "test.add", args: ["x", "!"] } };
  assert.deepEqual(executeGraph(g, ["s"]), ["x!"]);
});

test("missing keys, cycles and failing tasks give errors that name them", () => {
  assert.throws(() => executeGraph({ a: { op: "test.add", args: [ref("nope"), 1] } }, ["a"]), /'nope' is not in the graph/);
  assert.throws(() => topologicalOrder({ a: { op: "test.add", args: [ref("b"), 1] }, b: { op: "test.add", args: [ref("a"), 1] } }, ["a"]), /cycle/);
  assert.throws(() => executeGraph({ f: { op: "test.fail", args: [] } }, ["f"]), (e: unknown) => e instanceof TaskError && /'f'.*boom/.test(e.message));
  assert.throws(() => executeGraph({ u: { op: "no.such.op", args: [] } }, ["u"]), /unknown op 'no.such.op'/);
});

test("deep chains do not overflow the stack", () => {
  const g: Graph = { k0: { data: 0 } };
  for (let i = 1; i <= 20000; i++) g[`k${i}`] = { op: "test.add", args: [ref(`k${i - 1}`), 1] };
  assert.deepEqual(executeGraph(g, ["k20000"]), [20000]);
});

test("the in-process executor is the fallback default executor", async () => {
  assert.equal(getDefaultExecutor(), inProcessExecutor);
  const g: Graph = { a: { data: 2 }, b: { op: "test.add", args: [ref("a"), 3] } };
  const seen: number[] = [];
  assert.deepEqual(await inProcessExecutor.computeGraph(g, ["b"], { progress: (d) => seen.push(d) }), [5]);
  assert.deepEqual(seen, [1, 2]);
  const held = await inProcessExecutor.persistGraph!(g, ["b"]);
  assert.deepEqual(held, { b: { data: 5 } });
});

test("cull keeps only what the requested keys need", () => {
  const g: Graph = { a: { data: 1 }, b: { op: "test.add", args: [ref("a"), 1] }, c: { data: 9 } };
  assert.deepEqual(Object.keys(cull(g, ["b"])).sort(), ["a", "b"]);
  assert.deepEqual(Object.keys(optimizeGraph(g, ["c"])), ["c"]);
});
