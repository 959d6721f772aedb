// Worker log tails from job output files (pure parsing).
import { test } from "node:test";
import assert from "node:assert/strict";
import { workerLogEntries } from "../../src/cluster/jobqueue/job-logs.js";

test("a worker's pino lines, other workers' lines dropped, plain lines kept", () => {
  const text = [
    '{"level":30,"time":1000,"pid":1,"worker":"C-0-0","name":"tessera.worker","address":"tcp://h:1","msg":"worker registered"}',
    '{"level":30,"time":1001,"pid":2,"worker":"C-0-1","name":"tessera.worker","msg":"worker registered"}',
    '{"level":40,"time":1002,"pid":1,"worker":"C-0-0","msg":"fetching inputs from a peer failed","peer":"tcp://h:2"}',
    "slurmstepd: error: *** JOB 5 ON vm CANCELLED AT 2026-11-26T06:15:54 ***",
    "",
  ].join("\n");
  const e = workerLogEntries(text, "C-0-0", 10, 5);
  assert.deepEqual(e, [
    { time: 1000, level: "info", msg: "worker registered address=tcp://h:1" },
    { time: 1002, level: "warn", msg: "fetching inputs from a peer failed peer=tcp://h:2" },
    { time: 5, level: "error", msg: "slurmstepd: error: *** JOB 5 ON vm CANCELLED AT 2026-11-26T06:15:54 ***" },
  ]);
  assert.equal(workerLogEntries(text, "C-0-0", 1, 5).length, 1);
});
