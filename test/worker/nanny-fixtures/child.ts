// A stand-in worker for the nanny tests. Behaviour from argv[2]:
//   crash-until N  — exit with code 1 while TESSERA_NANNY_RESTARTS < N, then exit 0
//   always-crash   — exit with code 1 at once
//   serve FILE     — write "pid restarts" to FILE and wait; on SIGTERM append "graceful" and exit 0
//   restart-once   — exit with 75 (asks for a restart) on the first run, then exit 0
//   spill DIR FILE — spill a value under DIR, write "ready" to FILE and wait
//   hog MB         — allocate MB megabytes (touching every page) and wait; once restarted, exit 0
import { appendFileSync, writeFileSync } from "node:fs";

const mode = process.argv[2];
const restarts = Number(process.env.TESSERA_NANNY_RESTARTS ?? "-1");
if (mode === "crash-until") process.exit(restarts < Number(process.argv[3]) ? 1 : 0);
else if (mode === "always-crash") process.exit(1);
else if (mode === "restart-once") process.exit(restarts === 0 ? 75 : 0);
else if (mode === "serve") {
  const file = process.argv[3]!;
  const keepAlive = setInterval(() => {}, 1000);
  // The handler goes in before the file announces this process: the test may send SIGTERM as soon as
  // it reads the file, and without a handler SIGTERM kills at once.
  process.on("SIGTERM", () => {
    appendFileSync(file, "graceful\n");
    clearInterval(keepAlive);
    process.exit(0);
  });
  writeFileSync(file, `${process.pid} ${restarts}\n`);
} else if (mode === "spill") {
  // Spill a value into argv[3] (a --local-directory), report "ready" in argv[4], then wait to be killed.
  const { SpillableStore } = await import("../../../src/worker/memory/spillable-store.js");
  const store = new SpillableStore({ directory: process.argv[3]! });
  store.set("x", new Float64Array(1000).fill(1));
  await store.evict(1);
  writeFileSync(process.argv[4]!, "ready\n");
  setInterval(() => void store.size, 1000);
} else if (mode === "hog") {
  if (restarts > 0) process.exit(0);
  const bufs: Buffer[] = [];
  for (let i = 0; i < Number(process.argv[3]); i++) bufs.push(Buffer.alloc(1024 * 1024, 1));
  setInterval(() => void bufs.length, 1000);
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
