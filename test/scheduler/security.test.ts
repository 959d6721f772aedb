import { test } from "node:test";
import assert from "node:assert/strict";
import { connect as netConnect } from "node:net";
import { once } from "node:events";
import { withCluster, silent } from "../fixtures/cluster.js";
import { connect, parseAddress, Security } from "../../src/protocol/index.js";
import { Worker } from "../../src/worker/server.js";

async function sendGarbage(address: string): Promise<void> {
  const { host, port } = parseAddress(address);
  const sock = netConnect({ host, port });
  await once(sock, "connect");
  sock.write(Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00\xff\xff\xff\xff garbage"));
  sock.on("error", () => undefined);
  await once(sock, "close");
}

test("a wrong secret and garbage bytes are refused while a real client keeps working", async () => {
  await withCluster({}, async ({ cluster, client }) => {
    const wrong = Security.temporary();
    await assert.rejects(connect(cluster.schedulerAddress, { security: wrong, timeoutMs: 2000, log: silent() }), /authenticat/i);
    await sendGarbage(cluster.schedulerAddress);
    // The workers' ports refuse the same way.
    const workerAddress = [...cluster.scheduler.state.workers.keys()][0]!;
    await assert.rejects(connect(workerAddress, { security: wrong, timeoutMs: 2000, log: silent() }), /authenticat/i);
    await sendGarbage(workerAddress);
    // A worker with the wrong secret cannot join.
    await assert.rejects(
      Worker.start({ schedulerAddress: cluster.schedulerAddress, security: wrong, name: "intruder", nthreads: 1, log: silent(), deathTimeoutMs: 1000 }),
      /authenticat/i,
    );
    assert.equal(cluster.scheduler.state.workers.size, 2);
    // An authenticated peer that speaks nonsense is closed too.
    const rogue = await connect(cluster.schedulerAddress, { security: cluster.security, log: silent() });
    const closed = new Promise((r) => rogue.onClose(r));
    rogue.send({ op: "nonsense" });
    await closed;
    // A registered client sending a malformed message: the message is refused, the connection kept.
    const raw = await connect(cluster.schedulerAddress, { security: cluster.security, log: silent() });
    const replies: { op: string; id?: number; result?: { workers: unknown[] } }[] = [];
    raw.onMessage((m: { op: string }) => replies.push(m));
    raw.send({ op: "register-client", name: "raw" });
    raw.send({ op: "update-graph", tasks: "not a list", wanted: [] });
    raw.send({ op: "update-graph", tasks: [{ key: 42 }], wanted: [] });
    raw.send({ op: "scheduler-info", id: 7 });
    const deadline = Date.now() + 5000;
    while (!replies.some((r) => r.op === "reply") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const reply = replies.find((r) => r.op === "reply");
    assert.equal(reply?.id, 7);
    assert.equal(reply?.result?.workers.length, 2);
    assert.equal(cluster.scheduler.state.tasks.size, 0, "nothing from the malformed graphs reached the state machine");
    raw.close();
    // Everyone else is still served.
    assert.deepEqual(await client.gather(client.map((x: number) => x + 1, [1, 2, 3])), [2, 3, 4]);
  });
});
