// The README's by-hand cluster: `tessera scheduler` (no secret given → ~/.tessera/secret, 0600),
// two `tessera worker HOST:PORT` processes (one declaring --resources, one bound with --interface),
// and a Client; plus every global flag: --version, --log-level, --log-format, and refusals.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI_MAIN, runCli } from "../fixtures/cluster.js";
import { Client, Security } from "../../src/index.js";

interface Proc {
  child: ChildProcess;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { env: { ...process.env, TESSERA_LOG_LEVEL: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const p: Proc = { child, stdout: "", stderr: "" };
  child.stdout!.on("data", (d: Buffer) => (p.stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (p.stderr += d.toString()));
  return p;
}

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once("exit", r));
  p.child.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
}

test("scheduler + two workers + a client by hand, as in the README", async () => {
  const home = await mkdtemp(join(tmpdir(), "tessera-byhand-"));
  const env = { HOME: home, TESSERA_SECRET: "", TESSERA_SECRET_FILE: "" };
  const procs: Proc[] = [];
  try {
    const sched = start(["scheduler", "--port", "0", "--dashboard-address", "127.0.0.1:0", "--log-format", "pretty"], env);
    procs.push(sched);
    await until(() => /^tcp:\/\/\S+\n/.test(sched.stdout) && /dashboard at/.test(sched.stderr), "the scheduler's address");
    const address = sched.stdout.trim();
    const secretFile = join(home, ".tessera", "secret");
    assert.match(sched.stderr, new RegExp(`created a new secret in ${secretFile.replace(/[.]/g, "\\.")} \\(mode 0600\\)`));
    assert.equal((await stat(secretFile)).mode & 0o777, 0o600);
    assert.match(sched.stderr, /\d\d:\d\d:\d\d\.\d{3} INFO  tessera\.scheduler: scheduler listening/, "readable log lines with --log-format pretty");
    assert.match(sched.stderr, /dashboard at http:\/\/127\.0\.0\.1:\d+\/status/);

    const hostPort = address.replace("tcp://", ""); // host:port without tcp:// is accepted
    const gpu = start(["worker", hostPort, "--name", "gpu", "--nthreads", "1", "--no-nanny", "--secret-file", secretFile, "--resources", "GPU=1", "--log-format", "json", "--log-level", "info"], env);
    const cpu = start(["worker", hostPort, "--name", "cpu", "--nthreads", "1", "--no-nanny", "--secret-file", secretFile, "--interface", "lo", "--log-level=warn"], env);
    procs.push(gpu, cpu);

    const client = await Client.connect(hostPort, { security: await Security.fromSecretFile(secretFile), setAsDefault: false });
    try {
      await client.waitForWorkers(2, { timeoutMs: 20_000 });
      assert.equal(await client.submit((x: number) => x * x, 7), 49);
      const info = await client.schedulerInfo();
      const byName = new Map(info.workers.map((w) => [w.name, w]));
      // --interface lo: the worker listens on lo's address.
      assert.match(byName.get("cpu")!.address, /^tcp:\/\/127\.0\.0\.1:/);
      // --resources: tasks asking for a GPU run only on the worker that has one.
      const pids = await client.gather(client.mapWith({ resources: { GPU: 1 }, pure: false }, (i: number) => process.pid + 0 * i, [1, 2, 3, 4, 5, 6]));
      assert.deepEqual(new Set(pids), new Set([byName.get("gpu")!.pid]));
      // A task asking for what no worker has waits (it is not placed anywhere).
      const never = client.submitWith({ resources: { TPU: 1 } }, () => 1);
      const w = await client.wait([never], { returnWhen: "FIRST_COMPLETED", timeoutMs: 300 }).catch((e: Error) => e);
      assert.ok(w instanceof Error && /not done after 300 ms/.test(w.message));
      await never.cancel();
    } finally {
      await client.close();
    }
    // JSON logs when asked, one `name` key per line; pretty/JSON are chosen per process.
    const jsonLine = gpu.stderr.split("\n").find((l) => l.includes("worker registered"));
    assert.ok(jsonLine, `worker log: ${gpu.stderr}`);
    const parsed = JSON.parse(jsonLine) as Record<string, unknown>;
    assert.equal(parsed["name"], "tessera.worker");
    assert.equal((jsonLine.match(/"name":/g) ?? []).length, 1);
    assert.doesNotMatch(cpu.stderr, /worker registered/, "--log-level=warn hides info lines");
    assert.match(sched.stderr, /worker registered worker=tcp:\/\/\S+ workerName=gpu nthreads=1/);
  } finally {
    for (const p of procs.reverse()) await stop(p);
    await rm(home, { recursive: true, force: true });
  }
});

test("--secret-file reads or creates exactly PATH, shared by scheduler and workers", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tessera-secret-"));
  const file = join(dir, "sub", "my.secret");
  const procs: Proc[] = [];
  try {
    const s1 = start(["scheduler", "--port", "0", "--no-dashboard", "--secret-file", file], {});
    procs.push(s1);
    await until(() => s1.stdout.includes("tcp://"), "scheduler 1");
    // stderr and stdout are separate pipes: the log line may arrive after the address
    await until(() => /created a new secret in .*my\.secret/.test(s1.stderr), `scheduler 1 says it created the secret (stderr: ${s1.stderr})`);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const secret = await readFile(file, "utf8");
    await stop(s1);
    const s2 = start(["scheduler", "--port", "0", "--no-dashboard", "--secret-file", file], {});
    procs.push(s2);
    await until(() => s2.stdout.includes("tcp://"), "scheduler 2");
    await until(() => /using the secret in .*my\.secret/.test(s2.stderr), `scheduler 2 says it uses the secret (stderr: ${s2.stderr})`);
    assert.equal(await readFile(file, "utf8"), secret);
  } finally {
    for (const p of procs) await stop(p);
    await rm(dir, { recursive: true, force: true });
  }
});

test("--version, global flags and refusals", async () => {
  const pkg = JSON.parse(await readFile(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  for (const args of [["--version"], ["scheduler", "--version"], ["worker", "--version"]]) {
    const r = await runCli(args);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `tessera ${pkg.version}\n`);
  }
  const cases: [string[], RegExp][] = [
    [["--log-level", "loud", "scheduler"], /--log-level 'loud' is not a log level; use one of fatal, error, warn, info, debug, trace, silent/],
    [["scheduler", "--log-format", "xml"], /--log-format 'xml' is not one of pretty, json/],
    [["scheduler", "--log-level"], /--log-level needs a value/],
    [["pi", "--chunk", "0"], /--chunk: 0 bytes is too small/],
    [["scheduler", "--dashbord-address", ":0"], /unknown option '--dashbord-address'/],
    [["scheduler", "--no-dashboard", "--dashboard-address", ":0"], /both given/],
    [["worker", "tcp://127.0.0.1:1", "--interface", "no-such-if0", "--secret-file", "/nonexistent"], /no network interface 'no-such-if0'.*interfaces here: .*lo/],
    [["worker", "tcp://127.0.0.1:1", "--interface", "lo", "--host", "127.0.0.1"], /--host and --interface are both given/],
  ];
  // A scheduler that got past its flags would create ~/.tessera/secret: keep HOME private.
  const home = await mkdtemp(join(tmpdir(), "tessera-flags-"));
  for (const [args, msg] of cases) {
    // Generous: importing the pi command (arrays, clusters) is slow on a loaded machine.
    const r = await runCli(args, { env: { HOME: home, TESSERA_SECRET: "", TESSERA_SECRET_FILE: "" }, timeoutMs: 60_000 });
    assert.equal(r.code, 2, `tessera ${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, msg);
  }
  await rm(home, { recursive: true, force: true });
});
