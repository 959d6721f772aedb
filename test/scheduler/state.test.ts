import { test } from "node:test";
import assert from "node:assert/strict";
import { computed, finish, newState, ofOp, task, worker } from "./helpers.js";
import type { FreeKeysMsg, KeysErredMsg, KeysInMemoryMsg, StealRequestMsg, AcquireReplicasMsg, KeysLostMsg } from "../../src/protocol/messages.js";
import { balance } from "../../src/scheduler/stealing.js";

test("a chain runs in order and results reach the client; intermediates are released", () => {
  const s = newState();
  s.addWorker(worker("w1"));
  s.updateGraph("c", { op: "update-graph", tasks: [task("a"), task("b", ["a"])], wanted: ["b"] });
  let out = s.flush();
  assert.deepEqual(computed(out), { w1: ["a"] });
  assert.equal(s.tasks.get("b")!.state, "waiting");
  finish(s, "w1", ["a"]);
  out = s.flush();
  assert.deepEqual(computed(out), { w1: ["b"] });
  finish(s, "w1", ["b"]);
  out = s.flush();
  const mem = ofOp<KeysInMemoryMsg>(out, "keys-in-memory");
  assert.equal(mem.length, 1);
  assert.deepEqual(mem[0]!.msg.keys.map((k) => [k.key, k.workers]), [["b", ["w1"]]]);
  // a is no longer needed: freed on the worker; it stays known (released) as lineage of b.
  assert.deepEqual(ofOp<FreeKeysMsg>(out, "free-keys")[0]!.msg.keys, ["a"]);
  assert.equal(s.tasks.get("a")!.state, "released");
  // The client lets go of b: everything is forgotten.
  s.clientReleasesKeys("c", ["b"]);
  out = s.flush();
  assert.deepEqual(ofOp<FreeKeysMsg>(out, "free-keys")[0]!.msg.keys, ["b"]);
  assert.equal(s.tasks.size, 0);
});

test("tasks go where their inputs are (data locality)", () => {
  const s = newState();
  s.addWorker(worker("w1"));
  s.addWorker(worker("w2"));
  s.updateGraph("c", { op: "update-graph", tasks: [task("x"), task("y")], wanted: ["x", "y"] });
  const first = computed(s.flush());
  const xOn = Object.keys(first).find((w) => first[w]!.includes("x"))!;
  const yOn = Object.keys(first).find((w) => first[w]!.includes("y"))!;
  assert.notEqual(xOn, yOn, "two root tasks spread over two idle workers");
  finish(s, xOn, ["x"], 50e6);
  finish(s, yOn, ["y"], 10);
  s.flush();
  s.updateGraph("c", { op: "update-graph", tasks: [task("z", ["x", "y"])], wanted: ["z"] });
  assert.deepEqual(computed(s.flush()), { [xOn]: ["z"] }, "z runs next to its 50 MB input");
  const ct = s.tasks.get("z")!;
  assert.equal(ct.processingOn!.address, xOn);
});

test("root tasks beyond what workers can take wait in the queue, in graph order", () => {
  const s = newState();
  s.addWorker(worker("w1", 1));
  const tasks = Array.from({ length: 10 }, (_, i) => task(`t-${i}`));
  s.updateGraph("c", { op: "update-graph", tasks, wanted: tasks.map((t) => t.key) });
  const out = computed(s.flush());
  // Unknown durations: one running plus one spare per thread.
  assert.deepEqual(out, { w1: ["t-0", "t-1"] });
  assert.equal(s.queued.size, 8);
  assert.equal(s.tasks.get("t-5")!.state, "queued");
  // Once tasks are known to be short, the worker gets a deeper pipeline.
  finish(s, "w1", ["t-0", "t-1"], 8, 0.0001);
  const next = computed(s.flush());
  assert.deepEqual(next, { w1: ["t-2", "t-3", "t-4", "t-5", "t-6", "t-7", "t-8", "t-9"] });
});

test("user priority runs before graph order", () => {
  const s = newState();
  s.addWorker(worker("w1", 1));
  s.updateGraph("c", { op: "update-graph", tasks: [task("a-1"), task("a-2"), task("a-3")], wanted: ["a-1", "a-2", "a-3"] });
  s.updateGraph("c", { op: "update-graph", tasks: [task("urgent-1")], wanted: ["urgent-1"], priority: 10 });
  assert.deepEqual(computed(s.flush()), { w1: ["a-1", "a-2"] });
  finish(s, "w1", ["a-1"]);
  assert.deepEqual(computed(s.flush()), { w1: ["urgent-1"] });
});

test("a dead worker's running tasks are rescheduled and results only it held are recomputed", () => {
  const s = newState();
  s.addWorker(worker("w1"));
  s.updateGraph("c", { op: "update-graph", tasks: [task("a"), task("b", ["a"]), task("other")], wanted: ["b", "other"] });
  s.flush();
  // a and other ran on w1; then w2 joins and b is placed (say) on w1 too.
  finish(s, "w1", ["a", "other"]);
  s.flush();
  s.addWorker(worker("w2"));
  assert.equal(s.tasks.get("b")!.processingOn!.address, "w1");
  s.removeWorker("w1");
  const out = s.flush();
  // a (input of b, only on w1) is recomputed on w2; b waits for it; other (wanted) too.
  assert.deepEqual(computed(out).w2!.sort(), ["a", "other"]);
  assert.equal(s.tasks.get("b")!.state, "waiting");
  assert.deepEqual(s.tasks.get("b")!.suspicious, ["w1"]);
  const lost = ofOp<KeysLostMsg>(out, "keys-lost");
  assert.deepEqual(lost[0]!.msg.keys, ["other"]);
  finish(s, "w2", ["a"]);
  assert.deepEqual(computed(s.flush()), { w2: ["b"] });
  finish(s, "w2", ["b", "other"]);
  const mem = ofOp<KeysInMemoryMsg>(s.flush(), "keys-in-memory");
  assert.deepEqual(mem[0]!.msg.keys.map((k) => k.key).sort(), ["b", "other"]);
});

test("a task on three workers that died fails with KilledWorker naming it and the workers", () => {
  const s = newState();
  s.updateGraph("c", { op: "update-graph", tasks: [task("bad")], wanted: ["bad"] });
  for (const w of ["w1", "w2", "w3"]) {
    s.addWorker(worker(w));
    assert.deepEqual(computed(s.flush()), { [w]: ["bad"] });
    s.removeWorker(w);
  }
  const err = ofOp<KeysErredMsg>(s.flush(), "keys-erred");
  assert.equal(err.length, 1);
  const e = err[0]!.msg.errors[0]!;
  assert.equal(e.key, "bad");
  assert.equal(e.error.name, "KilledWorker");
  assert.match(e.error.message, /'bad'.*3 workers.*w1, w2, w3/);
  assert.equal(s.tasks.get("bad")!.state, "erred");
});

test("graceful removal does not count as a failure", () => {
  const s = newState({ allowedFailures: 1 });
  s.updateGraph("c", { op: "update-graph", tasks: [task("t")], wanted: ["t"] });
  s.addWorker(worker("w1"));
  s.flush();
  s.removeWorker("w1", { graceful: true });
  s.addWorker(worker("w2"));
  assert.deepEqual(computed(s.flush()), { w2: ["t"] });
});

test("retries: a failing task runs again, then its error reaches the client and its dependents", () => {
  const s = newState();
  s.addWorker(worker("w1"));
  s.updateGraph("c", { op: "update-graph", tasks: [task("f", [], { retries: 1 }), task("g", ["f"])], wanted: ["f", "g"] });
  s.flush();
  const boom = { name: "Error", message: "boom", stack: "Error: boom\n    at f" };
  s.taskErred("w1", [{ key: "f", error: boom, duration: 0, start: 0 }]);
  assert.deepEqual(computed(s.flush()), { w1: ["f"] }, "retried once");
  s.taskErred("w1", [{ key: "f", error: boom, duration: 0, start: 0 }]);
  const errs = ofOp<KeysErredMsg>(s.flush(), "keys-erred")[0]!.msg.errors;
  assert.deepEqual(errs.map((e) => e.key).sort(), ["f", "g"]);
  assert.ok(errs.every((e) => e.error.message === "boom" && e.error.key === "f"));
  assert.equal(s.tasks.get("g")!.state, "erred");
});

test("a missing dependency fails the task with a clear error", () => {
  const s = newState();
  s.addWorker(worker("w1"));
  s.updateGraph("c", { op: "update-graph", tasks: [task("g", ["nowhere"])], wanted: ["g"] });
  const errs = ofOp<KeysErredMsg>(s.flush(), "keys-erred")[0]!.msg.errors;
  assert.match(errs[0]!.error.message, /depends on 'nowhere'/);
});

test("cancelling a running task frees it on its worker and forgets it", () => {
  const s = newState();
  s.addWorker(worker("w1"));
  s.updateGraph("c", { op: "update-graph", tasks: [task("slow")], wanted: ["slow"] });
  s.flush();
  s.cancelKeys("c", ["slow"]);
  const out = s.flush();
  assert.deepEqual(ofOp<FreeKeysMsg>(out, "free-keys")[0]!.msg.keys, ["slow"]);
  assert.equal(s.tasks.size, 0);
  assert.equal(s.workers.get("w1")!.processing.size, 0);
  // A late result from the worker is dropped there.
  finish(s, "w1", ["slow"]);
  assert.deepEqual(ofOp<FreeKeysMsg>(s.flush(), "free-keys")[0]!.msg.keys, ["slow"]);
});

test("two clients share a key; it lives until both release it", () => {
  const s = newState();
  s.addWorker(worker("w1"));
  s.updateGraph("c1", { op: "update-graph", tasks: [task("k")], wanted: ["k"] });
  s.updateGraph("c2", { op: "update-graph", tasks: [task("k")], wanted: ["k"] });
  assert.deepEqual(computed(s.flush()), { w1: ["k"] }, "computed once");
  finish(s, "w1", ["k"]);
  const mem = ofOp<KeysInMemoryMsg>(s.flush(), "keys-in-memory");
  assert.deepEqual(mem.map((m) => m.target).sort(), ["c1", "c2"]);
  s.removeClient("c1");
  assert.equal(s.tasks.get("k")!.state, "memory");
  s.clientReleasesKeys("c2", ["k"]);
  assert.equal(s.tasks.size, 0);
});

test("idle workers steal queued-up long tasks from busy ones", () => {
  const s = newState();
  s.addWorker(worker("w1", 1));
  // Long tasks with a known duration, all placed on w1 through locality on an input.
  s.updateGraph("c", { op: "update-graph", tasks: [task("in")], wanted: ["in"] });
  s.flush();
  finish(s, "w1", ["in"], 8, 1);
  s.flush();
  const many = Array.from({ length: 6 }, (_, i) => task(`long-${i}`, ["in"]));
  s.updateGraph("c", { op: "update-graph", tasks: many, wanted: many.map((t) => t.key) });
  s.flush();
  assert.equal(s.workers.get("w1")!.processing.size, 6);
  s.addWorker(worker("w2", 1));
  s.flush();
  assert.equal(balance(s), 1);
  const req = ofOp<StealRequestMsg>(s.flush(), "steal-request");
  assert.equal(req[0]!.target, "w1");
  const stolen = req[0]!.msg.keys;
  assert.equal(balance(s), 0, "no second steal while one is in flight for the thief");
  s.stealResponse("w1", stolen, []);
  assert.deepEqual(computed(s.flush()), { w2: stolen });
  assert.equal(s.tasks.get(stolen[0]!)!.processingOn!.address, "w2");
  assert.equal(s.counters.stealsDone, 1);
});

test("retiring a worker copies results only it holds to another worker first", () => {
  const s = newState();
  s.addWorker(worker("w1"));
  s.updateGraph("c", { op: "update-graph", tasks: [task("r")], wanted: ["r"] });
  s.flush();
  finish(s, "w1", ["r"], 100);
  s.flush();
  s.addWorker(worker("w2"));
  s.beginRetire(["w1"]);
  assert.equal(s.retireDone("w1"), false);
  const acq = ofOp<AcquireReplicasMsg>(s.flush(), "acquire-replicas");
  assert.deepEqual(acq, [{ target: "w2", msg: { op: "acquire-replicas", whoHas: { r: ["w1"] } } }]);
  s.addKeys("w2", [{ key: "r", workers: ["w2"], nbytes: 100 }]);
  assert.equal(s.retireDone("w1"), true);
  s.removeWorker("w1", { graceful: true });
  assert.deepEqual(s.whoHas(["r"]), { r: ["w2"] });
  assert.equal(s.tasks.get("r")!.state, "memory");
});

test("adaptive target: queued work over the target duration, and workers holding data stay", () => {
  const s = newState({ defaultTaskDuration: 1 });
  s.addWorker(worker("w1", 1));
  const tasks = Array.from({ length: 40 }, (_, i) => task(`q-${i}`));
  s.updateGraph("c", { op: "update-graph", tasks, wanted: tasks.map((t) => t.key) });
  s.flush();
  // 40 tasks of ~1 s over a 5 s target ≈ 8 one-thread workers.
  assert.equal(s.adaptiveTarget(5), 8);
  assert.equal(newState().adaptiveTarget(5), 0, "nothing to do, no workers: zero");
});

test("a worker registering with a name already taken is refused", () => {
  const s = newState();
  assert.equal(s.addWorker(worker("w1", 1, "same")), null);
  assert.match(s.addWorker(worker("w2", 1, "same"))!, /named 'same' is already registered/);
});

test("transition hook sees every state change", () => {
  const s = newState();
  const seen: string[] = [];
  s.onTransition = (key, from, to) => seen.push(`${key}:${from}>${to}`);
  s.addWorker(worker("w1"));
  s.updateGraph("c", { op: "update-graph", tasks: [task("a")], wanted: ["a"] });
  finish(s, "w1", ["a"]);
  s.clientReleasesKeys("c", ["a"]);
  assert.deepEqual(seen, ["a:released>waiting", "a:waiting>processing", "a:processing>memory", "a:memory>released", "a:released>forgotten"]);
  const counts = s.prefixes.get("a")!.counts;
  assert.equal(Object.values(counts).reduce((x, y) => x + y, 0), 0, "forgotten tasks leave the prefix counts");
});

test("siblings of a reduction step are co-assigned to one worker; a dependent of many inputs spreads them", () => {
  const s = newState();
  s.addWorker(worker("w1"));
  s.addWorker(worker("w2"));
  const roots = Array.from({ length: 8 }, (_, i) => task(`r-${i}`));
  const steps = [task("s-0", ["r-0", "r-1", "r-2", "r-3"]), task("s-1", ["r-4", "r-5", "r-6", "r-7"])];
  s.updateGraph("c", { op: "update-graph", tasks: [...roots, ...steps, task("agg", ["s-0", "s-1"])], wanted: ["agg"] });
  const placed = new Map<string, string>();
  const record = (out: Record<string, string[]>) => {
    for (const [w, keys] of Object.entries(out)) for (const k of keys) placed.set(k, w);
  };
  record(computed(s.flush()));
  // Each worker takes its usual room (two tasks) plus the rest of the step it started, not more.
  for (let round = 0; placed.size < 8 && round < 10; round++) {
    for (const w of ["w1", "w2"]) {
      const mine = [...placed].filter(([k, on]) => on === w && k.startsWith("r-") && s.tasks.get(k)!.state === "processing").map(([k]) => k);
      if (mine.length > 0) finish(s, w, mine.slice(0, 1), 8, 0.5);
    }
    record(computed(s.flush()));
  }
  const on = (keys: string[]) => new Set(keys.map((k) => placed.get(k)));
  assert.equal(on(["r-0", "r-1", "r-2", "r-3"]).size, 1, "the first step's inputs on one worker");
  assert.equal(on(["r-4", "r-5", "r-6", "r-7"]).size, 1, "the second step's inputs on one worker");
  assert.notEqual(placed.get("r-0"), placed.get("r-4"), "the two steps on the two workers");

  // A dependent of more than MAX_COASSIGNED_SIBLINGS inputs (a concatenation) does not pull them together.
  const t = newState();
  t.addWorker(worker("w1"));
  t.addWorker(worker("w2"));
  const many = Array.from({ length: 40 }, (_, i) => task(`m-${i}`));
  t.updateGraph("c", { op: "update-graph", tasks: [...many, task("cat", many.map((m) => m.key))], wanted: ["cat"] });
  const first = computed(t.flush());
  assert.deepEqual(Object.values(first).map((ks) => ks.length), [2, 2], "each worker gets its usual room");
});
