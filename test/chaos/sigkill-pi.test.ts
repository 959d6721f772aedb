// SIGKILL a worker five times during a Monte-Carlo π: the nannies restart the workers, the
// scheduler reschedules their tasks and recomputes lost results, and the answer is the same π, bit
// for bit, as an undisturbed run (the random numbers depend only on the seed and their index).
import { test } from "node:test";
import assert from "node:assert/strict";
import { random } from "../../src/array/index.js";
import type { Client } from "../../src/client/client.js";
import { liveWorkers, restartsSeen, sleep, waitFor, withNannyCluster } from "./helpers.js";

/** 10 GB of float64 random numbers in 50 MB chunks (200 tasks), as in the tutorial but smaller chunks. */
const GB = 10;
const CHUNK_BYTES = 50e6;

function pi(client: Client): Promise<number> {
  const rows = Math.floor((GB * 1e9) / 8 / 2);
  const chunkRows = Math.floor(CHUNK_BYTES / 8 / 2);
  const xy = random.uniform(0, 1, { shape: [rows, 2], chunks: [chunkRows, 2], seed: 2026 });
  return xy.pow(2).sum({ axis: -1 }).lt(1).mean().mul(4).compute({ executor: client }) as Promise<number>;
}

test("SIGKILL a worker 5 times during a 10 GB Monte-Carlo π: the same π bit for bit", async () => {
  await withNannyCluster({}, async ({ cluster, client }) => {
    const t0 = performance.now();
    const reference = await pi(client);
    const undisturbedS = (performance.now() - t0) / 1000;
    assert.ok(Math.abs(reference - Math.PI) < 1e-3, `π ≈ ${reference}`);

    let finished = false;
    const disturbed = pi(client).finally(() => (finished = true));
    const killed: string[] = [];
    const state = cluster.scheduler.state;
    while (killed.length < 5 && !finished) {
      // Both workers registered (the last victim restarted) and one of them busy: kill it.
      await waitFor(() => finished || (liveWorkers(cluster).size === 2 && [...liveWorkers(cluster).values()].some((w) => w.processing > 0)), 30_000, "two workers, one busy");
      if (finished) break;
      const busy = [...liveWorkers(cluster)].filter(([, w]) => w.processing > 0);
      const [address, victim] = busy[killed.length % busy.length]!;
      process.kill(victim.pid, "SIGKILL");
      killed.push(`${victim.name} (pid ${victim.pid})`);
      await waitFor(() => !state.workers.has(address), 5_000, "the scheduler to notice the kill");
      await sleep(100);
    }
    const value = await disturbed;
    assert.equal(killed.length, 5, `the computation (undisturbed ${undisturbedS.toFixed(1)} s) ended after ${killed.length} kills: ${killed.join(", ")}`);
    assert.ok(Object.is(value, reference), `disturbed ${value} vs undisturbed ${reference}`);
    assert.equal(state.counters.workersLost, 5);
    // The nannies restarted every victim; the scheduler's worker view shows the restarts.
    await waitFor(() => liveWorkers(cluster).size === 2 && restartsSeen(cluster) === 5, 10_000, "the restarted workers to register");
    const events = cluster.nannyEvents();
    assert.equal(events.filter((e) => e.type === "restarting").length, 5);
    assert.equal(events.filter((e) => e.type === "memory-kill").length, 0);
  });
});
