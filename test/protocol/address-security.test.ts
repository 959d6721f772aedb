import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, stat, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAddress, Security } from "../../src/protocol/index.js";
import { AddressError, SecurityConfigError } from "../../src/util/errors.js";

test("parseAddress accepts tcp/tls host:port, IPv6 in brackets", () => {
  assert.deepEqual(parseAddress("tcp://127.0.0.1:8786"), { scheme: "tcp", host: "127.0.0.1", port: 8786 });
  assert.deepEqual(parseAddress("tls://node-17.cluster:0"), { scheme: "tls", host: "node-17.cluster", port: 0 });
  assert.deepEqual(parseAddress("tcp://[::1]:9"), { scheme: "tcp", host: "::1", port: 9 });
});

test("parseAddress rejects bad addresses naming them", () => {
  for (const bad of ["foo", "127.0.0.1:8786", "http://h:1", "tcp://h", "tcp://h:port", "tcp://:1", ""]) {
    assert.throws(() => parseAddress(bad), (e: unknown) => e instanceof AddressError && e.message === `scheduler address '${bad}' is not valid; use tcp://HOST:PORT or tls://HOST:PORT`, bad);
  }
  assert.throws(() => parseAddress("tcp://h:70000"), /port 70000; ports run from 0 to 65535/);
});

test("Security.temporary gives 64 hex characters, different each time", () => {
  const a = Security.temporary();
  const b = Security.temporary();
  assert.match(a.secret, /^[0-9a-f]{64}$/);
  assert.notEqual(a.secret, b.secret);
  assert.equal(a.tls, undefined);
});

test("secret files: written 0600, read back; a group/world-readable file is refused with the chmod to run", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tessera-sec-"));
  try {
    const sec = Security.temporary();
    const path = await Security.writeSecretFile(sec, dir);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await Security.fromSecretFile(path), sec);
    assert.deepEqual(Security.fromEnv({ TESSERA_SECRET_FILE: path }), sec);
    await chmod(path, 0o644);
    await assert.rejects(Security.fromSecretFile(path), (e: unknown) => e instanceof SecurityConfigError && e.message.includes(`chmod 600 ${path}`));
    assert.throws(() => Security.fromEnv({ TESSERA_SECRET_FILE: path }), /mode 0644, readable by others/);
    const missing = join(dir, "nope");
    assert.throws(() => Security.fromEnv({ TESSERA_SECRET_FILE: missing }), (e: unknown) => e instanceof SecurityConfigError && e.message.includes(missing));
    const short = join(dir, "short");
    await writeFile(short, "abc", { mode: 0o600 });
    assert.throws(() => Security.fromEnv({ TESSERA_SECRET_FILE: short }), /at least 16/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("fromEnv: TESSERA_SECRET inline, nothing set → undefined, TLS without secret → error", () => {
  assert.deepEqual(Security.fromEnv({ TESSERA_SECRET: "0123456789abcdef0123" }), { secret: "0123456789abcdef0123" });
  assert.equal(Security.fromEnv({}), undefined);
  assert.throws(() => Security.fromEnv({ TESSERA_TLS_CERT: "/x" }), SecurityConfigError);
  assert.throws(() => Security.fromEnv({ TESSERA_SECRET: "0123456789abcdef0123", TESSERA_TLS_CERT: "/x" }), /all of TESSERA_TLS_CERT/);
});

test("TLS material round-trips through files and the environment", async () => {
  const dir = await mkdtemp(join(tmpdir(), "tessera-tls-"));
  try {
    const sec = await Security.temporary({ tls: true });
    assert.match(sec.tls!.cert, /BEGIN CERTIFICATE/);
    const path = await Security.writeSecretFile(sec, dir);
    assert.deepEqual(await Security.fromSecretFile(path), sec);
    assert.equal((await stat(join(dir, "tessera-key.pem"))).mode & 0o777, 0o600);
    assert.deepEqual(Security.fromEnv(Security.toEnv(sec, path)), sec);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
