import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Nanny, type NannyEvent } from "../../src/worker/nanny.js";
import { decideRestart, defaultRestartPolicy, RESTART_EXIT_CODE, type RestartPolicy } from "../../src/worker/restart-policy.js";

const entry = fileURLToPath(new URL("./nanny-fixtures/child.js", import.meta.url));
const fast: RestartPolicy = { maxRestarts: 3, windowS: 60, initialBackoffS: 0, maxBackoffS: 0.05 };

test("restart policy: clean exit stops, crash restarts with backoff, too many crashes give up", () => {
  const p: RestartPolicy = { maxRestarts: 3, windowS: 10, initialBackoffS: 0, maxBackoffS: 1 };
  const at = (now: number, code: number | null, signal: string | null = null, stopping = false) => ({ now, code, signal, stopping });
  assert.deepEqual(decideRestart(at(0, 0), [], p), { action: "stop", reason: "worker exited cleanly (code 0)" });
  assert.equal(decideRestart(at(0, 1, null, true), [], p).action, "stop");
  assert.deepEqual(decideRestart(at(0, RESTART_EXIT_CODE), [1, 2, 3, 4], p), { action: "restart", delayS: 0, counted: false, reason: "worker asked to be restarted" });
  assert.deepEqual(decideRestart(at(100, null, "SIGKILL"), [], p), { action: "restart", delayS: 0, counted: true, reason: "worker killed by SIGKILL" });
  assert.deepEqual(decideRestart(at(100, 1), [99], p), { action: "restart", delayS: 0.1, counted: true, reason: "worker exited with code 1" });
  assert.equal((decideRestart(at(100, 1), [98, 99], p) as { delayS: number }).delayS, 0.2);
  const gave = decideRestart(at(100, 1), [95, 98, 99], p);
  assert.equal(gave.action, "stop");
  assert.match(gave.reason, /already failed 3 times in the last 10 s, giving up/);
  // Old failures fall out of the window.
  assert.equal(decideRestart(at(100, 1), [1, 2, 3], p).action, "restart");
  assert.ok(defaultRestartPolicy.maxRestarts > 0);
  assert.equal((decideRestart(at(100, 1), [91, 92, 93, 94, 95, 96, 97, 98, 99], { ...p, maxRestarts: 100 }) as { delayS: number }).delayS, 1, "backoff capped");
});

test("a crashing worker is restarted with its restart count until it exits cleanly", async () => {
  const events: NannyEvent[] = [];
  const n = Nanny.start({ entry, args: ["crash-until", "2"], policy: fast, onEvent: (e) => events.push(e) });
  const reason = await n.stopped;
  assert.equal(reason, "worker exited cleanly (code 0)");
  assert.equal(n.restarts, 2);
  assert.deepEqual(events.filter((e) => e.type === "started").map((e) => e.type === "started" && e.restarts), [0, 1, 2]);
  assert.deepEqual(events.filter((e) => e.type === "restarting").map((e) => e.type === "restarting" && e.restarts), [1, 2]);
  assert.equal(events.at(-1)?.type, "stopped");
  assert.equal(n.pid, undefined);
});

test("a worker that always crashes makes the nanny give up", async () => {
  const n = Nanny.start({ entry, args: ["always-crash"], policy: fast, stdio: "ignore" });
  assert.match(await n.stopped, /already failed 3 times in the last 60 s, giving up/);
  assert.equal(n.restarts, 3);
});

test("exit code 75 asks for a restart that does not count as a failure", async () => {
  const n = Nanny.start({ entry, args: ["restart-once"], policy: { ...fast, maxRestarts: 0 } });
  assert.equal(await n.stopped, "worker exited cleanly (code 0)");
  assert.equal(n.restarts, 1);
});

test("SIGKILLed worker is restarted; stop() is graceful (SIGTERM) and ends restarts", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-nanny-"));
  try {
    const file = join(dir, "state");
    const n = Nanny.start({ entry, args: ["serve", file], policy: fast });
    const waitFor = async (pred: () => boolean) => {
      for (let i = 0; i < 500 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(pred(), "condition reached in time");
    };
    await waitFor(() => existsSync(file) && readFileSync(file, "utf8").endsWith("\n"));
    const [pid0, r0] = readFileSync(file, "utf8").trim().split(" ");
    assert.equal(r0, "0");
    assert.equal(String(n.pid), pid0);
    rmSync(file);
    process.kill(Number(pid0), "SIGKILL");
    await waitFor(() => existsSync(file) && readFileSync(file, "utf8").endsWith("\n"));
    const [pid1, r1] = readFileSync(file, "utf8").trim().split(" ");
    assert.notEqual(pid1, pid0);
    assert.equal(r1, "1");
    assert.equal(n.restarts, 1);
    const reason = await n.stop();
    assert.match(reason, /worker exited with code 0 while the nanny was stopping/);
    assert.match(readFileSync(file, "utf8"), /graceful/);
    assert.equal(n.pid, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("forwardSignals passes SIGTERM on to the worker and removes its handlers when done", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-nanny-"));
  try {
    const file = join(dir, "state");
    const n = Nanny.start({ entry, args: ["serve", file], policy: fast });
    const before = process.listenerCount("SIGTERM");
    n.forwardSignals(["SIGUSR2"]); // a signal the test runner does not use
    assert.equal(process.listenerCount("SIGUSR2"), 1);
    for (let i = 0; i < 500 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 10));
    process.kill(process.pid, "SIGUSR2");
    // SIGUSR2 handler calls stop("SIGUSR2"): the child has no handler for it and dies by signal.
    assert.match(await n.stopped, /killed by SIGUSR2 while the nanny was stopping/);
    assert.equal(process.listenerCount("SIGUSR2"), 0);
    assert.equal(process.listenerCount("SIGTERM"), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the nanny kills and restarts a worker whose memory passes the terminate line", async () => {
  const events: NannyEvent[] = [];
  // Limit 100 MB: the child allocates 200 MB, so it passes 95 % of the limit; after the restart it exits cleanly.
  const n = Nanny.start({ entry, args: ["hog", "200"], policy: fast, memory: { limitBytes: 100e6, intervalS: 0.02 }, onEvent: (e) => events.push(e) });
  assert.equal(await n.stopped, "worker exited cleanly (code 0)");
  const kill = events.find((e) => e.type === "memory-kill");
  assert.ok(kill && kill.type === "memory-kill" && kill.rssBytes > 95e6 && kill.limitBytes === 100e6, JSON.stringify(events));
  assert.ok(events.some((e) => e.type === "exited" && e.signal === "SIGKILL"));
  assert.equal(n.restarts, 1);
});

test("spill files of a worker killed hard are removed by the nanny", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tessera-nanny-spill-"));
  try {
    const ready = join(dir, "ready");
    const local = join(dir, "local");
    const n = Nanny.start({ entry, args: ["spill", local, ready], policy: { ...fast, maxRestarts: 0 }, localDirectory: local });
    for (let i = 0; i < 500 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(readdirSync(local).length, 1, "the worker made one spill directory");
    assert.equal(readdirSync(join(local, readdirSync(local)[0]!)).length, 1, "holding one spill file");
    n.kill("SIGKILL");
    assert.match(await n.stopped, /killed by SIGKILL; it already failed 0 times/);
    assert.deepEqual(readdirSync(local), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
