import { test } from "node:test";
import assert from "node:assert/strict";
import { WorkerStateMachine, type WorkerInstruction } from "../../src/worker/state.js";
import type { ComputeTask } from "../../src/protocol/messages.js";

function ct(key: string, deps: string[] = [], priority = 0): ComputeTask {
  return { key, op: "inc", args: deps.map((d) => ({ $ref: d })), ...(deps.length ? { deps } : {}), priority };
}

function kinds(ins: WorkerInstruction[]): string[] {
  return ins.map((i) => {
    switch (i.type) {
      case "execute":
      case "store-data":
        return `${i.type}:${i.task.key}`;
      case "fetch":
        return `fetch:${i.peer}:${i.keys.join(",")}`;
      case "drop":
      case "add-keys":
        return `${i.type}:${i.keys.join(",")}`;
      case "missing-data":
        return `missing:${i.keys.join(",")}@${i.from}`;
    }
  });
}

test("tasks with local inputs run at once, by priority, up to the thread count", () => {
  const w = new WorkerStateMachine({ nthreads: 1 });
  w.computeTasks({ op: "compute-tasks", tasks: [ct("b", [], 2), ct("a", [], 1)], whoHas: {} });
  assert.deepEqual(kinds(w.take()), ["execute:a"], "one thread: one task handed to the pool while durations are unknown");
  assert.equal(w.taskDone("a", true, 0.5), "report");
  assert.deepEqual(kinds(w.take()), ["execute:b"]);
});

test("short tasks get a deeper pipeline to the thread pool", () => {
  const w = new WorkerStateMachine({ nthreads: 1 });
  w.avgDuration = 0.0001;
  w.computeTasks({ op: "compute-tasks", tasks: Array.from({ length: 10 }, (_, i) => ct(`t${i}`, [], i)), whoHas: {} });
  assert.equal(kinds(w.take()).length, 10);
});

test("missing inputs are fetched, one request per peer, and the task runs when they arrive", () => {
  const w = new WorkerStateMachine({ nthreads: 2 });
  w.computeTasks({
    op: "compute-tasks",
    tasks: [ct("z", ["x", "y", "v"])],
    whoHas: { x: ["p1"], y: ["p1"], v: ["p2"] },
  });
  assert.deepEqual(kinds(w.take()).sort(), ["fetch:p1:x,y", "fetch:p2:v"]);
  w.fetchDone("p1", ["x", "y"], []);
  assert.deepEqual(kinds(w.take()), []);
  w.fetchDone("p2", ["v"], []);
  assert.deepEqual(kinds(w.take()), ["execute:z"]);
  // Inputs fetched only for z are dropped once z is done.
  w.taskDone("z", true, 0.01);
  assert.deepEqual(kinds(w.take()).map((s) => s.split(":")[0]), ["drop"]);
  assert.deepEqual([...w.inMemory], ["z"]);
});

test("an unreachable peer: the next holder is tried, then the scheduler is told", () => {
  const w = new WorkerStateMachine({ nthreads: 1 });
  w.computeTasks({ op: "compute-tasks", tasks: [ct("z", ["x"])], whoHas: { x: ["p1", "p2"] } });
  assert.deepEqual(kinds(w.take()), ["fetch:p1:x"]);
  w.fetchFailed("p1", ["x"]);
  assert.deepEqual(kinds(w.take()), ["fetch:p2:x"]);
  w.fetchDone("p2", [], ["x"]);
  assert.deepEqual(kinds(w.take()), ["missing:x@p2"]);
  assert.equal(w.tasks.has("z"), false, "the task that needed x is dropped (the scheduler reschedules it)");
});

test("freeing a running task cancels it: its result is dropped", () => {
  const w = new WorkerStateMachine({ nthreads: 1 });
  w.computeTasks({ op: "compute-tasks", tasks: [ct("a")], whoHas: {} });
  w.take();
  w.freeKeys(["a"]);
  assert.equal(w.tasks.get("a")!.state, "cancelled");
  assert.equal(w.taskDone("a", true, 0.1), "drop");
  assert.equal(w.inMemory.has("a"), false);
});

test("steal requests give up tasks not yet running and keep running ones", () => {
  const w = new WorkerStateMachine({ nthreads: 1 });
  w.computeTasks({ op: "compute-tasks", tasks: [ct("a", [], 1), ct("b", [], 2)], whoHas: {} });
  w.take();
  assert.deepEqual(w.stealRequest(["a", "b"]), { released: ["b"], kept: ["a"] });
  w.taskDone("a", true, 1);
  assert.deepEqual(kinds(w.take()), [], "b is gone");
});

test("replicas acquired for a retiring peer are kept and reported", () => {
  const w = new WorkerStateMachine({ nthreads: 1 });
  w.acquireReplicas({ r: ["p1"] });
  assert.deepEqual(kinds(w.take()), ["fetch:p1:r"]);
  w.fetchDone("p1", ["r"], []);
  assert.deepEqual(kinds(w.take()), ["add-keys:r"]);
  assert.ok(w.inMemory.has("r"));
  w.freeKeys(["r"]);
  assert.deepEqual(kinds(w.take()), ["drop:r"]);
});

test("data tasks are stored without running anything", () => {
  const w = new WorkerStateMachine({ nthreads: 1 });
  w.computeTasks({ op: "compute-tasks", tasks: [{ key: "d", data: 42, priority: 0 }], whoHas: {} });
  assert.deepEqual(kinds(w.take()), ["store-data:d"]);
  assert.ok(w.inMemory.has("d"));
});

test("a replica asked for that is already here (as an input) is kept and reported at once", () => {
  const w = new WorkerStateMachine({ nthreads: 1 });
  w.computeTasks({ op: "compute-tasks", tasks: [ct("z", ["x"])], whoHas: { x: ["p1"] } });
  w.take();
  w.fetchDone("p1", ["x"], []);
  w.take();
  w.acquireReplicas({ x: ["p1"] });
  assert.deepEqual(kinds(w.take()), ["add-keys:x"]);
  w.taskDone("z", true, 0.01);
  assert.deepEqual(kinds(w.take()), [], "x is not dropped with z's inputs: it is a replica now");
  assert.ok(w.inMemory.has("x"));
});

test("fetches respect the bytes and requests in flight, keys and bytes per request; at least one always goes", () => {
  const MB = 1024 ** 2;
  const w = new WorkerStateMachine({ nthreads: 1, transferLimits: { bytes: 100 * MB, requests: 3, keysPerRequest: 2, bytesPerRequest: 64 * MB } });
  const deps = Array.from({ length: 12 }, (_, i) => `d${i}`);
  const whoHas = Object.fromEntries(deps.map((d, i) => [d, [i % 2 === 0 ? "p1" : "p2"]]));
  const nbytes = Object.fromEntries(deps.map((d) => [d, 32 * MB]));
  w.computeTasks({ op: "compute-tasks", tasks: deps.map((d, i) => ct(`t${i}`, [d], i)), whoHas, nbytes });
  const first = w.take().filter((i) => i.type === "fetch");
  // 100 MB allows three 32 MB inputs; at most 2 keys (and 64 MB) per request.
  assert.deepEqual(kinds(first), ["fetch:p1:d0,d2", "fetch:p2:d1"]);
  assert.equal(w.fetchingBytes, 96 * MB);
  assert.equal(w.fetchingRequests, 2);
  // Each answer lets the next inputs go, never beyond the bound.
  let peak = w.fetchingBytes;
  let fetched = 3;
  const queue = [...first];
  while (queue.length > 0) {
    const f = queue.shift()!;
    if (f.type !== "fetch") continue;
    w.fetchDone(f.peer, f.keys, []);
    for (const i of w.take()) {
      if (i.type === "fetch") {
        queue.push(i);
        fetched += i.keys.length;
        assert.ok(i.keys.length <= 2 && i.nbytes <= 64 * MB);
      }
    }
    peak = Math.max(peak, w.fetchingBytes);
    assert.ok(w.fetchingBytes <= 100 * MB && w.fetchingRequests <= 3, `in flight: ${w.fetchingBytes} bytes, ${w.fetchingRequests} requests`);
  }
  assert.equal(fetched, 12);
  assert.equal(w.peakFetchingBytes, 96 * MB);
  assert.equal(w.fetchingBytes, 0);
  // An input bigger than the whole bound still goes, alone.
  const big = new WorkerStateMachine({ nthreads: 1, transferLimits: { bytes: 10 * MB } });
  big.computeTasks({ op: "compute-tasks", tasks: [ct("a", ["x"]), ct("b", ["y"])], whoHas: { x: ["p"], y: ["p"] }, nbytes: { x: 50 * MB, y: 1 } });
  assert.deepEqual(kinds(big.take()), ["fetch:p:x"]);
  big.fetchDone("p", ["x"], []);
  assert.deepEqual(kinds(big.take()), ["fetch:p:y", "execute:a"]);
});

test("no fetch starts while paused; they start on resume", () => {
  const w = new WorkerStateMachine({ nthreads: 1 });
  w.paused = true;
  w.computeTasks({ op: "compute-tasks", tasks: [ct("z", ["x"])], whoHas: { x: ["p1"] } });
  assert.deepEqual(kinds(w.take()), []);
  w.paused = false;
  assert.deepEqual(kinds(w.take()), ["fetch:p1:x"]);
});

test("inputs of unknown size (replicas) are sized by the inputs fetched so far", () => {
  const MB = 1024 ** 2;
  const w = new WorkerStateMachine({ nthreads: 1, transferLimits: { bytes: 100 * MB, keysPerRequest: 100, bytesPerRequest: 1000 * MB } });
  w.computeTasks({ op: "compute-tasks", tasks: [ct("z", ["x"])], whoHas: { x: ["p"] }, nbytes: { x: 40 * MB } });
  w.take();
  w.fetchDone("p", ["x"], [], 40 * MB);
  w.take();
  // Guessed from what arrived (now 20.5 MiB each): four replicas fit in 100 MiB, not a hundred.
  w.acquireReplicas(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`r${i}`, ["p"]])));
  const f = w.take().filter((i) => i.type === "fetch");
  assert.equal(f.length, 1);
  assert.equal(f[0]!.type === "fetch" && f[0]!.keys.length, 4);
});

test("resources limit how many tasks run at once; tasks without them pass the waiting ones", () => {
  const w = new WorkerStateMachine({ nthreads: 4, resources: { GPU: 2 } });
  const gpu = (key: string, n: number, priority: number): ComputeTask => ({ ...ct(key, [], priority), resources: { GPU: n } });
  w.computeTasks({ op: "compute-tasks", tasks: [gpu("g1", 1, 1), gpu("g2", 1, 2), gpu("g3", 1, 3), gpu("big", 2, 4), ct("free", [], 5)], whoHas: {} });
  assert.deepEqual(kinds(w.take()), ["execute:g1", "execute:g2", "execute:free"], "two GPU tasks at once; the free one passes");
  assert.deepEqual(w.resources.available, { GPU: 0 });
  assert.equal(w.taskDone("g1", true, 0.5), "report");
  assert.deepEqual(kinds(w.take()), ["execute:g3"], "one unit free: g3, not big (needs 2)");
  w.taskDone("g2", true, 0.5);
  w.taskDone("g3", false, 0.5);
  assert.deepEqual(kinds(w.take()), ["execute:big"], "failed tasks release theirs too");
  assert.deepEqual(w.resources.available, { GPU: 0 });
  // A task freed while running releases its resources when it comes back.
  w.freeKeys(["big"]);
  assert.equal(w.taskDone("big", true, 0.5), "drop");
  assert.deepEqual(w.resources.available, { GPU: 2 });
});

test("memory throttling (maxExecuting 1) runs one task at a time, however short, until lifted", () => {
  const w = new WorkerStateMachine({ nthreads: 4 });
  w.avgDuration = 0.0001; // short tasks would otherwise fill a deep pipeline
  w.maxExecuting = 1;
  w.computeTasks({ op: "compute-tasks", tasks: Array.from({ length: 6 }, (_, i) => ct(`t${i}`, [], i)), whoHas: {} });
  assert.deepEqual(kinds(w.take()), ["execute:t0"]);
  assert.deepEqual(kinds(w.take()), [], "nothing more while one runs");
  w.taskDone("t0", true, 0.0001);
  assert.deepEqual(kinds(w.take()), ["execute:t1"]);
  w.maxExecuting = undefined;
  assert.deepEqual(kinds(w.take()), ["execute:t2", "execute:t3", "execute:t4", "execute:t5"]);
});
