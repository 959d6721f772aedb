/**
 * A hostile or broken peer, for the fuzz test and bench/chaos.ts: sends malformed, unauthenticated
 * and invalid-but-authenticated frames at a Tessera port (scheduler or worker) and counts them.
 * Every kind is deterministic given the seed.
 *
 * Kinds (one connection each unless said otherwise):
 *   random-bytes      8–600 random bytes
 *   huge-length       a frame prefix claiming 4 GiB − 16 bytes
 *   truncated         a prefix claiming 256 bytes, then 100 bytes, then end of stream
 *   bad-kind          a frame of an unknown kind
 *   garbage-msgpack   a well-framed header frame whose payload is not msgpack
 *   bad-hello         a well-formed hello with the wrong version or no nonce
 *   wrong-secret      a full client handshake with a wrong secret
 *   authenticated     a correct handshake, then a batch of messages with unknown ops or wrong field
 *                     types, and hostile ones that are well-formed: arguments nested 2000 deep, cycles,
 *                     `__proto__` keys, oversize keys, deep error objects (the whole batch on one connection)
 *   flood             many connections opened at once, held, then dropped (counted as connections)
 */
import { connect as netConnect, type Socket } from "node:net";
import { addExtension, pack } from "msgpackr";
import { connect, parseAddress, type Comm } from "../../src/protocol/index.js";
import { silentLogger } from "../../src/util/log.js";

export type HostileKind =
  | "random-bytes"
  | "huge-length"
  | "truncated"
  | "bad-kind"
  | "garbage-msgpack"
  | "bad-hello"
  | "wrong-secret"
  | "authenticated";

export interface FuzzReport {
  frames: number;
  connections: number;
  byKind: Record<string, number>;
}

export interface FuzzOptions {
  /** The port's cluster secret (for the authenticated kind). */
  secret: string;
  /** What listens there: decides which invalid authenticated messages are sent. */
  role: "scheduler" | "worker";
  /** Frames to send at least. */
  frames: number;
  seed?: number;
  /** Connections in flight at once (default 16). */
  concurrency?: number;
  /** Connections in each flood (default 300; 0 = no flood). */
  floodSize?: number;
  /** Stop early when this returns true. */
  stop?: () => boolean;
}

/**
 * msgpack bytes written as they are into a message (this process's encoder would overflow its own
 * stack on values as deep as a hand-made frame can carry).
 */
export class PrePacked {
  constructor(readonly bytes: Uint8Array) {}
}
addExtension({
  Class: PrePacked,
  type: 0x7e, // never written: pack() below writes the bytes themselves and returns nothing
  pack(v: PrePacked, allocate: (n: number) => { target: Uint8Array; position: number }) {
    const { target, position } = allocate(v.bytes.byteLength);
    target.set(v.bytes, position);
  },
} as unknown as Parameters<typeof addExtension>[0]);

/** `depth` arrays of one element each around the number 1, as msgpack: depth + 1 bytes. */
export function nestedArrays(depth: number): PrePacked {
  const b = new Uint8Array(depth + 1).fill(0x91);
  b[depth] = 0x01;
  return new PrePacked(b);
}

/** xorshift32: reproducible bytes. */
class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.#s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#s = x >>> 0;
    return this.#s;
  }
  int(n: number): number {
    return this.next() % n;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.next() & 0xff;
    return b;
  }
}

function frame(kind: number, count: number, payload: Uint8Array, claimed = payload.byteLength): Buffer {
  const pad = (8 - (payload.byteLength & 7)) & 7;
  const out = Buffer.alloc(8 + payload.byteLength + pad);
  out.writeUInt32LE(claimed >>> 0, 0);
  out.writeUInt32LE(((kind << 24) | count) >>> 0, 4);
  out.set(payload, 8);
  return out;
}

/** Write `chunks` on a fresh raw socket, end it, wait until the server closed it (≤ 2 s). */
function rawSend(host: string, port: number, chunks: Buffer[], holdMs = 0): Promise<void> {
  return new Promise((resolve) => {
    const s: Socket = netConnect({ host, port });
    const done = (): void => {
      clearTimeout(t);
      s.destroy();
      resolve();
    };
    const t = setTimeout(done, 2000 + holdMs);
    s.on("error", done);
    s.on("close", done);
    s.on("data", () => undefined);
    s.on("connect", () => {
      for (const c of chunks) s.write(c);
      if (holdMs > 0) setTimeout(() => s.end(), holdMs);
      else s.end();
    });
  });
}

function invalidSchedulerMessages(rng: Rng): { op: string; [k: string]: unknown }[] {
  const junk = (): unknown => [5, "x", null, { a: 1 }, [1, 2], true, -1.5, new Float64Array(2)][rng.int(8)];
  return [
    { op: "update-graph", tasks: junk(), wanted: junk() },
    { op: "update-graph", tasks: [{ key: 7, op: "call" }], wanted: [] },
    { op: "update-graph", tasks: [{ key: "k", op: "add", args: "no", deps: [1] }], wanted: ["k"] },
    { op: "client-desires-keys", keys: junk() },
    { op: "client-releases-keys", keys: [1, 2, 3] },
    { op: "cancel-keys", keys: { a: 1 } },
    { op: "who-has", id: "x", keys: junk() },
    { op: "scheduler-info", id: junk() },
    { op: "retire-workers", id: 1, names: 5 },
    { op: `no-such-op-${rng.int(1000)}`, payload: junk() },
    { op: "heartbeat-worker", metrics: junk() },
    { op: "task-finished", tasks: junk() },
    { op: "register-worker", address: 12, name: null, nthreads: "many" },
    // well-formed but hostile
    { op: "update-graph", tasks: [{ key: `deep-${rng.int(1000)}`, op: "identity", args: [nestedArrays(2000 + rng.int(3000))] }], wanted: [] },
    { op: "update-graph", tasks: [{ key: "cy-a", op: "identity", args: [], deps: ["cy-b"] }, { key: "cy-b", op: "identity", args: [], deps: ["cy-a"] }], wanted: ["cy-a"] },
    { op: "update-graph", tasks: [{ key: "__proto__", op: "identity", args: [1] }], wanted: ["__proto__"] },
    { op: "update-graph", tasks: [{ key: "x".repeat(5000 + rng.int(5000)), op: "identity", args: [1] }], wanted: [] },
    { op: "client-desires-keys", keys: ["__proto__", "constructor", "toString"] },
    { op: "who-has", id: 1, keys: ["__proto__", "hasOwnProperty"] },
    { op: "task-erred", tasks: [{ key: "nope", duration: 0, start: 0, error: { name: "E", message: "m", more: nestedArrays(3000) } }] },
    { op: "scheduler-info", id: 2, gc: nestedArrays(2500) },
  ];
}

function invalidWorkerMessages(rng: Rng): { op: string; [k: string]: unknown }[] {
  return [
    { op: "get-data", id: "x", keys: "all" },
    { op: "get-data", id: 1, keys: [1, { a: 2 }] },
    { op: "compute-tasks", tasks: 5, whoHas: [] },
    { op: "free-keys", keys: null },
    { op: `no-such-op-${rng.int(1000)}` },
    { op: "get-data", id: 1, keys: ["__proto__", "constructor"] },
    { op: "get-data", id: 2, keys: [nestedArrays(3000)] },
  ];
}

async function authenticatedBatch(address: string, secret: string, role: "scheduler" | "worker", rng: Rng, n: number): Promise<number> {
  let comm: Comm;
  try {
    comm = await connect(address, { security: { secret }, timeoutMs: 5000, log: silentLogger() });
  } catch {
    return 0;
  }
  const closed = new Promise<void>((r) => comm.onClose(() => r()));
  let sent = 0;
  const msgs = role === "scheduler" ? invalidSchedulerMessages(rng) : invalidWorkerMessages(rng);
  if (role === "scheduler" && rng.int(4) > 0) {
    // Registered as a client, then every message invalid: the scheduler must refuse each one.
    comm.send({ op: "register-client", name: "fuzz" });
    sent++;
  }
  for (let i = 0; i < n && !comm.closed; i++) {
    comm.send(msgs[rng.int(msgs.length)]!);
    sent++;
  }
  // Let the batch go out, then leave.
  await new Promise((r) => setTimeout(r, 20));
  comm.close("fuzz done");
  await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
  return sent;
}

async function wrongSecret(address: string, rng: Rng): Promise<number> {
  try {
    const c = await connect(address, { security: { secret: rng.bytes(32).toString("hex") }, timeoutMs: 3000, log: silentLogger() });
    c.close("unexpected success");
    throw new Error(`a wrong secret was accepted by ${address}`);
  } catch (e) {
    if ((e as Error).message.startsWith("a wrong secret was accepted")) throw e;
    return 2; // hello and auth (or the hello alone, refused)
  }
}

const KINDS: readonly HostileKind[] = ["random-bytes", "huge-length", "truncated", "bad-kind", "garbage-msgpack", "bad-hello", "wrong-secret", "authenticated"];

/** Sends at least `opts.frames` hostile frames at `address`; resolves with what was sent. */
export async function fuzzPort(address: string, opts: FuzzOptions): Promise<FuzzReport> {
  const { host, port } = parseAddress(address);
  const rng = new Rng(opts.seed ?? 1);
  const report: FuzzReport = { frames: 0, connections: 0, byKind: {} };
  const count = (kind: string, frames: number): void => {
    report.frames += frames;
    report.connections++;
    report.byKind[kind] = (report.byKind[kind] ?? 0) + frames;
  };
  const one = async (i: number): Promise<void> => {
    const kind = KINDS[i % KINDS.length]!;
    switch (kind) {
      case "random-bytes":
        await rawSend(host, port, [rng.bytes(8 + rng.int(600))]);
        return count(kind, 1);
      case "huge-length":
        await rawSend(host, port, [frame(0x48, 0, rng.bytes(16), 0xfffffff0)]);
        return count(kind, 1);
      case "truncated":
        await rawSend(host, port, [frame(0x48, 0, rng.bytes(256)).subarray(0, 108)]);
        return count(kind, 1);
      case "bad-kind":
        await rawSend(host, port, [frame(0x5a, rng.int(4), rng.bytes(32))]);
        return count(kind, 1);
      case "garbage-msgpack":
        await rawSend(host, port, [frame(0x48, 0, Buffer.concat([Buffer.from([0xc1]), rng.bytes(40)]))]);
        return count(kind, 1);
      case "bad-hello": {
        const hello = rng.int(2) === 0 ? { op: "tessera-hello", protocol: "tessera", version: 999, nonce: "00" } : { op: "tessera-hello", protocol: "tessera", version: 1 };
        await rawSend(host, port, [frame(0x48, 0, pack(hello))]);
        return count(kind, 1);
      }
      case "wrong-secret":
        return count(kind, await wrongSecret(address, rng));
      case "authenticated":
        return count(kind, await authenticatedBatch(address, opts.secret, opts.role, rng, 40));
    }
  };
  const concurrency = opts.concurrency ?? 16;
  let next = 0;
  const floodSize = opts.floodSize ?? 300;
  let flooded = false;
  const lane = async (): Promise<void> => {
    while (report.frames < opts.frames && !(opts.stop?.() ?? false)) {
      const i = next++;
      if (!flooded && floodSize > 0 && report.frames >= opts.frames / 2) {
        // Half-way: a flood of idle connections (more than the 256 unauthenticated allowed).
        flooded = true;
        await Promise.all(Array.from({ length: floodSize }, () => rawSend(host, port, [], 300)));
        report.connections += floodSize;
        report.byKind["flood-connections"] = floodSize;
      }
      await one(i);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return report;
}
