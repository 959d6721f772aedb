/**
 * What an authenticated client (or a peer holding the secret) may send: deep nesting, cycles, reserved
 * and oversize keys, oversize graphs. Each is refused with an error to the sender; the scheduler stays up.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Scheduler } from "../../src/scheduler/server.js";
import { Worker } from "../../src/worker/server.js";
import { Client } from "../../src/client/client.js";
import { connect, Security, type Comm } from "../../src/protocol/index.js";
import { resolvePeerLimits } from "../../src/protocol/limits.js";
import { silent, waitFor } from "../fixtures/cluster.js";
import { nestedArrays } from "../fuzz/hostile-peer.js";

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

interface RawClient {
  comm: Comm;
  replies: { op: string; [k: string]: unknown }[];
  /** The error the scheduler sent for `key` (waits for it). */
  erred(key: string): Promise<{ code?: string; message: string }>;
  info(): Promise<{ tasks: number }>;
}

async function rawClient(address: string, security: Security): Promise<RawClient> {
  const comm = await connect(address, { security, log: silent() });
  const replies: RawClient["replies"] = [];
  comm.onMessage((m: { op: string }) => replies.push(m));
  comm.send({ op: "register-client", name: "hostile" });
  let nextId = 1;
  return {
    comm,
    replies,
    async erred(key) {
      let found: { code?: string; message: string } | undefined;
      await waitFor(() => {
        for (const r of replies) if (r.op === "keys-erred") for (const e of r["errors"] as { key: string; error: { code?: string; message: string } }[]) if (e.key === key) found = e.error;
        return found !== undefined;
      }, 10_000, `an error for '${key.slice(0, 20)}'`);
      return found!;
    },
    async info() {
      const id = nextId++;
      comm.send({ op: "scheduler-info", id });
      let r: { result: { tasks: number } } | undefined;
      await waitFor(() => (r = replies.find((x) => x.op === "reply" && x["id"] === id) as typeof r) !== undefined, 10_000, "scheduler-info");
      return r!.result;
    },
  };
}

test("limits: defaults, overrides, and unknown names with a suggestion", () => {
  assert.equal(resolvePeerLimits(undefined).maxDepth, 100);
  assert.equal(resolvePeerLimits({ maxKeyLength: 10 }).maxKeyLength, 10);
  assert.throws(() => resolvePeerLimits({ maxdepth: 3 } as never), /unknown option 'maxdepth' \(did you mean 'maxDepth'\?\)/);
  assert.throws(() => resolvePeerLimits({ maxDepth: 0 }), /whole number ≥ 1/);
});

test("hostile graphs from a raw authenticated peer are refused with an error; the scheduler and a worker stay up", async () => {
  const security = Security.temporary();
  const scheduler = await Scheduler.start({ security, log: silent(), limits: { maxTasksPerMessage: 1000, maxGraphTasks: 1500 } });
  const worker = await Worker.start({ schedulerAddress: scheduler.address, security, name: "w", nthreads: 1, log: silent() });
  try {
    const raw = await rawClient(scheduler.address, security);
    // ~2000 deep in a few KB: used to decode, then overflow the stack when re-encoded for the worker.
    raw.comm.send({ op: "update-graph", tasks: [{ key: "deep", op: "identity", args: [nestedArrays(2000)] }], wanted: ["deep"] });
    assert.match((await raw.erred("deep")).message, /nests deeper than 100 levels \(limits.maxDepth\)/);
    // a cycle: refused at once, naming it
    raw.comm.send({ op: "update-graph", tasks: [{ key: "a", op: "identity", args: [{ $ref: "b" }], deps: ["b"] }, { key: "b", op: "identity", args: [{ $ref: "a" }], deps: ["a"] }, { key: "c", op: "identity", args: [{ $ref: "a" }], deps: ["a"] }], wanted: ["c"] });
    const cyc = await raw.erred("c");
    assert.equal(cyc.code, "GRAPH_REFUSED");
    assert.match(cyc.message, /cycle \('a' → 'b'\)|cycle \('b' → 'a'\)/);
    // reserved and oversize keys
    raw.comm.send({ op: "update-graph", tasks: [{ key: "__proto__", op: "identity", args: [1] }], wanted: ["__proto__"] });
    assert.match((await raw.erred("__proto__")).message, /task key '__proto__' is the name of a property every JavaScript object has/);
    raw.comm.send({ op: "update-graph", tasks: [{ key: "constructor", op: "identity", args: [1] }], wanted: ["constructor"] });
    assert.match((await raw.erred("constructor")).message, /refuses as a key/);
    const long = "k".repeat(5000);
    raw.comm.send({ op: "update-graph", tasks: [{ key: long, op: "identity", args: [1] }], wanted: [] });
    raw.comm.send({ op: "update-graph", tasks: [{ key: "ok-long-dep", op: "identity", args: [1], deps: [long] }], wanted: ["ok-long-dep"] });
    assert.match((await raw.erred("ok-long-dep")).message, /longer than 4096 \(limits.maxKeyLength\)/);
    // too many tasks in one message, then too many held at once
    const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ key: `${prefix}-${i}`, data: i }));
    raw.comm.send({ op: "update-graph", tasks: many("big", 1001), wanted: ["big-0"] });
    assert.match((await raw.erred("big-0")).message, /holds 1001 tasks; at most 1000 per message/);
    raw.comm.send({ op: "update-graph", tasks: many("half", 800), wanted: many("half", 800).map((t) => t.key) });
    raw.comm.send({ op: "update-graph", tasks: many("more", 800), wanted: ["more-0"] });
    assert.match((await raw.erred("more-0")).message, /more than limits.maxGraphTasks \(1500\)/);
    assert.equal((await raw.info()).tasks, 800, "only the accepted graph is kept");
    // A worker-role peer sending a deep error is refused too (it used to be stored and re-sent to clients).
    const rogue = await connect(scheduler.address, { security, log: silent() });
    rogue.send({ op: "register-worker", address: "tcp://127.0.0.1:1", name: "rogue", nthreads: 1, memoryLimit: 1 });
    rogue.send({ op: "task-erred", tasks: [{ key: "x", duration: 0, start: 0, error: { name: "E", message: "m", extra: nestedArrays(3000) } }] });
    // nothing was broken: a real client still computes on the real worker
    const client = await Client.connect(scheduler.address, { security, log: silent(), setAsDefault: false });
    try {
      assert.equal(await client.submit((x: number) => x + 1, 41).result(), 42);
    } finally {
      await client.close();
    }
    rogue.close();
    raw.comm.close();
  } finally {
    await worker.close();
    await scheduler.close();
  }
});

test("client.submit: a value too deep to encode rejects that future only; one over the scheduler's limit is refused with the reason", async () => {
  const security = Security.temporary();
  const scheduler = await Scheduler.start({ security, log: silent() });
  const worker = await Worker.start({ schedulerAddress: scheduler.address, security, name: "w", nthreads: 1, log: silent() });
  const client = await Client.connect(scheduler.address, { security, log: silent(), setAsDefault: false });
  try {
    const fn = (v: unknown) => (Array.isArray(v) ? "array" : "other");
    // submitted in one tick: one update-graph message that cannot be encoded as a whole (3500 deep: past
    // what msgpackr can encode on the default stack, within what the client's own argument walk takes)
    const tooDeep = client.submitWith({ key: "too-deep" }, fn, nested(3500));
    const fine = client.submitWith({ key: "fine" }, fn, [1]);
    const overLimit = client.submitWith({ key: "over-limit" }, fn, nested(150));
    await assert.rejects(tooDeep.result(), (e: Error & { code?: string }) => e.code === "TESSERA_ERR_MESSAGE_ENCODE" && /task 'too-deep' was not sent/.test(e.message));
    assert.equal(await fine.result(), "array");
    await assert.rejects(overLimit.result(), /the scheduler refused the graph: .*nests deeper than 100 levels/);
    // reserved keys fail clearly instead of never finishing
    await assert.rejects(client.submitWith({ key: "__proto__" }, fn, 1).result(), /'__proto__' is the name of a property every JavaScript object has/);
    assert.equal(await client.submit(fn, 2).result(), "other");
  } finally {
    await client.close();
    await worker.close();
    await scheduler.close();
  }
});
