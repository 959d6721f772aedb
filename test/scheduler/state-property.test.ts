/**
 * Property test of the scheduler state machine: random graphs on simulated workers that finish tasks
 * in random order, get killed and replaced, and have tasks stolen. Whatever happens, every wanted key
 * ends in memory, the bookkeeping stays consistent, and releasing everything forgets everything.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { SchedulerState } from "../../src/scheduler/state.js";
import { balance } from "../../src/scheduler/stealing.js";
import type { ComputeTasksMsg, FreeKeysMsg, StealRequestMsg, WireTask } from "../../src/protocol/messages.js";
import { worker } from "./helpers.js";

interface SimWorker {
  running: Set<string>;
}

function checkInvariants(s: SchedulerState): void {
  let counted = 0;
  for (const p of s.prefixes.values()) counted += Object.values(p.counts).reduce((a, b) => a + b, 0);
  assert.equal(counted, s.tasks.size, "prefix counts match the tasks held");
  for (const ts of s.tasks.values()) {
    assert.ok(ts.nWaiters >= 0 && ts.nWanted >= 0, `${ts.key}: refcounts stay ≥ 0`);
    if (ts.state === "processing") {
      assert.ok(ts.processingOn !== null && s.workers.get(ts.processingOn.address) === ts.processingOn, `${ts.key}: processing on a live worker`);
      assert.ok(ts.processingOn.processing.has(ts));
    }
    if (ts.state === "memory") {
      assert.ok(ts.whoHas !== null && ts.whoHas.length > 0, `${ts.key}: in memory somewhere`);
      for (const ws of ts.whoHas) assert.ok(ws.hasWhat.has(ts) && s.workers.get(ws.address) === ws, `${ts.key}: held by a live worker`);
    }
    if (ts.state === "waiting" && ts.deps !== null) {
      const missing = ts.deps.filter((d) => d.state !== "memory").length;
      assert.equal(ts.waitingOn, missing, `${ts.key}: waits for exactly its missing inputs`);
    }
  }
  for (const ws of s.workers.values()) for (const ts of ws.processing) assert.equal(ts.processingOn, ws);
}

test("random graphs, finish orders, worker deaths and steals always complete and leave nothing behind", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 40 }),
      fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 40, maxLength: 40 }),
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.nat(1000), { minLength: 300, maxLength: 300 }),
      (n, depSeeds, nWorkers, choices) => {
        const s = new SchedulerState({ allowedFailures: 10 });
        const sims = new Map<string, SimWorker>();
        let nextWorker = 0;
        const addWorker = (): void => {
          const a = `w${nextWorker++}`;
          s.addWorker(worker(a, 1 + (nextWorker % 2)));
          sims.set(a, { running: new Set() });
        };
        for (let i = 0; i < nWorkers; i++) addWorker();
        const tasks: WireTask[] = [];
        for (let i = 0; i < n; i++) {
          const deps = new Set<string>();
          if (i > 0) for (const seed of depSeeds[i]!.slice(0, (depSeeds[i]![0] % 3) + 1)) if (seed % 4 !== 0) deps.add(`t-${seed % i}`);
          tasks.push({ key: `t-${i}`, op: "f", args: [...deps].map((d) => ({ $ref: d })), ...(deps.size > 0 ? { deps: [...deps] } : {}) });
        }
        const wanted = tasks.filter((_, i) => i === n - 1 || i % 3 === 0).map((t) => t.key);
        s.updateGraph("c", { op: "update-graph", tasks, wanted });
        let kills = 0;
        const deliver = (): void => {
          for (const ins of s.flush()) {
            if (ins.to !== "worker") continue;
            const sim = sims.get(ins.address);
            if (!sim) continue;
            if (ins.msg.op === "compute-tasks") for (const t of (ins.msg as ComputeTasksMsg).tasks) sim.running.add(t.key);
            else if (ins.msg.op === "free-keys") for (const k of (ins.msg as FreeKeysMsg).keys) sim.running.delete(k);
            else if (ins.msg.op === "steal-request") {
              const keys = (ins.msg as StealRequestMsg).keys.filter((k) => sim.running.has(k));
              for (const k of keys) sim.running.delete(k);
              s.stealResponse(ins.address, keys, []);
            }
          }
          checkInvariants(s);
        };
        deliver();
        const done = (): boolean => wanted.every((k) => s.tasks.get(k)?.state === "memory");
        let step = 0;
        for (; step < 5000 && !done(); step++) {
          const c = choices[step % choices.length]! + step;
          const addresses = [...sims.keys()];
          if (c % 29 === 0 && kills < 3 && addresses.length > 0) {
            const victim = addresses[c % addresses.length]!;
            sims.delete(victim);
            s.removeWorker(victim);
            kills++;
            addWorker();
          } else if (c % 13 === 0) {
            balance(s);
          } else {
            const busy = addresses.filter((a) => sims.get(a)!.running.size > 0);
            if (busy.length > 0) {
              const a = busy[c % busy.length]!;
              const running = [...sims.get(a)!.running];
              const key = running[c % running.length]!;
              sims.get(a)!.running.delete(key);
              s.taskFinished(a, [{ key, nbytes: 8 + (c % 100), type: "number", duration: (c % 7) * 0.01, start: 0 }]);
            }
          }
          deliver();
        }
        assert.ok(done(), `all wanted keys computed (stopped after ${step} steps)`);
        s.clientReleasesKeys("c", wanted);
        deliver();
        assert.equal(s.tasks.size, 0, "everything forgotten once released");
        for (const ws of s.workers.values()) {
          assert.equal(ws.processing.size, 0);
          assert.equal(ws.hasWhat.size, 0);
        }
      },
    ),
    { numRuns: 400 },
  );
});
