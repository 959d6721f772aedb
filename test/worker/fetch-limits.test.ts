// Fetching inputs between real workers over TCP respects the transfer limits: with room for two
// 1 MiB inputs in flight, a task needing a dozen inputs from its peer gets them two at a time
// (several requests at once, never more bytes than allowed) and its result is exact.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Scheduler } from "../../src/scheduler/server.js";
import { Worker } from "../../src/worker/server.js";
import { Security, connect, type Comm } from "../../src/protocol/index.js";
import { silentLogger } from "../../src/util/log.js";

const opModules = [new URL("./transfer-fixtures/ops.js", import.meta.url).href];
const MiB = 1024 ** 2;
const N = MiB / 8; // 1 MiB of float64 ones

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("concurrent fetches between workers stay within the bytes and requests allowed in flight", async () => {
  const security = Security.temporary();
  const log = silentLogger();
  const scheduler = await Scheduler.start({ security, log, port: 0 });
  const transferLimits = { bytes: 2.5 * MiB, requests: 2, keysPerRequest: 1 };
  const workers = await Promise.all(["w-a", "w-b"].map((name) => Worker.start({ schedulerAddress: scheduler.address, security, nthreads: 1, name, log, opModules, transferLimits })));
  let client: Comm | undefined;
  try {
    client = await connect(scheduler.address, { security });
    const done = new Map<string, { workers: string[] }>();
    client.onMessage((msg) => {
      const m = msg as { op: string; keys?: { key: string; workers: string[] }[] };
      if (m.op === "keys-in-memory") for (const k of m.keys ?? []) done.set(k.key, { workers: k.workers });
    });
    client.send({ op: "register-client", name: "fetch-limits-test" });
    const chunks = Array.from({ length: 24 }, (_, i) => ({ key: `chunk-${i}`, op: "xfer.make", args: [N] }));
    client.send({ op: "update-graph", tasks: chunks, wanted: chunks.map((c) => c.key) });
    await until("the chunks", () => chunks.every((c) => done.has(c.key)));
    const holders = new Map<string, number>();
    for (const c of chunks) for (const w of done.get(c.key)!.workers) holders.set(w, (holders.get(w) ?? 0) + 1);
    assert.equal(holders.size, 2, "both workers made chunks");
    client.send({
      op: "update-graph",
      tasks: [{ key: "total", op: "xfer.sumAll", args: chunks.map((c) => ({ $ref: c.key })), deps: chunks.map((c) => c.key) }],
      wanted: ["total"],
    });
    await until("the total", () => done.has("total"));
    const ranOn = workers.find((w) => w.address === done.get("total")!.workers[0])!;
    const fetched = 24 - (holders.get(ranOn.address) ?? 0);
    assert.ok(fetched >= 2, `${fetched} inputs fetched`);
    // Two 1 MiB inputs at once at most (2.5 MiB allowed), and at least two at once when there were several.
    assert.ok(ranOn.state.peakFetchingBytes <= transferLimits.bytes, `peak ${ranOn.state.peakFetchingBytes} bytes in flight`);
    assert.equal(ranOn.state.peakFetchingBytes, 2 * MiB, "two fetches ran at once");
    assert.equal(ranOn.state.fetchingBytes, 0);
    assert.equal(ranOn.state.fetchingRequests, 0);
    // The result: every element of every chunk, exactly.
    assert.equal(ranOn.store.get("total"), 24 * N);
  } finally {
    client?.close("done");
    await Promise.all(workers.map((w) => w.close()));
    await scheduler.close();
  }
});
