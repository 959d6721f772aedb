/** Transport over a net.Socket or tls.TLSSocket: cork/uncork turns a batch into one writev. */
import type { Socket } from "node:net";
import type { Transport } from "./transport.js";
import { formatAddress, type Scheme } from "./address.js";

export class SocketTransport implements Transport {
  readonly peerAddress: string;
  readonly localAddress: string;
  #lastError: Error | undefined;
  #closeFns: ((reason: string) => void)[] = [];
  #closed = false;
  #endTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: Socket,
    scheme: Scheme,
  ) {
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
