// The rebalance plan (Dask's _rebalance_find_msgs) on the scheduler's state machine: who sends which
// keys to whom, the memory-limit thresholds, the key and worker allow-lists, and the hand-over.
import { test } from "node:test";
import assert from "node:assert/strict";
import { finish, newState, ofOp, task, worker } from "./helpers.js";
import { finishMove, moveStatus, planRebalance, startMoves } from "../../src/scheduler/rebalance.js";
import type { AcquireReplicasMsg } from "../../src/protocol/messages.js";

/** `n` results of `nbytes` each, all on worker a (pinned there), wanted by a client. */
function loaded(memoryLimit: number, nbytes: number, n = 8, workers = ["a", "b", "c"]) {
  const s = newState();
  for (const a of workers) s.addWorker({ ...worker(a), memoryLimit });
  s.addClient("cl");
  const keys = Array.from({ length: n }, (_, i) => `x-${i}`);
  s.updateGraph("cl", { op: "update-graph", tasks: keys.map((k) => task(k, [], { workers: ["a"] })), wanted: keys });
  s.flush();
  finish(s, "a", keys, nbytes);
  s.flush();
  return { s, keys };
}

test("without memory limits, results spread until every worker holds about the mean", () => {
  const { s, keys } = loaded(0, 1000);
  const moves = planRebalance(s);
  // Mean 8000/3 ≈ 2667: b and c take two keys each (a third would take them above the mean).
  assert.ok(moves.every((m) => m.from.address === "a"));
  assert.deepEqual(moves.map((m) => m.to.address).sort(), ["b", "b", "c", "c"]);
  // Least recently stored first, alternating between the recipients farthest from the mean.
  assert.deepEqual(moves.map((m) => m.ts.key), keys.slice(0, 4));
  assert.deepEqual(moves.map((m) => m.to.address), ["b", "c", "b", "c"]);

  // The hand-over: acquire-replicas to each recipient, the sender's copy freed once it has it.
  startMoves(s, moves);
  const acquire = ofOp<AcquireReplicasMsg>(s.flush(), "acquire-replicas");
  assert.deepEqual(acquire.map((x) => x.target).sort(), ["b", "c"]);
  const m0 = moves[0]!;
  assert.equal(moveStatus(s, m0), "waiting");
  s.addKeys(m0.to.address, [{ key: m0.ts.key, workers: [m0.to.address], nbytes: 1000 }]);
  assert.equal(moveStatus(s, m0), "done");
  finishMove(s, m0);
  assert.deepEqual(s.whoHas([m0.ts.key]), { [m0.ts.key]: [m0.to.address] });
  const freed = ofOp<{ keys: string[] }>(s.flush(), "free-keys");
  assert.deepEqual(freed, [{ target: "a", msg: { op: "free-keys", keys: [m0.ts.key] } }]);
  assert.equal(s.workers.get("a")!.nbytes, 7000);
});

test("with memory limits, Dask's thresholds: small data does not move; recipients stop at 60 %", () => {
  // 8 KB on a worker of 1 GB: below sender-min (30 %) — nothing moves, as in Dask.
  assert.deepEqual(planRebalance(loaded(1e9, 1000).s), []);
  // 8 × 100 MB on 1 GB workers: a holds 80 %, mean 26.7 %, half gap 5 %: b and c take keys while
  // they stay within the half gap below the mean (two each).
  const moves = planRebalance(loaded(1e9, 100e6).s);
  assert.deepEqual(moves.map((m) => m.to.address).sort(), ["b", "b", "c", "c"]);
  // A worker at 61 % of its limit receives nothing (recipient-max 60 %), though far below the mean;
  // at 59 % it does.
  for (const [held, expected] of [[0.61e9, 0], [0.59e9, 5]] as const) {
    const { s } = loaded(1e9, 100e6, 16, ["a", "d"]);
    s.workers.get("d")!.nbytes = held;
    assert.equal(planRebalance(s).length, expected, `d holding ${held}`);
  }
});

test("only the keys and workers allowed take part", () => {
  const { s, keys } = loaded(0, 1000);
  const only = new Set(keys.slice(6));
  const moves = planRebalance(s, { keys: only });
  assert.deepEqual(moves.map((m) => m.ts.key).sort(), keys.slice(6));
  const ab = planRebalance(s, { workers: [s.workers.get("a")!, s.workers.get("b")!] });
  assert.ok(ab.length === 4 && ab.every((m) => m.to.address === "b"));
});
