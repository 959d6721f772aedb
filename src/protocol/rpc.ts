/**
 * Request/response over Comms, and a pool of outgoing connections keyed by address. Used by workers
 * (fetching inputs from peers) and clients (gathering results). A request carries an `id`; the answer
 * is the first message with the same id. Connections are opened once and reused.
 */
import { connect } from "./tcp.js";
import type { Comm } from "./comm.js";
import type { Security } from "./security.js";
import type { Logger } from "../util/log.js";
import { ClosedError, CommClosedError } from "../util/errors.js";

interface Pending {
  resolve: (msg: Record<string, unknown>) => void;
  reject: (err: Error) => void;
}

interface Conn {
  comm: Promise<Comm>;
  pending: Map<number, Pending>;
}

export class ConnectionPool {
  readonly #security: Security;
  readonly #log: Logger | undefined;
  readonly #timeoutMs: number;
  #conns = new Map<string, Conn>();
  #nextId = 1;
  #closed = false;

  constructor(opts: { security: Security; log?: Logger; connectTimeoutMs?: number }) {
    this.#security = opts.security;
    this.#log = opts.log;
    this.#timeoutMs = opts.connectTimeoutMs ?? 10_000;
  }

  #conn(address: string): Conn {
    let c = this.#conns.get(address);
    if (c !== undefined) return c;
    const pending = new Map<number, Pending>();
    const opts: { security: Security; timeoutMs: number; log?: Logger } = { security: this.#security, timeoutMs: this.#timeoutMs };
    if (this.#log) opts.log = this.#log;
    const comm = connect(address, opts).then((comm) => {
      comm.onMessage((msg: Record<string, unknown>) => {
        const id = msg["id"];
        if (typeof id !== "number") return;
        const p = pending.get(id);
        if (p === undefined) return;
        pending.delete(id);
        p.resolve(msg);
      });
      comm.onClose((reason) => {
        if (this.#conns.get(address) === c) this.#conns.delete(address);
        const err = new CommClosedError(`connection to ${address} closed: ${reason}`);
        for (const p of pending.values()) p.reject(err);
        pending.clear();
      });
      if (this.#closed) comm.close("pool closed");
      return comm;
    });
    c = { comm, pending };
    this.#conns.set(address, c);
    comm.catch(() => {
      if (this.#conns.get(address) === c) this.#conns.delete(address);
    });
    return c;
  }

  /** Sends `msg` with a fresh id to `address` and resolves with the answer carrying that id. */
  async request<R extends Record<string, unknown>>(address: string, msg: { op: string; [k: string]: unknown }): Promise<R> {
    if (this.#closed) throw new ClosedError("connection pool is closed");
    const c = this.#conn(address);
    const comm = await c.comm;
    const id = this.#nextId++;
    return new Promise<R>((resolve, reject) => {
      if (comm.closed) {
        reject(new CommClosedError(`connection to ${address} is closed`));
        return;
      }
      c.pending.set(id, { resolve: resolve as (m: Record<string, unknown>) => void, reject });
      comm.send({ ...msg, id });
    });
  }

  /** Drop the connection to `address` (e.g. the peer left). */
  forget(address: string): void {
    const c = this.#conns.get(address);
    if (!c) return;
    this.#conns.delete(address);
    c.comm.then((comm) => comm.close("forgotten"), () => undefined);
  }

  close(): void {
    this.#closed = true;
    for (const c of this.#conns.values()) c.comm.then((comm) => comm.close("pool closed"), () => undefined);
    this.#conns.clear();
  }
}
