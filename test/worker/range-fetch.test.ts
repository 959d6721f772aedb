// Range references (src/graph/range-ref.ts) in the worker's state machine: an input read only
// through ranges and not held here is fetched as its ranges (sized by the range, from the input's
// holders), the task's arguments point at the range keys, a missing range is reported as its key,
// range keys are never reported to the scheduler, and they are dropped when the task is done.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WorkerStateMachine } from "../../src/worker/state.js";
import { cutToRange, parseRangeKey, rangeData, rangeKey, rangeRef } from "../../src/graph/range-ref.js";
import type { ComputeTask } from "../../src/protocol/messages.js";
import type { Arg } from "../../src/graph/spec.js";

function task(key: string, args: Arg[], deps: string[]): ComputeTask {
  return { key, op: "array.rechunk_assemble", args, deps, priority: 0 };
}

test("inputs read through ranges are fetched as ranges; local ones are read in place", () => {
  const w = new WorkerStateMachine({ nthreads: 1 });
  w.computeTasks({ op: "compute-tasks", tasks: [task("local", [], [])], whoHas: {} });
  w.take();
  w.taskDone("local", true, 0.01);
  const pieces: Arg[] = [{ src: rangeRef("a", 100, 50, 8) }, { src: rangeRef("a", 300, 50, 8) }, { src: rangeRef("local", 0, 10, 8) }];
  w.computeTasks({ op: "compute-tasks", tasks: [task("out", ["float64", [10], pieces], ["a", "local"])], whoHas: { a: ["p1"] }, nbytes: { a: 8000 } });
  const ins = w.take();
  const fetch = ins.find((i) => i.type === "fetch");
  assert.ok(fetch !== undefined && fetch.type === "fetch");
  assert.equal(fetch.peer, "p1");
  assert.deepEqual(fetch.keys, [rangeKey("a", 100, 50), rangeKey("a", 300, 50)]);
  assert.equal(fetch.nbytes, 2 * 50 * 8, "sized by the ranges, not the whole input");
  const t = w.tasks.get("out")!;
  assert.deepEqual(t.deps, ["local", rangeKey("a", 100, 50), rangeKey("a", 300, 50)]);
  const got = (t.args![2] as { src: { $range: { $ref: string }; start: number } }[]).map((p) => [p.src.$range.$ref, p.src.start]);
  assert.deepEqual(got, [[rangeKey("a", 100, 50), 0], [rangeKey("a", 300, 50), 0], ["local", 0]]);
  w.fetchDone("p1", fetch.keys, []);
  assert.deepEqual(w.take().map((i) => i.type), ["execute"]);
  assert.deepEqual(w.memoryKeys(), ["local"], "range keys are not reported");
  w.taskDone("out", true, 0.01);
  const drop = w.take().find((i) => i.type === "drop");
  assert.ok(drop !== undefined && drop.type === "drop");
  assert.deepEqual(drop.keys.sort(), [rangeKey("a", 100, 50), rangeKey("a", 300, 50)].sort());
});

test("an input also read whole is fetched whole; a range no peer has is reported as its input", () => {
  const w = new WorkerStateMachine({ nthreads: 1 });
  w.computeTasks({ op: "compute-tasks", tasks: [task("o", [{ $ref: "a" }, { src: rangeRef("a", 0, 4, 8) }], ["a"])], whoHas: { a: ["p1"] } });
  const f = w.take().find((i) => i.type === "fetch");
  assert.ok(f !== undefined && f.type === "fetch");
  assert.deepEqual(f.keys, ["a"]);
  const w2 = new WorkerStateMachine({ nthreads: 1 });
  w2.computeTasks({ op: "compute-tasks", tasks: [task("o", [{ src: rangeRef("b", 8, 4, 8) }], ["b"])], whoHas: { b: ["p1"] } });
  const f2 = w2.take().find((i) => i.type === "fetch");
  assert.ok(f2 !== undefined && f2.type === "fetch");
  w2.fetchDone("p1", [], f2.keys);
  const missing = w2.take().find((i) => i.type === "missing-data");
  assert.ok(missing !== undefined && missing.type === "missing-data");
  assert.deepEqual(missing.keys, ["b"]);
});

test("range keys round-trip; a peer's answer is a view of the range; ops read the same elements either way", () => {
  assert.deepEqual(parseRangeKey(rangeKey("x-1a:0,3", 12, 7)), { key: "x-1a:0,3", start: 12, length: 7 });
  assert.equal(parseRangeKey("x-1a:0,3"), null);
  const block = { dtype: "float64", shape: [4, 5], data: Float64Array.from({ length: 20 }, (_, i) => i) };
  const cut = cutToRange(block, 5, 10) as { shape: number[]; data: Float64Array };
  assert.deepEqual(cut.shape, [10]);
  assert.equal(cut.data.buffer, block.data.buffer, "a view, not a copy");
  const inPlace = rangeData({ $range: block, start: 5, length: 10 });
  const fetched = rangeData({ $range: cut, start: 0, length: 10 });
  assert.deepEqual(Array.from(inPlace as Float64Array), Array.from(fetched as Float64Array));
  assert.equal(cutToRange(block, 15, 10), undefined, "a range past the end is not served");
});
