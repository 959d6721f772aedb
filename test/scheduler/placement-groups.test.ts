// Root tasks read together by a few small dependents (tiles read by the rows of a rechunk) go to
// one worker, so the rows find their tiles local; a block broadcast to every task does not pull
// the others to its worker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { computed, finish, newState, task, worker } from "./helpers.js";
import { rangeRef } from "../../src/graph/range-ref.js";

function placeAll(s: ReturnType<typeof newState>, prefix: string, count: number): Map<string, string> {
  const placed = new Map<string, string>();
  const record = (out: Record<string, string[]>) => {
    for (const [w, keys] of Object.entries(out)) for (const k of keys) placed.set(k, w);
  };
  record(computed(s.flush()));
  for (let round = 0; [...placed.keys()].filter((k) => k.startsWith(prefix)).length < count && round < 40; round++) {
    for (const w of ["w1", "w2"]) {
      const mine = [...placed].filter(([k, on]) => on === w && s.tasks.get(k)!.state === "processing").map(([k]) => k);
      if (mine.length > 0) finish(s, w, mine.slice(0, 1), 8, 0.5);
    }
    record(computed(s.flush()));
  }
  return placed;
}

test("tiles read by the same rows go to one worker, tile rows spread over the workers", () => {
  const s = newState();
  s.addWorker(worker("w1"));
  s.addWorker(worker("w2"));
  // 4 × 4 tiles; each tile row is read by 3 output rows (a rechunk to full rows).
  const tiles = Array.from({ length: 16 }, (_, i) => task(`t-${Math.floor(i / 4)}-${i % 4}`));
  const rows = Array.from({ length: 12 }, (_, j) => task(`row-${j}`, [0, 1, 2, 3].map((c) => `t-${Math.floor(j / 3)}-${c}`)));
  s.updateGraph("c", { op: "update-graph", tasks: [...tiles, ...rows], wanted: rows.map((r) => r.key) });
  const placed = placeAll(s, "t-", 16);
  const workersOfRow = (r: number) => new Set([0, 1, 2, 3].map((c) => placed.get(`t-${r}-${c}`)));
  for (let r = 0; r < 4; r++) assert.equal(workersOfRow(r).size, 1, `tile row ${r} on one worker`);
  const used = new Set([0, 1, 2, 3].map((r) => placed.get(`t-${r}-0`)));
  assert.equal(used.size, 2, "tile rows on both workers");
});

test("a block broadcast to every task does not pull the others to its worker", () => {
  const s = newState();
  s.addWorker(worker("w1"));
  s.addWorker(worker("w2"));
  const xs = Array.from({ length: 20 }, (_, i) => task(`x-${i}`));
  const adds = xs.map((x, i) => task(`add-${i}`, [x.key, "y"]));
  s.updateGraph("c", { op: "update-graph", tasks: [task("y"), ...xs, ...adds], wanted: adds.map((a) => a.key) });
  const placed = placeAll(s, "x-", 20);
  const counts = new Map<string, number>();
  for (const [k, w] of placed) if (k.startsWith("x-")) counts.set(w, (counts.get(w) ?? 0) + 1);
  assert.ok([...counts.values()].every((n) => n >= 5) && counts.size === 2, `x blocks spread over both workers: ${JSON.stringify([...counts])}`);
});

test("readers of small ranges of every block spread over the workers (they fetch the ranges, not the blocks)", () => {
  const s = newState();
  s.addWorker(worker("w1"));
  s.addWorker(worker("w2"));
  const blockBytes = 1_000_000_000;
  // 3 blocks on w1, 2 on w2 (as a random array's blocks end up): w1 holds more of every reader's inputs.
  const blocks = Array.from({ length: 5 }, (_, i) => task(`b-${i}`, [], { workers: [i < 3 ? "w1" : "w2"] }));
  // Each piece reader takes 1/32 of every block through a range reference (a rechunk's assemble task).
  const pieces = Array.from({ length: 16 }, (_, j) =>
    task(`piece-${j}`, blocks.map((b) => b.key), { args: blocks.map((b) => rangeRef(b.key, j * 3_906_250, 3_906_250, 8)) }),
  );
  s.updateGraph("c", { op: "update-graph", tasks: [...blocks, ...pieces], wanted: pieces.map((p) => p.key) });
  const first = computed(s.flush());
  for (const [w, keys] of Object.entries(first)) finish(s, w, keys.filter((k) => k.startsWith("b-")), blockBytes, 0.5);
  const placed = computed(s.flush());
  const counts = Object.fromEntries(Object.entries(placed).map(([w, keys]) => [w, keys.filter((k) => k.startsWith("piece-")).length]));
  const holders = Object.fromEntries(Object.entries(first).map(([w, keys]) => [w, keys.length]));
  assert.deepEqual(holders, { w1: 3, w2: 2 });
  assert.ok((counts["w1"] ?? 0) >= 4 && (counts["w2"] ?? 0) >= 4, `pieces on both workers: ${JSON.stringify(counts)}`);
});

test("siblings of one reduction step share the workers when the layer has fewer groups than workers; whole groups stay together otherwise", () => {
  {
    // 16 blocks summed by one aggregate: co-assigning them all would leave w2 idle
    const s = newState();
    s.addWorker(worker("w1"));
    s.addWorker(worker("w2"));
    const parts = Array.from({ length: 16 }, (_, i) => task(`p-${i}`));
    const agg = task("agg", parts.map((p) => p.key));
    s.updateGraph("c", { op: "update-graph", tasks: [...parts, agg], wanted: ["agg"] });
    const placed = placeAll(s, "p-", 16);
    const counts = new Map<string, number>();
    for (const [k, w] of placed) if (k.startsWith("p-")) counts.set(w, (counts.get(w) ?? 0) + 1);
    assert.deepEqual([...counts.values()].sort(), [8, 8], `one group split by threads: ${JSON.stringify([...counts])}`);
  }
  {
    // 4 groups of 16 (a tree reduction's first level): each group on one worker, groups on both
    const s = newState();
    s.addWorker(worker("w1"));
    s.addWorker(worker("w2"));
    const parts = Array.from({ length: 64 }, (_, i) => task(`q-${i}`));
    const steps = Array.from({ length: 4 }, (_, g) => task(`cmb-${g}`, parts.slice(16 * g, 16 * g + 16).map((p) => p.key)));
    s.updateGraph("c", { op: "update-graph", tasks: [...parts, ...steps], wanted: steps.map((t) => t.key) });
    const placed = placeAll(s, "q-", 64);
    const groupWorkers = [0, 1, 2, 3].map((g) => new Set(parts.slice(16 * g, 16 * g + 16).map((p) => placed.get(p.key))));
    for (const [g, ws] of groupWorkers.entries()) assert.equal(ws.size, 1, `group ${g} on one worker`);
    assert.equal(new Set(groupWorkers.map((ws) => [...ws][0])).size, 2, "groups on both workers");
  }
});
