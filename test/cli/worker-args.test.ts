import { test } from "node:test";
import assert from "node:assert/strict";
import { parseWorkerArgs, parseSchedulerAddress, parseResources } from "../../src/cli/worker-args.js";

const machine = { cores: 8, memoryBytes: 64e9 };

test("the job-script command line as dask-jobqueue writes it", () => {
  const o = parseWorkerArgs(
    "tcp://10.1.2.3:41234 --name dummy-name --nthreads 4 --memory-limit 55.88GiB --nworkers 2 --nanny --death-timeout 60 --local-directory /tmp/x".split(" "),
    machine,
  );
  assert.deepEqual(o, {
    schedulerAddress: "tcp://10.1.2.3:41234",
    name: "dummy-name",
    nthreads: 4,
    memoryLimit: Math.floor(55.88 * 2 ** 30),
    nworkers: 2,
    nanny: true,
    deathTimeoutS: 60,
    localDirectory: "/tmp/x",
    lifetimeS: undefined,
    lifetimeStaggerS: 0,
    lifetimeRestart: false,
    host: undefined,
    interface: undefined,
    secretFile: undefined,
    protocol: "tcp",
    resources: {},
  });
});

test("defaults, lifetime, tls and resources", () => {
  const d = parseWorkerArgs(["127.0.0.1:8786"], machine);
  assert.equal(d.schedulerAddress, "tcp://127.0.0.1:8786");
  assert.equal(d.nthreads, 8);
  assert.equal(d.memoryLimit, 64e9);
  assert.equal(d.nanny, true);
  assert.equal(d.deathTimeoutS, undefined);
  const two = parseWorkerArgs(["tcp://h:1", "--nworkers=2", "--memory-limit", "auto"], machine);
  assert.equal(two.nthreads, 4);
  assert.equal(two.memoryLimit, 32e9);
  const o = parseWorkerArgs(
    ["tls://[::1]:9000", "--no-nanny", "--lifetime", "55m", "--lifetime-stagger", "4m", "--lifetime-restart", "--memory-limit", "0",
      "--resources", "GPU=2 MEM=10e9", "--secret-file", "/run/s", "--interface", "ib0", "--host", "node1"],
    machine,
  );
  assert.equal(o.schedulerAddress, "tls://[::1]:9000");
  assert.equal(o.protocol, "tls");
  assert.equal(o.nanny, false);
  assert.equal(o.lifetimeS, 3300);
  assert.equal(o.lifetimeStaggerS, 240);
  assert.equal(o.lifetimeRestart, true);
  assert.equal(o.memoryLimit, 0);
  assert.deepEqual(o.resources, { GPU: 2, MEM: 10e9 });
  assert.equal(o.secretFile, "/run/s");
  assert.equal(parseWorkerArgs(["h:5", "--protocol", "tls"], machine).schedulerAddress, "tls://h:5");
});

test("bad input gets an error naming it and saying what to do", () => {
  const bad: Array<[string[], RegExp]> = [
    [["tcp://h:1", "--bogus"], /unknown option '--bogus' for tessera worker; valid options: --name, --nthreads, .*--memory-limit/],
    [[], /missing the scheduler address/],
    [["a:1", "b:2"], /expected one scheduler address, got 2/],
    [["http://h:1"], /unsupported protocol 'http:\/\/'/],
    [["tcp://h"], /'tcp:\/\/h' is not a scheduler address; use tcp:\/\/HOST:PORT/],
    [["tcp://h:70000"], /port 70000 is out of range/],
    [["tcp://h:1", "--nthreads", "two"], /--nthreads: 'two' is not a whole number ≥ 1/],
    [["tcp://h:1", "--nthreads", "0"], /--nthreads: '0' is not a whole number/],
    [["tcp://h:1", "--nworkers", "1.5"], /--nworkers: '1.5'/],
    [["tcp://h:1", "--memory-limit", "12XB"], /--memory-limit: '12XB' is not a size .*'auto' or 0 for no limit/],
    [["tcp://h:1", "--death-timeout", "soon"], /--death-timeout: 'soon' is not a duration/],
    [["tcp://h:1", "--nanny", "--no-nanny"], /both given/],
    [["tcp://h:1", "--lifetime-restart"], /--lifetime-restart needs --lifetime/],
    [["tcp://h:1", "--lifetime-stagger", "4m"], /--lifetime-stagger needs --lifetime/],
    [["tcp://h:1", "--protocol", "udp"], /--protocol: 'udp' is not tcp or tls/],
    [["tcp://h:1", "--protocol", "tls"], /contradicts the scheduler address/],
    [["tcp://h:1", "--resources", "GPU"], /--resources: 'GPU' is not NAME=NUMBER/],
    [["tcp://h:1", "--name"], /tessera worker: .*--name/],
    [["tcp://h:1", "--name", ""], /--name is empty/],
  ];
  for (const [argv, re] of bad) assert.throws(() => parseWorkerArgs(argv, machine), re, argv.join(" "));
});

test("address and resource helpers", () => {
  assert.deepEqual(parseSchedulerAddress("tcp://node-01.cluster:8786"), { address: "tcp://node-01.cluster:8786", protocol: "tcp", host: "node-01.cluster", port: 8786 });
  assert.deepEqual(parseResources("a=1,b=2.5"), { a: 1, b: 2.5 });
});
