export { parseAddress, formatAddress, type ParsedAddress, type Scheme } from "./address.js";
export { Security, TEMPORARY_CERT_NAME, type TlsMaterial } from "./security.js";
export { type Comm, type Message, FramedComm } from "./comm.js";
export type { Transport } from "./transport.js";
export {
  listen,
  connect,
  type Listener,
  type ListenOptions,
  type ConnectOptions,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_PENDING_HANDSHAKES,
} from "./tcp.js";
export { DEFAULT_MAX_FRAME_BYTES, MessageReader, MessageWriter } from "./frames.js";
export { encodeMessage, decodeMessage, type TypedArray } from "./codec.js";
export { PROTOCOL_VERSION, PROTOCOL_NAME, HANDSHAKE_MAX_FRAME_BYTES } from "./handshake.js";
