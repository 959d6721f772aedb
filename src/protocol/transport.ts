/** The byte stream a Comm runs over. TCP and TLS sockets implement it (socket-transport.ts); tests may use an in-memory pair. */
export interface Transport {
  /** Queue chunks for one vectored write; returns false when the transport wants the writer to wait for drain. */
  write(chunks: Uint8Array[]): boolean;
  /** Chunks handed to the callback are owned by the receiver (never reused by the transport). */
  onData(fn: (chunk: Uint8Array) => void): void;
  onDrain(fn: () => void): void;
  /** Fires once, when the stream is gone for any reason (peer closed, error, destroy). */
  onClose(fn: (reason: string) => void): void;
  /** Flush what was written, then close. */
  end(): void;
  /** Close now, dropping unwritten data. */
  destroy(): void;
  readonly peerAddress: string;
  readonly localAddress: string;
}
