/**
 * Connection handshake as IO-free state machines: version check, then HMAC-SHA256 challenge-response in
 * both directions. The secret never crosses the wire; each side proves it by MACing both nonces under a
 * role label, so a proof cannot be replayed or reflected.
 *
 *   client → server  {op: "tessera-hello", protocol, version, nonce: clientNonce}
 *   server → client  {op: "tessera-challenge", version, nonce: serverNonce, proof: HMAC("server", cN, sN)}
 *   client → server  {op: "tessera-auth", proof: HMAC("client", sN, cN)}
 *   server → client  {op: "tessera-welcome"}          or at any step {op: "tessera-refused", code, reason}
 *
 * Once done, both ends derive per-direction session keys from the secret and both nonces; every later
 * message carries a tag under them (integrity.ts).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { AuthenticationError, ProtocolError, VersionMismatchError, type TesseraError } from "../util/errors.js";
import { deriveSessionKeys, type SessionKeys } from "./integrity.js";

export const PROTOCOL_NAME = "tessera";
/** Bump on any incompatible change to framing, codec or handshake. */
export const PROTOCOL_VERSION = 3;
/** Unauthenticated peers may not send frames larger than this. */
export const HANDSHAKE_MAX_FRAME_BYTES = 64 * 1024;

export type HandshakeMessage = { op: string; [k: string]: unknown };

export type HandshakeStep =
  | { kind: "send"; msg: HandshakeMessage }
  | { kind: "done"; send?: HandshakeMessage }
  | { kind: "failed"; error: TesseraError; send?: HandshakeMessage };

const NONCE_BYTES = 32;
const newNonce = (): string => randomBytes(NONCE_BYTES).toString("hex");

function proof(secret: string, role: "server" | "client", first: string, second: string): string {
  return createHmac("sha256", secret).update(`tessera-${role}-v${PROTOCOL_VERSION}\0${first}\0${second}`).digest("hex");
}

function proofMatches(expected: string, got: unknown): boolean {
  if (typeof got !== "string" || got.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected, "latin1"), Buffer.from(got, "latin1"));
}

const isNonce = (v: unknown): v is string => typeof v === "string" && /^[0-9a-f]{64}$/.test(v);

function refusal(code: "version-mismatch" | "authentication-failed" | "protocol-error", reason: string): HandshakeMessage {
  return { op: "tessera-refused", code, reason };
}

export function versionMismatchText(serverVersion: unknown, clientVersion: unknown): string {
  return (
    `protocol version mismatch: the server speaks Tessera protocol ${String(serverVersion)}, ` +
    `the client speaks ${String(clientVersion)}; run the same Tessera version on every machine`
  );
}

export class ServerHandshake {
  #state: "await-hello" | "await-auth" | "done" | "failed" = "await-hello";
  #clientNonce = "";
  #serverNonce = "";
  constructor(private readonly secret: string) {}

  receive(msg: HandshakeMessage): HandshakeStep {
    switch (this.#state) {
      case "await-hello": {
        if (msg.op !== "tessera-hello" || msg["protocol"] !== PROTOCOL_NAME) {
          return this.#fail(new ProtocolError(`expected a tessera-hello message, got op '${String(msg.op).slice(0, 64)}'`));
        }
        if (msg["version"] !== PROTOCOL_VERSION) {
          const text = versionMismatchText(PROTOCOL_VERSION, msg["version"]);
          return this.#fail(new VersionMismatchError(text), refusal("version-mismatch", text));
        }
        if (!isNonce(msg["nonce"])) return this.#fail(new ProtocolError("tessera-hello carries no valid nonce"));
        this.#clientNonce = msg["nonce"];
        this.#serverNonce = newNonce();
        this.#state = "await-auth";
        return {
          kind: "send",
          msg: {
            op: "tessera-challenge",
            version: PROTOCOL_VERSION,
            nonce: this.#serverNonce,
            proof: proof(this.secret, "server", this.#clientNonce, this.#serverNonce),
          },
        };
      }
      case "await-auth": {
        if (msg.op !== "tessera-auth") {
          return this.#fail(new ProtocolError(`expected a tessera-auth message, got op '${String(msg.op).slice(0, 64)}'`));
        }
        const expected = proof(this.secret, "client", this.#serverNonce, this.#clientNonce);
        if (!proofMatches(expected, msg["proof"])) {
          const text = "authentication failed: the client's proof does not match this cluster's secret";
          return this.#fail(new AuthenticationError(text), refusal("authentication-failed", text));
        }
        this.#state = "done";
        return { kind: "done", send: { op: "tessera-welcome" } };
      }
      default:
        return this.#fail(new ProtocolError(`handshake message '${String(msg.op).slice(0, 64)}' after the handshake ended`));
    }
  }

  /** Keys for the frames after the handshake; only once it is done. */
  sessionKeys(): SessionKeys {
    if (this.#state !== "done") throw new ProtocolError("session keys asked for before the handshake completed");
    return deriveSessionKeys(this.secret, this.#clientNonce, this.#serverNonce, "server");
  }

  #fail(error: TesseraError, send?: HandshakeMessage): HandshakeStep {
    this.#state = "failed";
    return send ? { kind: "failed", error, send } : { kind: "failed", error };
  }
}

export class ClientHandshake {
  #state: "await-challenge" | "await-welcome" | "done" | "failed" = "await-challenge";
  readonly #clientNonce = newNonce();
  #serverNonce = "";
  constructor(
    private readonly secret: string,
    private readonly serverAddress: string,
  ) {}

  /** The first message to send. */
  hello(): HandshakeMessage {
    return { op: "tessera-hello", protocol: PROTOCOL_NAME, version: PROTOCOL_VERSION, nonce: this.#clientNonce };
  }

  receive(msg: HandshakeMessage): HandshakeStep {
    if (msg.op === "tessera-refused") {
      this.#state = "failed";
      const reason = typeof msg["reason"] === "string" ? msg["reason"].slice(0, 500) : "no reason given";
      const text = `the server at ${this.serverAddress} refused the connection: ${reason}`;
      const error =
        msg["code"] === "version-mismatch"
          ? new VersionMismatchError(text)
          : msg["code"] === "authentication-failed"
            ? new AuthenticationError(`${text}; give this process the cluster's secret (Security / TESSERA_SECRET_FILE)`)
            : new ProtocolError(text);
      return { kind: "failed", error };
    }
    switch (this.#state) {
      case "await-challenge": {
        if (msg.op !== "tessera-challenge") return this.#fail(new ProtocolError(`expected tessera-challenge from ${this.serverAddress}, got '${String(msg.op).slice(0, 64)}'`));
        if (msg["version"] !== PROTOCOL_VERSION) {
          return this.#fail(new VersionMismatchError(`${this.serverAddress}: ${versionMismatchText(msg["version"], PROTOCOL_VERSION)}`));
        }
        const serverNonce = msg["nonce"];
        if (!isNonce(serverNonce)) return this.#fail(new ProtocolError(`${this.serverAddress} sent a challenge without a valid nonce`));
        if (!proofMatches(proof(this.secret, "server", this.#clientNonce, serverNonce), msg["proof"])) {
          return this.#fail(
            new AuthenticationError(
              `the server at ${this.serverAddress} could not prove it holds this cluster's secret; ` +
                `check that client, scheduler and workers share one Security`,
            ),
          );
        }
        this.#state = "await-welcome";
        this.#serverNonce = serverNonce;
        return { kind: "send", msg: { op: "tessera-auth", proof: proof(this.secret, "client", serverNonce, this.#clientNonce) } };
      }
      case "await-welcome":
        if (msg.op !== "tessera-welcome") return this.#fail(new ProtocolError(`expected tessera-welcome from ${this.serverAddress}, got '${String(msg.op).slice(0, 64)}'`));
        this.#state = "done";
        return { kind: "done" };
      default:
        return this.#fail(new ProtocolError(`handshake message '${String(msg.op).slice(0, 64)}' after the handshake ended`));
    }
  }

  /** Keys for the frames after the handshake; only once it is done. */
  sessionKeys(): SessionKeys {
    if (this.#state !== "done") throw new ProtocolError("session keys asked for before the handshake completed");
    return deriveSessionKeys(this.secret, this.#clientNonce, this.#serverNonce, "client");
  }

  #fail(error: TesseraError): HandshakeStep {
    this.#state = "failed";
    return { kind: "failed", error };
  }
}
