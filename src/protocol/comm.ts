/**
 * Comm: messages over any Transport. Sends made in one tick are batched into one vectored write
 * (flushed from setImmediate, so everything sent while handling one batch of incoming data goes out
 * together). Incoming bytes go through the streaming MessageReader; a protocol error closes the Comm.
 * The handshake runs on the same Comm before it is handed to the application (see authenticate.ts).
 */
import { MessageReader, MessageWriter } from "./frames.js";
import type { Transport } from "./transport.js";
import type { Logger } from "../util/log.js";
import { FrameOpener, FrameSealer, type SessionKeys } from "./integrity.js";

export type Message = { op: string; [k: string]: unknown };

export interface Comm {
  /** Queues a message; it goes out with everything else sent this tick. Dropped (with a debug log) once closed. */
  send(msg: Message): void;
  /** The single message handler; messages queued before it was set are delivered to it in order. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onMessage(fn: (msg: any) => void): void;
  onClose(fn: (reason: string) => void): void;
  /** Flushes queued messages, then closes. */
  close(reason?: string): void;
  readonly closed: boolean;
  readonly peerAddress: string;
  readonly localAddress: string;
}

export interface FramedCommOptions {
  maxFrameBytes?: number;
  log: Logger;
}

export class FramedComm implements Comm {
  readonly #transport: Transport;
  readonly #reader: MessageReader;
  readonly #writer: MessageWriter;
  readonly #log: Logger;
  #handler: ((msg: Message) => void) | undefined;
  #inbox: Message[] = [];
  #drainScheduled = false;
  #closeHandlers: ((reason: string) => void)[] = [];
  #closed = false;
  #closeReason = "";
  #flushScheduled = false;
  #writable = true;
  /** Level of the "bad frames" line: debug while unauthenticated (the listener logs the refusal, rate-limited). */
  #badFramesLevel: "warn" | "debug" = "warn";
  readonly peerAddress: string;
  readonly localAddress: string;

  constructor(transport: Transport, opts: FramedCommOptions) {
    this.#transport = transport;
    this.#log = opts.log;
    this.peerAddress = transport.peerAddress;
    this.localAddress = transport.localAddress;
    this.#reader = new MessageReader({
      onMessage: (msg) => this.#receive(msg as Message),
      ...(opts.maxFrameBytes !== undefined ? { maxFrameBytes: opts.maxFrameBytes } : {}),
    });
    this.#writer = new MessageWriter(opts.maxFrameBytes !== undefined ? { maxFrameBytes: opts.maxFrameBytes } : {});
    const badFrames = (err: unknown): void => {
      const reason = `protocol error from ${this.peerAddress}: ${(err as Error).message}`;
      this.#log[this.#badFramesLevel]({ peer: this.peerAddress, err: (err as Error).message, code: (err as { code?: string }).code }, "closing connection: bad frames");
      this.#shutdown(reason, true);
    };
    // Direct reads where the transport offers them: array bytes go from the socket into their typed array.
    const direct =
      transport.readInto?.({
        buffer: () => this.#reader.readTarget(),
        read: (buf, n) => {
          if (this.#closed) return;
          try {
            this.#reader.bytesRead(buf, n);
          } catch (err) {
            badFrames(err);
          }
        },
      }) ?? false;
    if (!direct) {
      transport.onData((chunk) => {
        if (this.#closed) return;
        try {
          this.#reader.feed(chunk);
        } catch (err) {
          badFrames(err);
        }
      });
    }
    transport.onDrain(() => {
      this.#writable = true;
      this.#flush();
    });
    transport.onClose((reason) => {
      const truncated = this.#reader.midMessage ? " (in the middle of a message)" : "";
      this.#shutdown(`${reason}${truncated}`, true);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Limits for incoming data: tight while unauthenticated, raised after the handshake. */
  setLimits(maxFrameBytes: number, maxRawFrames: number): void {
    this.#reader.maxFrameBytes = maxFrameBytes;
    this.#reader.maxRawFrames = maxRawFrames;
    this.#writer.maxFrameBytes = maxFrameBytes;
  }

  /** After the handshake: tag every message sent, and refuse any received without a valid tag (integrity.ts). */
  protect(keys: SessionKeys): void {
    this.#writer.sealer = new FrameSealer(keys.send);
    this.#reader.opener = new FrameOpener(keys.receive);
  }

  /** Log bad frames at debug (true) or warn (false): a listener that rate-limits refusals quiets them until authenticated. */
  quietBadFrames(quiet: boolean): void {
    this.#badFramesLevel = quiet ? "debug" : "warn";
  }

  send(msg: Message): void {
    if (this.#closed) {
      this.#log.debug({ peer: this.peerAddress, op: msg.op }, "send on closed comm dropped");
      return;
    }
    this.#writer.write(msg);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(this.#flushNow);
    }
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  onMessage(fn: (msg: any) => void): void {
    this.#handler = fn;
    if (this.#inbox.length > 0 && !this.#drainScheduled) {
      this.#drainScheduled = true;
      queueMicrotask(this.#drainInbox);
    }
  }

  /** Delivers queued messages in order; anything arriving meanwhile queues behind them. */
  readonly #drainInbox = (): void => {
    this.#drainScheduled = false;
    const q = this.#inbox;
    let i = 0;
    for (; i < q.length && this.#handler !== undefined; i++) this.#dispatch(q[i]!);
    q.splice(0, i);
  };

  /** Removes the handler; later messages queue until the next onMessage (used at handshake hand-over). */
  detachHandler(): void {
    this.#handler = undefined;
  }

  onClose(fn: (reason: string) => void): void {
    if (this.#closed) queueMicrotask(() => fn(this.#closeReason));
    else this.#closeHandlers.push(fn);
  }

  close(reason = "closed locally"): void {
    if (this.#closed) return;
    this.#flush(true);
    this.#shutdown(reason, false);
  }

  readonly #flushNow = (): void => {
    this.#flushScheduled = false;
    this.#flush();
  };

  #flush(force = false): void {
    if (this.#closed || (!this.#writable && !force)) return;
    // One writev per batch with its tag, except that big payloads go out piece by piece, each MACed
    // after it was written (frames.ts takeSealed). write() returning false means the socket's buffer
    // is full: keep queueing in the writer until drain.
    if (this.#writer.pendingBytes === 0) return;
    this.#writable = this.#writer.takeSealed((chunks) => this.#transport.write(chunks));
  }

  #receive(msg: Message): void {
    if (this.#handler === undefined || this.#inbox.length > 0) this.#inbox.push(msg);
    else this.#dispatch(msg);
  }

  #dispatch(msg: Message): void {
    if (this.#closed) return; // nothing is delivered after close, whoever closed
    try {
      this.#handler!(msg);
    } catch (err) {
      // an application bug must not desynchronise the stream: log and carry on
      this.#log.error({ peer: this.peerAddress, op: msg.op, err }, "message handler threw");
    }
  }

  #shutdown(reason: string, abrupt: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    if (abrupt) this.#transport.destroy();
    else this.#transport.end();
    const handlers = this.#closeHandlers;
    this.#closeHandlers = [];
    for (const h of handlers) {
      try {
        h(reason);
      } catch (err) {
        this.#log.error({ peer: this.peerAddress, err }, "close handler threw");
      }
    }
  }
}
