#!/usr/bin/env node
/**
 * The kernel process Jupyter starts: `node dist/src/notebook/kernel/main.js CONNECTION_FILE` (the
 * kernelspec written by `tessera kernel install` says so).
 */
import { Kernel, readConnectionFile } from "./kernel.js";

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: node main.js CONNECTION_FILE (Jupyter passes it; see `tessera kernel install`)\n");
  process.exit(2);
}
const kernel = new Kernel(readConnectionFile(file));
await kernel.start();
// SIGTERM (Jupyter's second try at stopping a kernel): close clusters, then go. SIGINT is not an
// interrupt here (interrupt_mode is "message"); it ends the kernel like any Node.js process.
process.on("SIGTERM", () => {
  void kernel.shutdown().finally(() => process.exit(0));
});
// Jupyter names its own pid: when the server is gone (killed, its node rebooted), close the
// notebook's clusters and leave instead of holding batch jobs for nobody.
const parent = Number(process.env["JPY_PARENT_PID"] ?? 0);
if (parent > 1) {
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      void kernel.shutdown().finally(() => process.exit(0));
    }
  }, 3000).unref();
}
process.on("unhandledRejection", (err) => {
  process.stderr.write(`tessera kernel: unhandled rejection: ${err instanceof Error ? err.stack : String(err)}\n`);
});
