/** The TCP/TLS shell: sockets in, authenticated Comms out. All protocol logic lives in the IO-free files. */
import * as net from "node:net";
import * as tls from "node:tls";
import { parseAddress, formatAddress, type Scheme } from "./address.js";
import { FramedComm, type Comm } from "./comm.js";
import { acceptHandshake, initiateHandshake } from "./authenticate.js";
import { DirectReads, SocketTransport } from "./socket-transport.js";
import { HandshakeAdmission } from "./admission.js";
import { RefusalLog } from "./refusal-log.js";
import { checkMaxFrameBytes, DEFAULT_MAX_FRAME_BYTES, MessageWriter } from "./frames.js";
import type { Security } from "./security.js";
import { ConnectError, SecurityConfigError, TesseraError } from "../util/errors.js";
import { createLogger, type Logger } from "../util/log.js";

/** Defaults, each with its unit. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_PENDING_HANDSHAKES = 256;
export const DEFAULT_MAX_PENDING_HANDSHAKES_PER_SOURCE = 32;
/** A peer that has sent no byte this long after connecting is dropped (a real one sends its hello at once). */
export const DEFAULT_SILENT_PEER_TIMEOUT_MS = 2_000;
/** Failed handshakes logged in full after a quiet second, before the listener switches to one summary line a second. */
export const REFUSALS_LOGGED_IN_FULL = 5;

/** The kind of a failed handshake, for the refusal summary. */
export function refusalKind(err: Error): string {
  switch ((err as Partial<TesseraError>).code) {
    case "TESSERA_ERR_AUTHENTICATION":
      return "wrong secret";
    case "TESSERA_ERR_VERSION_MISMATCH":
      return "version mismatch";
    case "TESSERA_ERR_HANDSHAKE_TIMEOUT":
      return "timed out";
    case "TESSERA_ERR_PROTOCOL":
    case "TESSERA_ERR_FRAME_TOO_LARGE":
      return "malformed";
    default:
      // the comm closed: on bad frames its reason says so; otherwise the peer hung up (often a client
      // that found the server's proof wrong, i.e. a wrong secret on its side)
      return /protocol error/.test(err.message) ? "malformed" : "hung up";
  }
}

export interface Listener {
  readonly address: string;
  close(): Promise<void>;
}

export interface ListenOptions {
  address: string;
  security: Security;
  onComm: (comm: Comm) => void;
  log?: Logger;
  maxFrameBytes?: number;
  handshakeTimeoutMs?: number;
  maxPendingHandshakes?: number;
  maxPendingHandshakesPerSource?: number;
  silentPeerTimeoutMs?: number;
}

export interface ConnectOptions {
  security: Security;
  timeoutMs?: number;
  log?: Logger;
  maxFrameBytes?: number;
}

function checkSecurity(security: Security | undefined, scheme: Scheme, what: string): Security {
  if (!security || typeof security.secret !== "string" || security.secret.length === 0) {
    throw new SecurityConfigError(`${what} needs a Security with a secret (Security.temporary() or Security.fromEnv())`);
  }
  if (scheme === "tls" && !security.tls) {
    throw new SecurityConfigError(`${what} uses tls:// but the Security has no certificates; use await Security.temporary({ tls: true })`);
  }
  return security;
}

function tlsContext(security: Security) {
  const t = security.tls!;
  // Mutual TLS against the cluster's own CA; hostnames are not checked (temporary certs name "tessera").
  return { cert: t.cert, key: t.key, ca: t.ca, minVersion: "TLSv1.2" as const };
}

export async function listen(opts: ListenOptions): Promise<Listener> {
  const { scheme, host, port } = parseAddress(opts.address);
  const security = checkSecurity(opts.security, scheme, `listen(${opts.address})`);
  const log = opts.log ?? createLogger("tessera.protocol");
  const maxFrameBytes = checkMaxFrameBytes(opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  const timeoutMs = opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const maxPending = opts.maxPendingHandshakes ?? DEFAULT_MAX_PENDING_HANDSHAKES;
  const maxPerSource = Math.min(maxPending, opts.maxPendingHandshakesPerSource ?? DEFAULT_MAX_PENDING_HANDSHAKES_PER_SOURCE);
  const silentMs = opts.silentPeerTimeoutMs ?? DEFAULT_SILENT_PEER_TIMEOUT_MS;
  const sockets = new Set<net.Socket>();
  // every kind of refusal shares one rate limit: a fuzz run must not write a line per connection
  const refusals = new RefusalLog((fields, text) => log.warn(fields, text), { noun: "connections", fullLines: REFUSALS_LOGGED_IN_FULL });
  const admission = new HandshakeAdmission({ maxPending, maxPendingPerSource: maxPerSource }, (source) =>
    refusals.refused(
      { peer: source, pendingFromSource: admission.pendingFrom(source), pending: admission.pending, maxPendingHandshakes: maxPending, maxPendingHandshakesPerSource: maxPerSource },
      `too many pending handshakes from ${source}; dropped its oldest unauthenticated connection`,
      "too many pending handshakes",
      source,
    ),
  );
  /** Admits a raw socket; the returned flag tells whether admission (not the peer) ended it. */
  const admit = (raw: net.Socket, plain: boolean) => {
    const source = raw.remoteAddress ?? "unknown";
    const state = { dropped: false, slot: undefined as ReturnType<HandshakeAdmission["admit"]> | undefined };
    state.slot = admission.admit(source, () => {
      state.dropped = true;
      // a TLS peer cannot read a Tessera frame before its TLS handshake: it is just closed
      if (plain) refuseBusy(raw, `too many pending handshakes from ${source}; try again`);
      else raw.destroy();
    });
    let silence: NodeJS.Timeout | undefined;
    if (plain && silentMs < timeoutMs) {
      silence = setTimeout(() => {
        state.dropped = true;
        state.slot!.release();
        refusals.refused({ peer: source, silentPeerTimeoutMs: silentMs }, "peer sent nothing after connecting; connection closed", "silent", source);
        raw.destroy();
      }, silentMs);
      silence.unref();
      raw.once("data", () => {
        clearTimeout(silence);
        state.slot!.talking();
      });
    }
    raw.once("close", () => {
      clearTimeout(silence);
      state.slot!.release();
    });
    return state;
  };
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };

  /** Runs the Tessera handshake on a (TCP or already TLS-secured) socket; `release` frees its admission slot. */
  const handshake = (socket: net.Socket, release: () => void, droppedByAdmission: () => boolean = () => false) => {
    const comm = new FramedComm(new SocketTransport(socket, scheme), { log, maxFrameBytes });
    comm.quietBadFrames(true);
    acceptHandshake(comm, { security, timeoutMs, maxFrameBytes }).then(
      (authed) => {
        release();
        comm.quietBadFrames(false);
        log.debug({ peer: authed.peerAddress }, "connection authenticated");
        try {
          opts.onComm(authed);
        } catch (err) {
          log.error({ peer: authed.peerAddress, err }, "onComm threw; closing that connection");
          authed.close("onComm failed");
        }
      },
      (err: Error) => {
        release();
        if (droppedByAdmission()) return; // logged as such already
        refusals.refused({ peer: comm.peerAddress, reason: err.message, code: (err as TesseraError).code }, "handshake failed; connection closed", refusalKind(err), comm.peerAddress);
      },
    );
  };

  let server: net.Server;
  if (scheme === "tls") {
    // Admission is taken when the raw TCP connection arrives, so TLS handshakes in progress count too.
    const admitted = new Map<string, ReturnType<typeof admit>>();
    const keyOf = (s: net.Socket) => `${s.remoteAddress}:${s.remotePort}`;
    const tlsServer = tls.createServer({ ...tlsContext(security), requestCert: true, rejectUnauthorized: true, handshakeTimeout: timeoutMs });
    tlsServer.on("connection", (raw: net.Socket) => {
      track(raw);
      // (no silence watch on the raw socket: its bytes belong to TLS; the TLS handshake timeout covers it)
      const state = admit(raw, false);
      const key = keyOf(raw);
      admitted.set(key, state);
      raw.once("close", () => {
        if (admitted.get(key) === state) admitted.delete(key);
      });
    });
    tlsServer.on("secureConnection", (socket: tls.TLSSocket) => {
      track(socket);
      const key = keyOf(socket);
      const state = admitted.get(key);
      admitted.delete(key);
      state?.slot?.talking();
      handshake(socket, () => state?.slot?.release(), () => state?.dropped === true);
    });
    tlsServer.on("tlsClientError", (err, socket) => {
      refusals.refused({ peer: socket.remoteAddress, reason: err.message }, "TLS handshake failed; connection closed", "TLS failed", socket.remoteAddress);
    });
    server = tlsServer;
  } else {
    server = net.createServer((socket) => {
      track(socket);
      const state = admit(socket, true);
      handshake(socket, () => state.slot!.release(), () => state.dropped);
    });
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(new ConnectError(`cannot listen on ${opts.address}: ${err.message}`, { cause: err })));
    server.listen({ host, port }, () => resolve());
  });
  server.on("error", (err) => log.error({ err }, "listener error"));
  const bound = server.address() as net.AddressInfo;
  const address = formatAddress(scheme, host, bound.port);
  log.debug({ address }, "listening");
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          refusals.close(); // after the last socket closed, so its refusal is in the final summary
          resolve();
        });
        for (const s of sockets) s.destroy();
      }),
  };
}

/** Tells a peer dropped for admission why (it would otherwise blame the secret), then closes. */
function refuseBusy(socket: net.Socket, reason: string): void {
  try {
    const w = new MessageWriter();
    w.write({ op: "tessera-refused", code: "busy", reason });
    for (const c of w.take()) socket.write(c);
    socket.end();
  } catch {
    /* the socket is gone already */
  }
  setTimeout(() => socket.destroy(), 200).unref();
}

export function connect(address: string, opts: ConnectOptions): Promise<Comm> {
  let parsed: ReturnType<typeof parseAddress>;
  let security: Security;
  try {
    parsed = parseAddress(address);
    security = checkSecurity(opts.security, parsed.scheme, `connect(${address})`);
  } catch (err) {
    return Promise.reject(err);
  }
  const { scheme, host, port } = parsed;
  const log = opts.log ?? createLogger("tessera.protocol");
  const timeoutMs = opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const maxFrameBytes = checkMaxFrameBytes(opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  const started = Date.now();

  return new Promise<Comm>((resolve, reject) => {
    let socket: net.Socket;
    let reads: DirectReads | undefined;
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new ConnectError(`could not connect to ${address} within ${timeoutMs} ms (is the scheduler running and reachable?)`)),
      timeoutMs,
    );
    timer.unref();
    const onError = (err: NodeJS.ErrnoException) => {
      const what =
        err.code === "ECONNREFUSED"
          ? "connection refused (is the scheduler running?)"
          : err.code === "ENOTFOUND"
            ? `host '${host}' not found`
            : err.message;
      fail(new ConnectError(`could not connect to ${address}: ${what}`, { cause: err }));
    };
    const onConnected = () => {
      socket.off("error", onError);
      clearTimeout(timer); // the handshake's own timer covers the rest of the budget
      const comm = new FramedComm(new SocketTransport(socket, scheme, reads), { log, maxFrameBytes });
      const remaining = Math.max(1, timeoutMs - (Date.now() - started));
      initiateHandshake(comm, address, { security, timeoutMs: remaining, maxFrameBytes }).then(
        (authed) => resolve(authed),
        (err: Error) => reject(err),
      );
    };
    if (scheme === "tls") {
      socket = tls.connect({ host, port, ...tlsContext(security), servername: "tessera", checkServerIdentity: () => undefined }, onConnected);
    } else {
      reads = new DirectReads(); // received arrays go from the socket straight into their typed arrays
      socket = net.connect({ host, port, onread: reads.onread }, onConnected);
    }
    socket.on("error", onError);
  });
}
