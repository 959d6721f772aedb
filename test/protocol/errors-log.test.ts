import { test } from "node:test";
import assert from "node:assert/strict";
import * as errors from "../../src/util/errors.js";
import { createLogger, logLevelFromEnv } from "../../src/util/log.js";

test("every error class has its own stable TESSERA_ERR_ code and its class name", () => {
  const codes = new Set<string>();
  for (const [name, Cls] of Object.entries(errors)) {
    if (typeof Cls !== "function" || name === "TesseraError") continue;
    const args: unknown[] = name === "FrameTooLargeError" ? [10, 5] : ["why"];
    const e = new (Cls as new (...a: unknown[]) => errors.TesseraError)(...args);
    assert.ok(e instanceof errors.TesseraError && e instanceof Error, name);
    assert.equal(e.name, name);
    assert.match(e.code, /^TESSERA_ERR_[A-Z_]+$/);
    assert.ok(!codes.has(e.code), `duplicate code ${e.code}`);
    codes.add(e.code);
  }
  assert.ok(codes.size >= 8);
});

test("log level comes from TESSERA_LOG_LEVEL, defaults to info, and a bad one is named", () => {
  assert.equal(logLevelFromEnv({}), "info");
  assert.equal(logLevelFromEnv({ TESSERA_LOG_LEVEL: "silent" }), "silent");
  assert.equal(logLevelFromEnv({ TESSERA_LOG_LEVEL: "DEBUG" }), "debug");
  assert.throws(() => logLevelFromEnv({ TESSERA_LOG_LEVEL: "loud" }), /TESSERA_LOG_LEVEL 'loud' is not a log level/);
  const log = createLogger("t", { level: "warn" });
  assert.equal(log.level, "warn");
  assert.equal(log.isLevelEnabled("info"), false);
});
