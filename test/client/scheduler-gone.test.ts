import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { Client } from "../../src/client/client.js";
import { SchedulerGoneError, ClientClosedError } from "../../src/client/errors.js";
import { Security } from "../../src/protocol/index.js";
import { startCli, silent, waitFor, assertNoLeaks, resourceCounts } from "../fixtures/cluster.js";

async function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let buf = "";
  for await (const chunk of stream) {
    buf += (chunk as Buffer).toString();
    const nl = buf.indexOf("\n");
    if (nl >= 0) return buf.slice(0, nl).trim();
  }
  throw new Error(`stream ended before a line: ${buf}`);
}

test("scheduler killed: workers exit after their death timeout and pending futures reject", async () => {
  const before = resourceCounts();
  const dir = await mkdtemp(join(tmpdir(), "tessera-gone-"));
  const secretFile = join(dir, "tessera-secret");
  const scheduler = startCli(["scheduler", "--port", "0", "--secret-file", secretFile]);
  let workers: ReturnType<typeof startCli> | undefined;
  try {
    const address = await firstLine(scheduler.stdout!);
    assert.match(address, /^tcp:\/\/127\.0\.0\.1:\d+$/);
    workers = startCli(["worker", address, "--secret-file", secretFile, "--nworkers", "2", "--nthreads", "1", "--death-timeout", "1", "--name", "w"]);
    const client = await Client.connect(address, { security: await Security.fromSecretFile(secretFile), log: silent(), setAsDefault: false });
    await client.waitForWorkers(2, { timeoutMs: 10_000 });
    const info = await client.schedulerInfo();
    assert.deepEqual(info.workers.map((w) => w.name).sort(), ["w-0", "w-1"]);
    assert.equal(await client.submit((x: number) => x * 2, 4), 8);
    const sleep = (ms: number) => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      return ms;
    };
    const pending = client.submit(sleep, 5000);
    await new Promise((r) => setTimeout(r, 100));
    scheduler.kill("SIGKILL");
    await assert.rejects(pending.result(), (e: unknown) => e instanceof SchedulerGoneError && /lost the connection to the scheduler/.test(e.message));
    assert.throws(() => client.submit((x: number) => x, 1), ClientClosedError);
    const t0 = Date.now();
    const [code] = (await once(workers, "exit")) as [number | null];
    assert.equal(code, 0, "the worker command exits cleanly once its workers gave up");
    assert.ok(Date.now() - t0 < 8000, "within a few seconds of the death timeout");
    await client.close();
  } finally {
    scheduler.kill("SIGKILL");
    workers?.kill("SIGKILL");
    await waitFor(() => scheduler.exitCode !== null || scheduler.signalCode !== null, 5000, "scheduler exit");
    await rm(dir, { recursive: true, force: true });
  }
  await assertNoLeaks(before);
});

test("tessera worker --nanny restarts a worker that was killed; SIGTERM stops it cleanly", async () => {
  const before = resourceCounts();
  const dir = await mkdtemp(join(tmpdir(), "tessera-nanny-"));
  const secretFile = join(dir, "tessera-secret");
  const scheduler = startCli(["scheduler", "--port", "0", "--secret-file", secretFile]);
  let workers: ReturnType<typeof startCli> | undefined;
  try {
    const address = await firstLine(scheduler.stdout!);
    workers = startCli(["worker", address, "--secret-file", secretFile, "--nthreads", "1", "--nanny", "--name", "nanny-test"]);
    const client = await Client.connect(address, { security: await Security.fromSecretFile(secretFile), log: silent(), setAsDefault: false });
    await client.waitForWorkers(1, { timeoutMs: 10_000 });
    const first = (await client.schedulerInfo()).workers[0]!;
    assert.equal(first.name, "nanny-test");
    assert.notEqual(first.pid, workers.pid, "the worker runs in a child of the nanny");
    process.kill(first.pid, "SIGKILL");
    let again = first;
    const deadline = Date.now() + 15_000;
    while (again.pid === first.pid) {
      assert.ok(Date.now() < deadline, "the nanny restarted the worker within 15 s");
      await new Promise((r) => setTimeout(r, 100));
      again = (await client.schedulerInfo()).workers[0] ?? first;
    }
    assert.equal(again.name, "nanny-test");
    assert.equal(await client.submit((x: number) => x + 1, 1), 2);
    workers.kill("SIGTERM");
    const [code] = (await once(workers, "exit")) as [number | null];
    assert.equal(code, 0);
    await client.close();
  } finally {
    workers?.kill("SIGKILL");
    scheduler.kill("SIGKILL");
    await waitFor(() => scheduler.exitCode !== null || scheduler.signalCode !== null, 5000, "scheduler exit");
    await rm(dir, { recursive: true, force: true });
  }
  await assertNoLeaks(before);
});
