import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../../src/client/client.js";
import { Security } from "../../src/protocol/index.js";
import { assertNoLeaks, isAlive, resourceCounts, silent, waitFor } from "../fixtures/cluster.js";
import { getDefaultExecutor } from "../../src/graph/default-executor.js";

test("Client.connect() with no address starts a LocalCluster and closes it with the client", async () => {
  const before = resourceCounts();
  const client = await Client.connect(undefined, { localCluster: { nWorkers: 1, threadsPerWorker: 1, memoryLimit: "1GB" }, log: silent() });
  const cluster = client.cluster as unknown as { workerPids(): Map<string, number> };
  const pids = [...cluster.workerPids().values()];
  assert.equal(pids.length, 1);
  assert.equal(await client.submit((a: number, b: number) => a * b, 6, 7), 42);
  assert.equal(getDefaultExecutor(), client);
  await client.close();
  assert.notEqual(getDefaultExecutor(), client, "no longer the default executor");
  await waitFor(() => pids.every((p) => !isAlive(p)), 5000, "the worker to exit");
  await assertNoLeaks(before);
});

test("bad addresses and unreachable schedulers give clear errors", async () => {
  const security = Security.temporary();
  // host:port is taken as tcp://host:port, as in Dask; what is not an address is refused clearly.
  await assert.rejects(Client.connect("127.0.0.1:1", { security, log: silent(), connectTimeoutMs: 2000 }), /could not connect to tcp:\/\/127\.0\.0\.1:1: connection refused/);
  await assert.rejects(Client.connect("localhost", { security, log: silent() }), /is not valid; use tcp:\/\/HOST:PORT/);
  await assert.rejects(Client.connect("tcp://127.0.0.1:1", { security, log: silent(), connectTimeoutMs: 2000 }), /connection refused/);
  const saved = { s: process.env["TESSERA_SECRET"], f: process.env["TESSERA_SECRET_FILE"] };
  delete process.env["TESSERA_SECRET"];
  delete process.env["TESSERA_SECRET_FILE"];
  try {
    await assert.rejects(Client.connect("tcp://127.0.0.1:1", { log: silent() }), /no secret to connect to tcp:\/\/127\.0\.0\.1:1/);
  } finally {
    if (saved.s !== undefined) process.env["TESSERA_SECRET"] = saved.s;
    if (saved.f !== undefined) process.env["TESSERA_SECRET_FILE"] = saved.f;
  }
});

test("futures submitted before a failed connection reject with the connection error", async () => {
  const client = new Client("tcp://127.0.0.1:1", { security: Security.temporary(), log: silent(), connectTimeoutMs: 2000, setAsDefault: false });
  const f = client.submit((x: number) => x, 1);
  await assert.rejects(f.result(), /connection refused/);
  await assert.rejects(client.ready(), /connection refused/);
  assert.equal(client.status, "closed");
  await client.close();
});
