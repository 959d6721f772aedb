/**
 * Shared-secret security, on by default. The secret proves membership of a cluster through the HMAC
 * handshake (handshake.ts) and is never sent; it travels to processes by a 0600 file or the environment.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type selfsignedModule from "selfsigned";
import { SecurityConfigError } from "../util/errors.js";

export interface TlsMaterial {
  cert: string;
  key: string;
  ca: string;
}

export interface Security {
  readonly secret: string;
  readonly tls?: TlsMaterial;
}

/** The name temporary certificates are issued for; clients verify the CA, not the hostname. */
export const TEMPORARY_CERT_NAME = "tessera";

const MIN_SECRET_CHARS = 16;

function checkSecret(secret: string, origin: string): string {
  const s = secret.trim();
  if (s.length < MIN_SECRET_CHARS) {
    throw new SecurityConfigError(
      `${origin}: the secret is ${s.length} characters; use at least ${MIN_SECRET_CHARS} (e.g. 64 hex characters from Security.temporary())`,
    );
  }
  return s;
}

function checkPrivateMode(path: string, mode: number, what: string): void {
  if ((mode & 0o077) !== 0) {
    throw new SecurityConfigError(
      `${what} '${path}' has mode ${(mode & 0o777).toString(8).padStart(4, "0")}, readable by others; ` +
        `run 'chmod 600 ${path}'`,
    );
  }
}

function readPrivateFileSync(path: string, what: string): string {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (err) {
    throw new SecurityConfigError(`${what} '${path}' cannot be read: ${(err as Error).message}`, { cause: err });
  }
  checkPrivateMode(path, mode, what);
  return readFileSync(path, "utf8");
}

function readFileOrExplain(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new SecurityConfigError(`${what} '${path}' cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

async function temporaryTls(): Promise<TlsMaterial> {
  // A self-signed CA certificate that is also the server/client certificate: peers verify it against
  // itself as CA (checkServerIdentity is skipped; the name is a fixed "tessera").
  const notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  // Loaded on demand: selfsigned (node-forge) takes ~100-250 ms to import, and most processes never need it.
  // An optional dependency: only TLS with temporary certificates needs it.
  let selfsigned: typeof selfsignedModule;
  try {
    selfsigned = ((await import("selfsigned")) as unknown as { default: typeof selfsignedModule }).default;
  } catch (err) {
    throw new SecurityConfigError(
      "TLS with temporary certificates needs the optional package 'selfsigned' (npm install selfsigned), " +
        "or give your own certificates with TESSERA_TLS_CERT / TESSERA_TLS_KEY / TESSERA_TLS_CA",
      { cause: err },
    );
  }
  const pems = await selfsigned.generate([{ name: "commonName", value: TEMPORARY_CERT_NAME }], {
    keySize: 2048,
    algorithm: "sha256",
    notAfterDate: notAfter,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true, clientAuth: true },
      { name: "subjectAltName", altNames: [{ type: 2, value: TEMPORARY_CERT_NAME }] },
    ],
  } as Parameters<typeof selfsignedModule.generate>[1]);
  return { cert: pems.cert, key: pems.private, ca: pems.cert };
}

export const Security = {
  /**
   * A fresh random secret (32 bytes, hex). With tls, also a temporary self-signed certificate, as Dask's
   * Security.temporary(). Returns a Promise only when tls is asked (key generation is asynchronous).
   */
  temporary: temporarySecurity,

  /** TESSERA_SECRET or TESSERA_SECRET_FILE (mode 0600 or stricter), plus TESSERA_TLS_CERT/KEY/CA files. */
  fromEnv(env: NodeJS.ProcessEnv = process.env): Security | undefined {
    const inline = env["TESSERA_SECRET"];
    const file = env["TESSERA_SECRET_FILE"];
    let secret: string | undefined;
    if (inline !== undefined && inline !== "") secret = checkSecret(inline, "TESSERA_SECRET");
    else if (file !== undefined && file !== "") {
      secret = checkSecret(readPrivateFileSync(file, "TESSERA_SECRET_FILE"), `TESSERA_SECRET_FILE '${file}'`);
    }
    const cert = env["TESSERA_TLS_CERT"];
    const key = env["TESSERA_TLS_KEY"];
    const ca = env["TESSERA_TLS_CA"];
    const anyTls = [cert, key, ca].some((v) => v !== undefined && v !== "");
    if (secret === undefined) {
      if (anyTls) {
        throw new SecurityConfigError(
          "TESSERA_TLS_* is set but no secret is: set TESSERA_SECRET_FILE (a 0600 file) or TESSERA_SECRET too",
        );
      }
      return undefined;
    }
    if (!anyTls) return { secret };
    if (!cert || !key || !ca) {
      throw new SecurityConfigError("TLS needs all of TESSERA_TLS_CERT, TESSERA_TLS_KEY and TESSERA_TLS_CA (pem files)");
    }
    return {
      secret,
      tls: {
        cert: readFileOrExplain(cert, "TESSERA_TLS_CERT"),
        key: readPrivateFileSync(key, "TESSERA_TLS_KEY"),
        ca: readFileOrExplain(ca, "TESSERA_TLS_CA"),
      },
    };
  },

  /** Environment variables that make Security.fromEnv() in a child process return this security. */
  toEnv(security: Security, secretFile: string, tlsDir?: string): Record<string, string> {
    const env: Record<string, string> = { TESSERA_SECRET_FILE: secretFile };
    if (security.tls) {
      const dir = tlsDir ?? join(secretFile, "..");
      env["TESSERA_TLS_CERT"] = join(dir, "tessera-cert.pem");
      env["TESSERA_TLS_KEY"] = join(dir, "tessera-key.pem");
      env["TESSERA_TLS_CA"] = join(dir, "tessera-ca.pem");
    }
    return env;
  },

  /** Writes `dir/tessera-secret` (0600), and the TLS pem files (0600) if any; returns the secret's path. */
  async writeSecretFile(security: Security, dir: string): Promise<string> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const write = async (name: string, text: string) => {
      const p = join(dir, name);
      await writeFile(p, text, { mode: 0o600 });
      await chmod(p, 0o600); // the file may have existed with a wider mode
      return p;
    };
    const path = await write("tessera-secret", security.secret + "\n");
    if (security.tls) {
      await write("tessera-cert.pem", security.tls.cert);
      await write("tessera-key.pem", security.tls.key);
      await write("tessera-ca.pem", security.tls.ca);
    }
    return path;
  },

  /** Reads a file written by writeSecretFile (TLS pem files beside it are picked up too). */
  async fromSecretFile(path: string): Promise<Security> {
    let mode: number;
    try {
      mode = (await stat(path)).mode;
    } catch (err) {
      throw new SecurityConfigError(`secret file '${path}' cannot be read: ${(err as Error).message}`, { cause: err });
    }
    checkPrivateMode(path, mode, "secret file");
    const secret = checkSecret(await readFile(path, "utf8"), `secret file '${path}'`);
    const dir = join(path, "..");
    const tryRead = async (name: string) => readFile(join(dir, name), "utf8").catch(() => undefined);
    const [cert, key, ca] = await Promise.all(
      ["tessera-cert.pem", "tessera-key.pem", "tessera-ca.pem"].map(tryRead),
    );
    if (cert !== undefined && key !== undefined && ca !== undefined) return { secret, tls: { cert, key, ca } };
    return { secret };
  },
};

function temporarySecurity(): Security;
function temporarySecurity(opts: { tls: true }): Promise<Security>;
function temporarySecurity(opts?: { tls?: boolean }): Security | Promise<Security>;
function temporarySecurity(opts?: { tls?: boolean }): Security | Promise<Security> {
  const secret = randomBytes(32).toString("hex");
  if (opts?.tls) return temporaryTls().then((tls) => ({ secret, tls }));
  return { secret };
}
