/**
 * Throughput of the scheduler's IO-free state machine alone (no sockets): simulated workers finish
 * every task handed to them, in batches, as the real ones do. Measures scheduler-side cost per task
 * for a wide map and for a tree reduction on many workers, and heap bytes per held task.
 *
 *   node dist/bench/scheduler-state.js
 */
import { SchedulerState } from "../src/scheduler/state.js";
import type { ComputeTasksMsg, WireTask } from "../src/protocol/messages.js";

function run(nWorkers: number, threads: number, tasks: WireTask[], wanted: string[]): { seconds: number; rounds: number } {
  const s = new SchedulerState();
  for (let i = 0; i < nWorkers; i++) {
    s.addWorker({ op: "register-worker", address: `w${i}`, name: `w${i}`, nthreads: threads, memoryLimit: 4e9, pid: i, host: "h", metadata: {}, keys: [] });
  }
  const t0 = performance.now();
  s.updateGraph("c", { op: "update-graph", tasks, wanted });
  let rounds = 0;
  for (;;) {
    const out = s.flush();
    let any = false;
    for (const ins of out) {
      if (ins.to !== "worker" || ins.msg.op !== "compute-tasks") continue;
      any = true;
      const done = (ins.msg as ComputeTasksMsg).tasks.map((t) => ({ key: t.key, nbytes: 8, type: "number", duration: 0.0001, start: 0 }));
      s.taskFinished(ins.address, done);
    }
    rounds++;
    if (!any) break;
  }
  const seconds = (performance.now() - t0) / 1000;
  s.clientReleasesKeys("c", wanted);
  if (s.tasks.size !== 0) throw new Error(`${s.tasks.size} tasks left after release`);
  return { seconds, rounds };
}

function mapTasks(n: number): WireTask[] {
  return Array.from({ length: n }, (_, i) => ({ key: `inc-abc-${i}`, op: "inc", args: [i] }));
}

function treeTasks(leaves: number): { tasks: WireTask[]; root: string } {
  const tasks: WireTask[] = [];
  let level = Array.from({ length: leaves }, (_, i) => {
    tasks.push({ key: `leaf-x:${i}`, op: "leaf", args: [i] });
    return `leaf-x:${i}`;
  });
  let depth = 0;
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 4) {
      const deps = level.slice(i, i + 4);
      const key = `sum-${depth}:${i / 4}`;
      tasks.push({ key, op: "sum", args: deps.map((d) => ({ $ref: d })), deps });
      next.push(key);
    }
    level = next;
    depth++;
  }
  return { tasks, root: level[0]! };
}

function heapPerTask(n: number): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return NaN;
  const s = new SchedulerState();
  s.addWorker({ op: "register-worker", address: "w", name: "w", nthreads: 1, memoryLimit: 4e9, pid: 1, host: "h", metadata: {}, keys: [] });
  const tasks = mapTasks(n);
  const wanted = tasks.map((t) => t.key);
  gc();
  const before = process.memoryUsage().heapUsed;
  s.updateGraph("c", { op: "update-graph", tasks, wanted });
  gc();
  const after = process.memoryUsage().heapUsed;
  // The wire tasks are kept alive by the test (and by the scheduler: it keeps args for recompute).
  return (after - before) / n;
}

const N = 200_000;
const map = run(100, 4, mapTasks(N), mapTasks(N).map((t) => t.key));
console.log(`map: ${N} tasks on 100 workers × 4 threads in ${map.seconds.toFixed(2)} s → ${(N / map.seconds).toFixed(0)} tasks/s (${map.rounds} rounds)`);
const tree = treeTasks(65_536);
const tr = run(200, 2, tree.tasks, [tree.root]);
console.log(`tree reduction: ${tree.tasks.length} tasks on 200 workers × 2 threads in ${tr.seconds.toFixed(2)} s → ${(tree.tasks.length / tr.seconds).toFixed(0)} tasks/s`);
const bytes = heapPerTask(N);
console.log(Number.isNaN(bytes) ? "heap per task: run with node --expose-gc to measure" : `scheduler heap per waiting task: ${bytes.toFixed(0)} B`);
console.log(JSON.stringify({ mapTasksPerSec: Math.round(N / map.seconds), treeTasksPerSec: Math.round(tree.tasks.length / tr.seconds), heapBytesPerTask: Number.isNaN(bytes) ? null : Math.round(bytes) }));
