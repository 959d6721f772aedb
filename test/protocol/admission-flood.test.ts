/**
 * Finding: one unauthenticated host holding ~900 silent sockets shut out 55 of 60 new clients and broke
 * worker-to-worker fetches. Now each source has its own cap, the oldest silent connection is dropped
 * instead of the newcomer, and silent peers time out fast: while one source floods, new clients, a
 * worker joining and transfers between workers all get through.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { pino } from "pino";
import { parseAddress } from "../../src/protocol/index.js";
import { Client } from "../../src/client/client.js";
import { Worker } from "../../src/worker/server.js";
import { random } from "../../src/array/index.js";
import { silent, withCluster } from "../fixtures/cluster.js";

/** A separate process (as an attacker would be) keeping `n` silent sockets open at `address`, reopening each one the server drops. */
const FLOODER = `
const net = require("node:net");
const [host, port, n] = process.argv.slice(1);
let opened = 0;
const open = () => {
  const s = net.connect({ host, port: +port });
  opened++;
  s.on("error", () => {});
  s.resume(); // read (and drop) what the server says, so its close is seen
  s.on("close", () => setTimeout(open, 50));
};
for (let i = 0; i < +n; i++) open();
process.on("message", () => process.send(opened));
`;

async function flood(address: string, n: number): Promise<{ opened: () => Promise<number>; stop: () => Promise<void> }> {
  const { host, port } = parseAddress(address);
  const child = spawn(process.execPath, ["-e", FLOODER, host, String(port), String(n)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  await new Promise((r) => setTimeout(r, 50));
  return {
    opened: () =>
      new Promise((resolve) => {
        child.once("message", (m) => resolve(Number(m)));
        child.send("count?");
      }),
    stop: async () => {
      child.kill("SIGKILL");
      await once(child, "exit");
    },
  };
}

test("a flood of 900 silent sockets from one source: new clients, a joining worker and worker-to-worker transfers all get through", async () => {
  const lines: Record<string, unknown>[] = [];
  await withCluster({ nWorkers: 2, logLevel: "silent" }, async ({ cluster, client }) => {
    // the scheduler's own log, to see what it says about the flood
    const log = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s)) });
    const original = [...cluster.scheduler.state.workers.keys()].sort();
    const workerAddress = original[0]!;
    const atScheduler = await flood(cluster.schedulerAddress, 900);
    const atWorker = await flood(workerAddress, 300);
    try {
      await new Promise((r) => setTimeout(r, 500)); // let the flood fill every slot
      let connected = 0;
      for (let i = 0; i < 10; i++) {
        const c = await Client.connect(cluster, { log: silent(), setAsDefault: false, connectTimeoutMs: 30_000 });
        connected++;
        await c.close();
      }
      assert.equal(connected, 10, "every new client got in");
      const joining = await Worker.start({ schedulerAddress: cluster.schedulerAddress, security: cluster.security, name: "late", nthreads: 1, log });
      await joining.close();
      // a reduction across both workers needs transfers between them (one's port is flooded)
      const total = await random.uniform(0, 1, { shape: [400_000], chunks: [50_000], seed: 3 }).sum().compute({ executor: client });
      assert.ok(Number(total) > 150_000 && Number(total) < 250_000, `sum ${total}`);
      const opened = await atScheduler.opened();
      assert.ok(opened > 900, `the flood kept reopening what was dropped (${opened} opened)`);
    } finally {
      await atScheduler.stop();
      await atWorker.stop();
    }
    // the original workers never lost their connections ("late" left on its own)
    assert.deepEqual([...cluster.scheduler.state.workers.keys()].sort(), original);
  });
  void lines;
});
