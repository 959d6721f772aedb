/**
 * Named error classes with stable codes (like fastify's FST_ERR_…): callers branch on `code`, never on
 * message text. Other layers add their own classes here.
 */
export class TesseraError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bytes on the wire broke the protocol: bad frame, bad header, unknown placeholder, oversized frame. */
export class ProtocolError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("TESSERA_ERR_PROTOCOL", message, options);
  }
}

/** A frame announced more bytes than the configured maximum. */
export class FrameTooLargeError extends TesseraError {
  constructor(readonly claimedBytes: number, readonly maxFrameBytes: number) {
    super(
      "TESSERA_ERR_FRAME_TOO_LARGE",
      `frame of ${claimedBytes} bytes exceeds the maximum frame size of ${maxFrameBytes} bytes; ` +
        `raise maxFrameBytes on both ends if such messages are intended`,
    );
  }
}

/** The peer could not prove it knows the shared secret (or we could not prove it to the peer). */
export class AuthenticationError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_AUTHENTICATION", message);
  }
}

/** The two ends speak different protocol versions. */
export class VersionMismatchError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_VERSION_MISMATCH", message);
  }
}

/** The handshake did not finish in time. */
export class HandshakeTimeoutError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_HANDSHAKE_TIMEOUT", message);
  }
}

/** Could not open a connection (refused, unreachable, timed out, closed during the handshake). */
export class ConnectError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("TESSERA_ERR_CONNECT", message, options);
  }
}

/** An address string that is not tcp://HOST:PORT or tls://HOST:PORT. */
export class AddressError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_ADDRESS", message);
  }
}

/** Secret/TLS configuration is missing, unreadable or unsafe (e.g. a secret file readable by others). */
export class SecurityConfigError extends TesseraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("TESSERA_ERR_SECURITY_CONFIG", message, options);
  }
}

/** send() on a Comm that is already closed. */
export class CommClosedError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_COMM_CLOSED", message);
  }
}
