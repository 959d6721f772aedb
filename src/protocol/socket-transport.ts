/** Transport over a net.Socket or tls.TLSSocket: cork/uncork turns a batch into one writev. */
import type { Socket } from "node:net";
import type { ReadTarget, Transport } from "./transport.js";
import { formatAddress, type Scheme } from "./address.js";

export class SocketTransport implements Transport {
  readonly peerAddress: string;
  readonly localAddress: string;
  #lastError: Error | undefined;
  #closeFns: ((reason: string) => void)[] = [];
  #closed = false;
  #endTimer: NodeJS.Timeout | undefined;

  readonly #reads: DirectReads | undefined;

  /** `reads`: the DirectReads the socket was created with (net.connect's `onread`), if any. */
  constructor(
    private readonly socket: Socket,
    scheme: Scheme,
    reads?: DirectReads,
  ) {
    this.#reads = reads;
    socket.setNoDelay(true);
    this.peerAddress = formatAddress(scheme, socket.remoteAddress ?? "unknown", socket.remotePort ?? 0);
    this.localAddress = formatAddress(scheme, socket.localAddress ?? "unknown", socket.localPort ?? 0);
    socket.on("error", (err) => {
      this.#lastError = err;
    });
    socket.on("close", () => {
      this.#closed = true;
      if (this.#endTimer) clearTimeout(this.#endTimer);
      const reason = this.#lastError ? `connection to ${this.peerAddress} failed: ${this.#lastError.message}` : `connection to ${this.peerAddress} closed`;
      for (const fn of this.#closeFns) fn(reason);
      this.#closeFns = [];
    });
  }

  write(chunks: Uint8Array[]): boolean {
    if (chunks.length === 1) return this.socket.write(chunks[0]!);
    this.socket.cork();
    let ok = true;
    for (const c of chunks) ok = this.socket.write(c);
    this.socket.uncork();
    return ok;
  }

  onData(fn: (chunk: Uint8Array) => void): void {
    this.socket.on("data", fn);
  }

  readInto(target: ReadTarget): boolean {
    if (this.#reads === undefined) return false;
    this.#reads.attach(target);
    return true;
  }

  onDrain(fn: () => void): void {
    this.socket.on("drain", fn);
  }

  onClose(fn: (reason: string) => void): void {
    if (this.#closed) queueMicrotask(() => fn(`connection to ${this.peerAddress} closed`));
    else this.#closeFns.push(fn);
  }

  end(): void {
    this.socket.end();
    // a peer that never closes its side must not keep the socket open for ever
    if (!this.#closed && !this.#endTimer) this.#endTimer = setTimeout(() => this.socket.destroy(), 5000).unref();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * Reads into buffers the receiver picks: pass `onread` to net.connect (plain TCP only; Node reads
 * TLS itself), then give the DirectReads to the SocketTransport. Bytes that arrive before the
 * receiver attaches are kept and handed over when it does.
 */
export class DirectReads {
  #target: ReadTarget | undefined;
  #early: Uint8Array[] = [];
  readonly onread = {
    buffer: (): Uint8Array => this.#target?.buffer() ?? new Uint8Array(64 * 1024),
    callback: (n: number, buf: Uint8Array): boolean => {
      if (this.#target !== undefined) this.#target.read(buf, n);
      else this.#early.push(buf.slice(0, n));
      return true;
    },
  };

  attach(target: ReadTarget): void {
    this.#target = target;
    const early = this.#early;
    this.#early = [];
    for (const chunk of early) {
      // Through the target's own buffers, so it sees these bytes exactly as later reads.
      for (let at = 0; at < chunk.byteLength; ) {
        const buf = target.buffer();
        const n = Math.min(buf.byteLength, chunk.byteLength - at);
        buf.set(chunk.subarray(at, at + n));
        target.read(buf, n);
        at += n;
      }
    }
  }
}
