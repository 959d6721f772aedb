// Message validation at the scheduler's and the worker's dispatch (src/protocol/validate-message.ts):
// well-formed messages pass, every field of the wrong type is named, and random values never throw.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  invalidClientMessage,
  invalidPeerMessage,
  invalidSchedulerMessage,
  invalidWorkerMessage,
  RefusalLog,
} from "../../src/protocol/validate-message.js";

test("well-formed messages pass", () => {
  assert.equal(invalidClientMessage({ op: "register-client", name: "c" }), null);
  assert.equal(
    invalidClientMessage({ op: "update-graph", tasks: [{ key: "a", op: "add", args: [1, { $ref: "b" }], deps: ["b"], fn: 0 }, { key: "b", data: 3 }], wanted: ["a"], functions: [{}] }),
    null,
  );
  assert.equal(invalidClientMessage({ op: "retire-workers", id: 3, names: ["w"], closeWorkers: true }), null);
  assert.equal(
    invalidWorkerMessage({ op: "register-worker", address: "tcp://h:1", name: "w", nthreads: 2, memoryLimit: 0, pid: 9, host: "h", metadata: { a: "b" }, keys: [{ key: "k", workers: ["tcp://h:1"], nbytes: 8 }] }),
    null,
  );
  assert.equal(invalidWorkerMessage({ op: "heartbeat-worker", metrics: { managedBytes: 1, rss: 2, executing: 0, ready: 0, inMemory: 0, paused: true, restarts: 2, spilledBytes: 5 } }), null);
  assert.equal(invalidWorkerMessage({ op: "task-finished", tasks: [{ key: "k", nbytes: 8, type: "number", duration: 0.1, start: 1 }] }), null);
  assert.equal(invalidWorkerMessage({ op: "task-erred", tasks: [{ key: "k", error: { name: "E", message: "m" }, duration: 0, start: 1 }] }), null);
  assert.equal(invalidSchedulerMessage({ op: "compute-tasks", tasks: [{ key: "k", op: "x", priority: 0 }], whoHas: { d: ["tcp://h:2"] } }), null);
  assert.equal(invalidSchedulerMessage({ op: "close-worker", reason: "bye" }), null);
  assert.equal(invalidPeerMessage({ op: "get-data", id: 1, keys: ["k"] }), null);
});

test("invalid fields and unknown ops are named", () => {
  assert.match(invalidClientMessage({ op: "update-graph", tasks: "x", wanted: [] })!, /invalid 'update-graph' message from a client: 'tasks' must be an array of tasks/);
  assert.match(invalidClientMessage({ op: "update-graph", tasks: [{ key: 7 }], wanted: [] })!, /tasks\[0\]: 'key' must be a string/);
  assert.match(invalidClientMessage({ op: "update-graph", tasks: [{ key: "a", deps: [1] }], wanted: [] })!, /'deps' must be an array of strings/);
  assert.match(invalidClientMessage({ op: "client-desires-keys", keys: [1] })!, /'keys' must be an array of strings/);
  assert.match(invalidClientMessage({ op: "who-has", id: "1", keys: [] })!, /'id' must be an integer/);
  assert.match(invalidClientMessage({ op: "drop-tables" })!, /unknown op 'drop-tables' from a client/);
  assert.match(invalidWorkerMessage({ op: "register-worker", address: "a", name: "n", nthreads: 0, memoryLimit: 0 })!, /'nthreads' must be an integer ≥ 1/);
  assert.match(invalidWorkerMessage({ op: "heartbeat-worker", metrics: { rss: "big" } })!, /'metrics' must be worker metrics/);
  assert.match(invalidWorkerMessage({ op: "add-keys", keys: [{ key: "k" }] })!, /'keys' entries must be/);
  assert.match(invalidSchedulerMessage({ op: "compute-tasks", tasks: [{ key: "k" }], whoHas: {} })!, /'priority' must be a number/);
  assert.match(invalidSchedulerMessage({ op: "acquire-replicas", whoHas: { k: "tcp://x" } })!, /'whoHas' must map keys to arrays/);
  assert.match(invalidPeerMessage({ op: "get-data", id: 1, keys: "all" })!, /invalid 'get-data' message from a peer: 'keys' must be an array of strings/);
  assert.match(invalidPeerMessage({ op: "compute-tasks" })!, /unknown op 'compute-tasks' from a peer/);
  assert.match(invalidPeerMessage(null)!, /must be an object with a string 'op'/);
  // Inherited names are not ops.
  assert.match(invalidClientMessage({ op: "constructor" })!, /unknown op 'constructor'/);
  assert.match(invalidClientMessage({ op: "__proto__" })!, /unknown op/);
});

test("random values never make a validator throw", () => {
  const ops = ["register-worker", "heartbeat-worker", "task-finished", "task-erred", "update-graph", "compute-tasks", "get-data", "who-has", "add-keys", "acquire-replicas", "x"];
  fc.assert(
    fc.property(fc.constantFrom(...ops), fc.dictionary(fc.string({ maxLength: 8 }), fc.anything({ maxDepth: 3 })), fc.anything({ maxDepth: 3 }), (op, fields, tasks) => {
      const msg = { ...fields, op, tasks };
      for (const v of [invalidClientMessage, invalidWorkerMessage, invalidSchedulerMessage, invalidPeerMessage]) {
        const r = v(msg);
        assert.ok(r === null || typeof r === "string");
      }
    }),
    { numRuns: 2000 },
  );
});

test("refusals log at most one line a second, with the count suppressed", () => {
  const lines: Record<string, unknown>[] = [];
  let now = 0;
  const log = new RefusalLog((fields) => lines.push(fields), 1000, () => now);
  for (let i = 0; i < 100; i++) log.refused({ i }, "refused");
  assert.deepEqual(lines, [{ i: 0 }]);
  now = 1000;
  log.refused({ i: 100 }, "refused");
  assert.deepEqual(lines[1], { i: 100, refusedSinceLastLine: 99 });
});
