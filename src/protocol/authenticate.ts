/**
 * Drives the handshake state machines (handshake.ts) over a fresh FramedComm, with a timeout. Transport
 * agnostic: tcp.ts calls these for every accepted or opened socket.
 */
import { FramedComm, type Message } from "./comm.js";
import { MAX_RAW_FRAMES } from "./frames.js";
import { ClientHandshake, HANDSHAKE_MAX_FRAME_BYTES, ServerHandshake, type HandshakeStep } from "./handshake.js";
import { ConnectError, HandshakeTimeoutError, type TesseraError } from "../util/errors.js";
import type { Security } from "./security.js";
import type { SessionKeys } from "./integrity.js";

export interface AuthOptions {
  security: Security;
  timeoutMs: number;
  /** Frame limit once authenticated. */
  maxFrameBytes: number;
}

/** Server side. Resolves with the authenticated comm; rejects (after closing it) with the reason it failed. */
export function acceptHandshake(comm: FramedComm, opts: AuthOptions): Promise<FramedComm> {
  comm.setLimits(HANDSHAKE_MAX_FRAME_BYTES, 0);
  const machine = new ServerHandshake(opts.security.secret);
  return drive(comm, opts, (msg) => machine.receive(msg), () => machine.sessionKeys(), () => new HandshakeTimeoutError(`${comm.peerAddress} did not complete the handshake within ${opts.timeoutMs} ms`));
}

/** Client side: sends hello, answers the challenge, waits for welcome. */
export function initiateHandshake(comm: FramedComm, serverAddress: string, opts: AuthOptions): Promise<FramedComm> {
  comm.setLimits(HANDSHAKE_MAX_FRAME_BYTES, 0);
  const machine = new ClientHandshake(opts.security.secret, serverAddress);
  const result = drive(comm, opts, (msg) => machine.receive(msg), () => machine.sessionKeys(), () => new HandshakeTimeoutError(`the server at ${serverAddress} did not complete the handshake within ${opts.timeoutMs} ms`));
  comm.send(machine.hello());
  return result;
}

function drive(
  comm: FramedComm,
  opts: AuthOptions,
  step: (msg: Message) => HandshakeStep,
  sessionKeys: () => SessionKeys,
  timeoutError: () => TesseraError,
): Promise<FramedComm> {
  return new Promise<FramedComm>((resolve, reject) => {
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        comm.close(err.message);
        reject(err);
      } else {
        comm.setLimits(opts.maxFrameBytes, MAX_RAW_FRAMES);
        resolve(comm);
      }
    };
    const timer = setTimeout(() => finish(timeoutError()), opts.timeoutMs);
    timer.unref();
    comm.onClose((reason) => {
      if (!settled) finish(new ConnectError(`${reason} during the handshake (wrong secret, or not a Tessera peer?)`));
    });
    comm.onMessage((msg: Message) => {
      if (settled) return;
      const s = step(msg);
      if (s.kind === "send") comm.send(s.msg);
      else if (s.kind === "done") {
        if (s.send) comm.send(s.send);
        // from the next frame on, in both directions, every message carries its integrity tag
        comm.protect(sessionKeys());
        // hand over: the application's onMessage replaces ours; anything after this is queued for it
        comm.detachHandler();
        finish();
      } else {
        if (s.send) comm.send(s.send); // close() flushes it before ending the stream
        finish(s.error);
      }
    });
  });
}
