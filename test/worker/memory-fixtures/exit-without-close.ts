// Creates a worker's memory management in argv[2], spills, prints the spill directory, and exits
// without closing: the exit hook must remove the files.
import { createWorkerMemory } from "../../../src/worker/memory/index.js";
import { SpillableStore } from "../../../src/worker/memory/spillable-store.js";

const mem = createWorkerMemory({ memoryLimitBytes: 1e6, localDirectory: process.argv[2]! });
const store = mem.store as SpillableStore;
for (let i = 0; i < 20; i++) store.set(`k${i}`, new Float64Array(10_000)); // 80 kB each, 1.6 MB > 600 kB target
await store.evict(0);
while (store.spilledCount === 0) await new Promise((r) => setTimeout(r, 5));
console.log(store.directory);
process.exit(0);
