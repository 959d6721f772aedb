// Graceful retirement when no running worker can take the results (the gap between a job's workers
// leaving by --lifetime and their replacements joining): results are held or handed forward, not lost.
import { test } from "node:test";
import assert from "node:assert/strict";
import { computed, finish, newState, ofOp, task, worker } from "./helpers.js";
import type { AcquireReplicasMsg } from "../../src/protocol/messages.js";
import type { SchedulerState } from "../../src/scheduler/state.js";

/** One worker holding `r`, which a client wants. */
function oneResultOn(address: string): SchedulerState {
  const s = newState();
  s.addWorker(worker(address));
  s.updateGraph("c", { op: "update-graph", tasks: [task("r")], wanted: ["r"] });
  s.flush();
  finish(s, address, ["r"], 100);
  s.flush();
  return s;
}

function acquires(s: SchedulerState): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const a of ofOp<AcquireReplicasMsg>(s.flush(), "acquire-replicas")) out[a.target] = a.msg.whoHas;
  return out;
}

test("a worker leaving on its own with the only copy of a needed result holds it, computing, until a worker joins", () => {
  const s = oneResultOn("w1");
  s.beginRetire(["w1"], { awaitRecipient: true });
  assert.deepEqual(acquires(s), {}, "nobody to copy to yet");
  assert.equal(s.retireDone("w1"), false, "the only copy of r must not be dropped while r is needed");
  // Meanwhile it is the only worker: it takes new tasks rather than idling.
  s.updateGraph("c", { op: "update-graph", tasks: [task("t")], wanted: ["t"] });
  assert.deepEqual(computed(s.flush()), { w1: ["t"] });
  s.addWorker(worker("w2"));
  assert.deepEqual(acquires(s), {}, "it finishes its tasks before handing results over");
  assert.equal(s.workers.get("w1")!.status, "closing-gracefully", "no new tasks once a worker can take its results");
  finish(s, "w1", ["t"], 8);
  assert.deepEqual(acquires(s), { w2: { r: ["w1"], t: ["w1"] } });
  assert.equal(s.retireDone("w1"), false);
  s.addKeys("w2", [
    { key: "r", workers: ["w2"], nbytes: 100 },
    { key: "t", workers: ["w2"], nbytes: 8 },
  ]);
  assert.equal(s.retireDone("w1"), true);
  s.removeWorker("w1", { graceful: true });
  assert.equal(s.tasks.get("r")!.state, "memory", "r survived the gap");
  assert.deepEqual(s.whoHas(["r"]), { r: ["w2"] });
  assert.equal(s.counters.workersLost, 0);
  assert.ok(!(computed(s.flush()).w2 ?? []).includes("r"), "r is not recomputed");
});

test("workers leaving one after another hand results forward to the last one, which alone waits", () => {
  const s = oneResultOn("w1");
  s.addWorker(worker("w2"));
  s.flush();
  s.beginRetire(["w1"], { awaitRecipient: true });
  s.beginRetire(["w2"], { awaitRecipient: true });
  // No running worker: w1 (first to leave) gives its results to w2 (leaving later), never the reverse.
  assert.deepEqual(acquires(s), { w2: { r: ["w1"] } });
  s.addKeys("w2", [{ key: "r", workers: ["w2"], nbytes: 100 }]);
  assert.equal(s.retireDone("w1"), true, "w1 may go: its results live on w2");
  s.removeWorker("w1", { graceful: true });
  assert.equal(s.retireDone("w2"), false, "w2 holds the last copy and waits for a worker to join");
  assert.deepEqual(acquires(s), {});
  s.addWorker(worker("w3"));
  assert.deepEqual(acquires(s), { w3: { r: ["w2"] } });
});

test("a copy asked of a worker that leaves before taking it is asked of another", () => {
  const s = oneResultOn("w1");
  s.addWorker(worker("w2"));
  s.flush();
  s.beginRetire(["w1"], { awaitRecipient: true });
  assert.deepEqual(acquires(s), { w2: { r: ["w1"] } });
  s.removeWorker("w2"); // died before fetching r
  assert.equal(s.retireDone("w1"), false);
  assert.equal(s.tasks.get("r")!.state, "memory");
  s.addWorker(worker("w3"));
  assert.deepEqual(acquires(s), { w3: { r: ["w1"] } });
});

test("an explicit retirement with no other worker still ends at once (results are recomputed later)", () => {
  const s = oneResultOn("w1");
  s.beginRetire(["w1"]);
  assert.equal(s.retireDone("w1"), true);
  s.removeWorker("w1", { graceful: true });
  assert.notEqual(s.tasks.get("r")!.state, "memory");
});

test("a worker leaving on its own with nothing to keep goes at once, even with no other worker", () => {
  const s = newState();
  s.addWorker(worker("w1"));
  s.beginRetire(["w1"], { awaitRecipient: true });
  s.flush();
  assert.equal(s.retireDone("w1"), true);
  // Holding results: it stays (computing) until they are no longer wanted, then goes.
  const t = oneResultOn("w1");
  t.beginRetire(["w1"], { awaitRecipient: true });
  t.flush();
  assert.equal(t.retireDone("w1"), false);
  t.clientReleasesKeys("c", ["r"]);
  t.flush();
  assert.equal(t.retireDone("w1"), true, "r is no longer wanted: nothing to hold");
  assert.equal(t.workers.get("w1")!.status, "closing-gracefully");
});
