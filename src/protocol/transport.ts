/** The byte stream a Comm runs over. TCP and TLS sockets implement it (socket-transport.ts); tests may use an in-memory pair. */
export interface Transport {
  /** Queue chunks for one vectored write; returns false when the transport wants the writer to wait for drain. */
  write(chunks: Uint8Array[]): boolean;
  /** Chunks handed to the callback are owned by the receiver (never reused by the transport). */
  onData(fn: (chunk: Uint8Array) => void): void;
  /**
   * Optional, instead of onData: the receiver says where each read should land, so bytes go from
   * the socket straight into their final buffer. Returns false when this transport cannot.
   */
  readInto?(target: ReadTarget): boolean;
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

/** Where a transport with direct reads puts incoming bytes (see MessageReader.readTarget). */
export interface ReadTarget {
  /** The buffer the next read fills (at most its length). */
  buffer(): Uint8Array;
  /** `n` bytes were read into `buf`, the buffer last returned by buffer(). */
  read(buf: Uint8Array, n: number): void;
}
