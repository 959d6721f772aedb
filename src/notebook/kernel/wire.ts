/**
 * Jupyter messages on the wire (https://jupyter-client.readthedocs.io/en/stable/messaging.html):
 * [routing ids…, "<IDS|MSG>", HMAC-SHA256 hex of the next four, header, parent_header, metadata,
 * content, buffers…]. Pure functions; a message with a wrong signature is refused.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { TesseraError } from "../../util/errors.js";

export const DELIMITER = "<IDS|MSG>";
export const PROTOCOL_VERSION = "5.3";

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export interface JupyterMessage {
  /** Frames before the delimiter (routing ids, or an iopub topic). */
  ids: Buffer[];
  header: Header;
  parent_header: Partial<Header>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  buffers: Buffer[];
}

export class WireError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_JUPYTER_WIRE", message);
  }
}

export function sign(key: string, parts: readonly Buffer[]): string {
  if (key === "") return "";
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

export function decode(frames: readonly Buffer[], key: string): JupyterMessage {
  const at = frames.findIndex((f) => f.length === DELIMITER.length && f.toString("ascii") === DELIMITER);
  if (at < 0 || frames.length < at + 6) throw new WireError(`a Jupyter message needs '${DELIMITER}' and 5 frames after it; got ${frames.length} frames`);
  const sig = frames[at + 1]!.toString("ascii");
  const parts = frames.slice(at + 2, at + 6);
  if (key !== "") {
    const want = Buffer.from(sign(key, parts), "ascii");
    const got = Buffer.from(sig, "ascii");
    if (want.length !== got.length || !timingSafeEqual(want, got)) throw new WireError("message signature does not match the connection file's key");
  }
  const json = (b: Buffer, what: string): Record<string, unknown> => {
    try {
      return JSON.parse(b.toString("utf8")) as Record<string, unknown>;
    } catch {
      throw new WireError(`the ${what} frame is not JSON`);
    }
  };
  return {
    ids: frames.slice(0, at),
    header: json(parts[0]!, "header") as unknown as Header,
    parent_header: json(parts[1]!, "parent_header") as Partial<Header>,
    metadata: json(parts[2]!, "metadata"),
    content: json(parts[3]!, "content"),
    buffers: frames.slice(at + 6),
  };
}

export function encode(msg: Omit<JupyterMessage, "buffers"> & { buffers?: Buffer[] }, key: string): Buffer[] {
  const parts = [msg.header, msg.parent_header, msg.metadata, msg.content].map((p) => Buffer.from(JSON.stringify(p), "utf8"));
  return [...msg.ids, Buffer.from(DELIMITER), Buffer.from(sign(key, parts), "ascii"), ...parts, ...(msg.buffers ?? [])];
}

export function newHeader(msgType: string, session: string): Header {
  return { msg_id: randomUUID(), session, username: "tessera", date: new Date().toISOString(), msg_type: msgType, version: PROTOCOL_VERSION };
}
