import { test } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../fixtures/cluster.js";

const NO_SECRET = { TESSERA_SECRET: "", TESSERA_SECRET_FILE: "" };

test("tessera --help lists the commands; unknown commands are named", async () => {
  const help = await runCli(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /worker[\s\S]*scheduler/);
  const bad = await runCli(["frobnicate"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown command 'frobnicate'/);
});

test("tessera worker: unknown flags, bad addresses, bad sizes and a missing secret give clear errors", async () => {
  const flag = await runCli(["worker", "tcp://127.0.0.1:8786", "--bogus"], { env: NO_SECRET });
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /unknown option '--bogus'/);
  const addr = await runCli(["worker", "not-an-address"], { env: NO_SECRET });
  assert.equal(addr.code, 2);
  assert.match(addr.stderr, /'not-an-address' is not a scheduler address; use tcp:\/\/HOST:PORT/);
  const size = await runCli(["worker", "tcp://127.0.0.1:8786", "--memory-limit", "12XB"], { env: NO_SECRET });
  assert.equal(size.code, 2);
  assert.match(size.stderr, /12XB/);
  const secret = await runCli(["worker", "tcp://127.0.0.1:8786"], { env: NO_SECRET });
  assert.equal(secret.code, 2);
  assert.match(secret.stderr, /no cluster secret/);
  const help = await runCli(["worker", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--death-timeout/);
});

test("tessera scheduler: bad options give clear errors", async () => {
  const port = await runCli(["scheduler", "--port", "http"], { env: NO_SECRET });
  assert.equal(port.code, 2);
  assert.match(port.stderr, /--port 'http' is not a port number/);
  const flag = await runCli(["scheduler", "--dashbord-address", ":8787"], { env: NO_SECRET });
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /unknown option '--dashbord-address'; valid options: .*--dashboard-address/);
  const dir = await mkdtemp(join(tmpdir(), "tessera-cli-"));
  try {
    const file = join(dir, "open.secret");
    await writeFile(file, "x".repeat(64), { mode: 0o644 });
    await chmod(file, 0o644);
    const secret = await runCli(["scheduler", "--port", "0", "--secret-file", file], { env: NO_SECRET });
    assert.equal(secret.code, 2);
    assert.match(secret.stderr, /open\.secret/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
