// Workers retiring by --lifetime with a gap before their replacements join (as with SLURM, where a
// replacement job takes a second or two): the last worker holds the results until a new one joins,
// so the computation advances across generations of workers instead of restarting each time.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { startCli, withCluster } from "../fixtures/cluster.js";

/** One task: 100 ms of a thread's time, then its input back. */
const slow = (i: number) => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  return i;
};

test("--lifetime with a gap before replacements join: results survive the gap and the computation finishes", async () => {
  await withCluster({ nWorkers: 0 }, async ({ cluster, client }) => {
    const state = cluster.scheduler.state;
    // Two one-worker "jobs", each replaced 1 s after it ends (so both are often gone at once).
    const args = ["worker", cluster.schedulerAddress, "--nthreads", "1", "--no-nanny", "--lifetime", "2s", "--lifetime-stagger", "0.5s", "--death-timeout", "5"];
    const live = new Set<ChildProcess>();
    let replacing = true;
    let started = 0;
    const respawns = new Set<NodeJS.Timeout>();
    const launch = () => {
      const child = startCli(args, { TESSERA_SECRET: cluster.security.secret });
      started++;
      child.stdout?.resume();
      live.add(child);
      child.once("exit", () => {
        live.delete(child);
        if (!replacing) return;
        const t = setTimeout(() => {
          respawns.delete(t);
          if (replacing) launch();
        }, 1000);
        respawns.add(t);
      });
    };
    let gaps = 0;
    let computing = true;
    let hadWorkers = false;
    const watch = setInterval(() => {
      if (!computing) return;
      // A gap: every worker left, if any, is retiring.
      if ([...state.workers.values()].some((w) => !state.retiring.has(w))) hadWorkers = true;
      else if (hadWorkers) {
        hadWorkers = false;
        gaps++;
      }
    }, 10);
    try {
      launch();
      launch();
      await client.waitForWorkers(2, { timeoutMs: 10_000 });
      // 6 s of thread time: about three lifetimes of the two one-thread workers.
      const n = 60;
      const futures = client.map(slow, Array.from({ length: n }, (_, i) => i));
      const total = client.submit((...xs: number[]) => xs.reduce((a, b) => a + b, 0), ...futures);
      const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 25_000).unref());
      const value = await Promise.race([total, timeout]);
      computing = false;
      assert.notEqual(value, "timeout", `not finished in 25 s (6 s of work); ${gaps} gaps with only retiring workers, ${started} workers started`);
      assert.equal(value, (n * (n - 1)) / 2);
      assert.ok(gaps >= 1, `the scenario needs a moment with no worker but retiring ones while computing (gaps: ${gaps})`);
      assert.equal(state.counters.workersLost, 0, "every worker left gracefully");
    } finally {
      computing = false;
      replacing = false;
      clearInterval(watch);
      for (const t of respawns) clearTimeout(t);
      const exits = [...live].map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once("exit", r))));
      for (const c of live) c.kill("SIGKILL");
      await Promise.all(exits);
    }
  });
});
