// LogTail: the last lines of a log, from pino JSON or plain text, written in arbitrary chunks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LogTail, createTailedLogger, parseLogLine } from "../../src/dashboard/log-tail.js";

test("LogTail parses pino lines and plain text across chunk boundaries, keeping the newest", () => {
  const tail = new LogTail(3);
  const line = JSON.stringify({ level: 40, time: 1_700_000_000_000, msg: "worker paused", err: { message: "memory at 81 %" } });
  tail.write(line.slice(0, 10));
  tail.write(line.slice(10) + "\nplain text line\n\n");
  assert.deepEqual(tail.entries(10)[0], { time: 1_700_000_000_000, level: "warn", msg: "worker paused: memory at 81 %" });
  assert.equal(tail.entries(10)[1]!.msg, "plain text line");
  for (let i = 0; i < 10; i++) tail.write(Buffer.from(`line ${i}\n`));
  assert.deepEqual(tail.entries(10).map((e) => e.msg), ["line 7", "line 8", "line 9"]);
  assert.equal(parseLogLine("{not json").msg, "{not json");
});

test("createTailedLogger writes a pino logger's lines into the tail", () => {
  const tail = new LogTail();
  const log = createTailedLogger("tessera.test", tail, { stderr: false, level: "info" });
  log.info({ worker: "w1" }, "hello");
  log.debug("not at info level");
  log.error(new Error("boom"), "failed");
  assert.deepEqual(tail.entries(10).map((e) => [e.level, e.msg]), [["info", "hello"], ["error", "failed: boom"]]);
});
