/**
 * ZMTP 3.0 (https://rfc.zeromq.org/spec/23/), the wire protocol of ZeroMQ, over node:net: just what
 * a Jupyter kernel needs — the NULL mechanism (Jupyter signs its messages itself, with HMAC) and the
 * server side of ROUTER (shell, control, stdin), PUB (iopub) and REP (heartbeat) sockets. Peers are
 * libzmq's DEALER, SUB and REQ sockets in jupyter_client. No native module: `zeromq` on npm downloads
 * a prebuilt binary at install time, which offline HPC sites (and this project's CI) cannot do.
 *
 * The parser (`ZmtpParser`) is IO-free: bytes in, greeting / commands / messages out.
 */
import { createServer, type Server, type Socket } from "node:net";
import { TesseraError } from "../../util/errors.js";

export type SocketType = "ROUTER" | "PUB" | "REP";

const FLAG_MORE = 0x01;
const FLAG_LONG = 0x02;
const FLAG_COMMAND = 0x04;
/** Frames above this are refused (Jupyter messages are small; buffers could be large, but not this). */
const MAX_FRAME = 512 * 1024 * 1024;

export class ZmtpError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_ZMTP", message);
  }
}

/** Our greeting: signature, version 3.0, mechanism NULL, as-server 0, filler. 64 bytes. */
export function greeting(): Buffer {
  const g = Buffer.alloc(64);
  g[0] = 0xff;
  g[8] = 0x01; // padding as libzmq writes it (length + 1 of an empty identity, for ZMTP 1.0 peers)
  g[9] = 0x7f;
  g[10] = 3;
  g[11] = 0;
  g.write("NULL", 12, "ascii");
  return g;
}

/** One frame: flags, 1- or 8-byte size, body. */
export function encodeFrame(body: Uint8Array, more: boolean, command = false): Buffer {
  const long = body.length > 255;
  const head = Buffer.alloc(long ? 9 : 2);
  head[0] = (more ? FLAG_MORE : 0) | (long ? FLAG_LONG : 0) | (command ? FLAG_COMMAND : 0);
  if (long) head.writeBigUInt64BE(BigInt(body.length), 1);
  else head[1] = body.length;
  return Buffer.concat([head, body]);
}

/** A command frame: name length, name, data. */
export function encodeCommand(name: string, data: Buffer): Buffer {
  const n = Buffer.from(name, "ascii");
  return encodeFrame(Buffer.concat([Buffer.from([n.length]), n, data]), false, true);
}

/** READY's metadata: name length (1 byte), name, value length (4 bytes), value. */
export function encodeMetadata(props: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(props)) {
    const key = Buffer.from(k, "ascii");
    const val = Buffer.from(v, "utf8");
    const len = Buffer.alloc(4);
    len.writeUInt32BE(val.length);
    parts.push(Buffer.from([key.length]), key, len, val);
  }
  return Buffer.concat(parts);
}

export function decodeMetadata(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const kl = data[i]!;
    if (i + 1 + kl + 4 > data.length) throw new ZmtpError("truncated READY metadata");
    const key = data.subarray(i + 1, i + 1 + kl).toString("ascii");
    const vl = data.readUInt32BE(i + 1 + kl);
    const start = i + 1 + kl + 4;
    if (start + vl > data.length) throw new ZmtpError("truncated READY metadata value");
    out[key] = data.subarray(start, start + vl).toString("utf8");
    i = start + vl;
  }
  return out;
}

export type ParserEvent =
  | { kind: "greeting"; major: number; minor: number; mechanism: string }
  | { kind: "command"; name: string; data: Buffer }
  | { kind: "message"; frames: Buffer[] };

/** Bytes in, events out. Throws ZmtpError on a malformed stream. */
export class ZmtpParser {
  #buf: Buffer = Buffer.alloc(0);
  #greeted = false;
  #frames: Buffer[] = [];

  push(chunk: Buffer): ParserEvent[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: ParserEvent[] = [];
    if (!this.#greeted) {
      if (this.#buf.length >= 1 && this.#buf[0] !== 0xff) throw new ZmtpError("not a ZMTP peer (bad signature)");
      if (this.#buf.length < 64) return out;
      const g = this.#buf.subarray(0, 64);
      if (g[9] !== 0x7f) throw new ZmtpError("not a ZMTP peer (bad signature)");
      const mechanism = g.subarray(12, 32).toString("ascii").replace(/\0+$/, "");
      if (g[10]! < 3) throw new ZmtpError(`ZMTP ${g[10]}.${g[11]} is too old; version 3 is needed`);
      out.push({ kind: "greeting", major: g[10]!, minor: g[11]!, mechanism });
      this.#buf = this.#buf.subarray(64);
      this.#greeted = true;
    }
    for (;;) {
      if (this.#buf.length < 2) break;
      const flags = this.#buf[0]!;
      let size: number;
      let head: number;
      if (flags & FLAG_LONG) {
        if (this.#buf.length < 9) break;
        const big = this.#buf.readBigUInt64BE(1);
        if (big > BigInt(MAX_FRAME)) throw new ZmtpError(`frame of ${big} bytes is over the limit of ${MAX_FRAME}`);
        size = Number(big);
        head = 9;
      } else {
        size = this.#buf[1]!;
        head = 2;
      }
      if (this.#buf.length < head + size) break;
      const body = Buffer.from(this.#buf.subarray(head, head + size));
      this.#buf = this.#buf.subarray(head + size);
      if (flags & FLAG_COMMAND) {
        const nl = body[0] ?? 0;
        out.push({ kind: "command", name: body.subarray(1, 1 + nl).toString("ascii"), data: body.subarray(1 + nl) });
        continue;
      }
      this.#frames.push(body);
      if (!(flags & FLAG_MORE)) {
        out.push({ kind: "message", frames: this.#frames });
        this.#frames = [];
      }
    }
    return out;
  }
}

/** One peer connection after the handshake. */
export class ZmtpPeer {
  readonly #socket: Socket;
  #ready = false;
  #queue: Buffer[][] = [];

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  get closed(): boolean {
    return this.#socket.destroyed;
  }

  /** Send a multipart message (queued until the handshake is done). */
  send(frames: readonly (Buffer | string)[]): void {
    const bufs = frames.map((f) => (typeof f === "string" ? Buffer.from(f, "utf8") : f));
    if (!this.#ready) {
      this.#queue.push(bufs);
      return;
    }
    if (this.#socket.destroyed) return;
    this.#socket.write(Buffer.concat(bufs.map((b, i) => encodeFrame(b, i < bufs.length - 1))));
  }

  markReady(): void {
    this.#ready = true;
    for (const m of this.#queue.splice(0)) this.send(m);
  }

  close(): void {
    this.#socket.destroy();
  }
}

/**
 * A bound ZMTP socket: accepts peers, handshakes as `type`, hands each message to `onMessage` with
 * the peer it came from (a ROUTER replies to that peer; a REP echoes; a PUB sends to all).
 */
export class ZmtpSocket {
  readonly type: SocketType;
  readonly #server: Server;
  readonly #peers = new Set<ZmtpPeer>();
  onMessage: (frames: Buffer[], peer: ZmtpPeer) => void = () => {};
  onError: (err: Error) => void = () => {};

  constructor(type: SocketType) {
    this.type = type;
    this.#server = createServer((s) => this.#accept(s));
  }

  bind(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(port, host, () => {
        this.#server.off("error", reject);
        const a = this.#server.address();
        resolve(typeof a === "object" && a ? a.port : port);
      });
    });
  }

  /** To every connected peer (PUB). */
  broadcast(frames: readonly (Buffer | string)[]): void {
    for (const p of this.#peers) p.send(frames);
  }

  get peerCount(): number {
    return this.#peers.size;
  }

  close(): Promise<void> {
    for (const p of this.#peers) p.close();
    return new Promise((r) => this.#server.close(() => r()));
  }

  #accept(socket: Socket): void {
    socket.setNoDelay(true);
    const peer = new ZmtpPeer(socket);
    const parser = new ZmtpParser();
    socket.write(greeting());
    this.#peers.add(peer);
    socket.on("data", (chunk: Buffer) => {
      let events: ParserEvent[];
      try {
        events = parser.push(chunk);
      } catch (err) {
        this.onError(err as Error);
        socket.destroy();
        return;
      }
      for (const ev of events) {
        if (ev.kind === "greeting") {
          if (ev.mechanism !== "NULL") {
            this.onError(new ZmtpError(`peer asks for the ${ev.mechanism} mechanism; this kernel speaks NULL (messages are HMAC-signed)`));
            socket.destroy();
            return;
          }
          socket.write(encodeCommand("READY", encodeMetadata({ "Socket-Type": this.type })));
        } else if (ev.kind === "command") {
          if (ev.name === "READY") peer.markReady();
          else if (ev.name === "PING") {
            // ZMTP 3.1 heartbeat: PONG with the context the PING carried (after its 2-byte TTL).
            socket.write(encodeCommand("PONG", ev.data.subarray(2)));
          } else if (ev.name === "ERROR") {
            socket.destroy();
          }
          // SUBSCRIBE/CANCEL: a PUB here sends everything; Jupyter's SUB subscribes to everything.
        } else if (this.type === "PUB") {
          // ZMTP 3.0 subscriptions arrive as messages (first byte 1 = subscribe, 0 = cancel): ignored.
        } else {
          this.onMessage(ev.frames, peer);
        }
      }
    });
    const drop = () => this.#peers.delete(peer);
    socket.on("close", drop);
    socket.on("error", drop);
  }
}
