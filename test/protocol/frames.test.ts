import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { MessageReader, MessageWriter, KIND_HEADER, KIND_RAW, PREFIX_BYTES } from "../../src/protocol/frames.js";
import { encodeMessage, PLACEHOLDER_EXT } from "../../src/protocol/codec.js";
import { FrameTooLargeError, ProtocolError } from "../../src/util/errors.js";

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function encodeAll(msgs: unknown[], maxFrameBytes?: number): Uint8Array {
  const w = new MessageWriter(maxFrameBytes ? { maxFrameBytes } : {});
  for (const m of msgs) w.write(m);
  return concat(w.take());
}

/** Feeds `bytes` split at the given cut points, each piece copied into a fresh buffer at a random offset. */
function feedSplit(reader: MessageReader, bytes: Uint8Array, cuts: number[], misalign = 0): void {
  const points = [...new Set(cuts.map((c) => c % (bytes.byteLength + 1)))].sort((a, b) => a - b);
  let prev = 0;
  for (const p of [...points, bytes.byteLength]) {
    if (p <= prev) continue;
    const piece = new Uint8Array(new ArrayBuffer(p - prev + misalign), misalign, p - prev);
    piece.set(bytes.subarray(prev, p));
    reader.feed(piece);
    prev = p;
  }
}

function prefix(length: number, kind: number, count: number): Uint8Array {
  const b = new Uint8Array(PREFIX_BYTES);
  const v = new DataView(b.buffer);
  v.setUint32(0, length, true);
  v.setUint32(4, ((kind << 24) | count) >>> 0, true);
  return b;
}

function frame(kind: number, count: number, payload: Uint8Array): Uint8Array {
  const pad = (8 - (payload.byteLength % 8)) % 8;
  return concat([prefix(payload.byteLength, kind, count), payload, new Uint8Array(pad)]);
}

test("messages survive any split of the byte stream, typed arrays arriving aligned and intact", () => {
  const big = new Float64Array(5000).map((_, i) => i * 0.5);
  const msgs = [
    { op: "a", n: 1, s: "x", u: undefined, b: 12345678901234567890n, neg: -5n, nested: { deep: [1, { x: null }] } },
    { op: "arrays", f64: big, parts: [new Int32Array([1, -2, 3]), { u8: new Uint8Array([7, 8, 9]) }], bi: new BigInt64Array([1n, -1n]) },
    { op: "odd", odd: new Uint8Array(13).fill(3), f32: new Float32Array([1.5, 2.5, 3.5]), u16: new Uint16Array(3).fill(9) },
    { op: "buf", data: Buffer.from("hello"), m: new Map<string, unknown>([["k", new Float64Array([4])]]) },
  ];
  const bytes = encodeAll(msgs);
  fc.assert(
    fc.property(fc.array(fc.nat({ max: bytes.byteLength }), { maxLength: 40 }), fc.nat({ max: 7 }), (cuts, misalign) => {
      const got: any[] = [];
      const r = new MessageReader({ onMessage: (m) => got.push(m) });
      feedSplit(r, bytes, cuts, misalign);
      assert.equal(got.length, msgs.length);
      assert.equal(r.midMessage, false);
      assert.deepEqual(got[0], msgs[0]);
      assert.ok(got[1].f64 instanceof Float64Array);
      assert.equal(got[1].f64.byteOffset % 8, 0);
      assert.deepEqual(Array.from(got[1].f64), Array.from(big));
      assert.deepEqual(Array.from(got[1].parts[0]), [1, -2, 3]);
      assert.ok(got[1].parts[1].u8 instanceof Uint8Array);
      assert.deepEqual(Array.from(got[1].parts[1].u8), [7, 8, 9]);
      assert.deepEqual(Array.from(got[1].bi), [1n, -1n]);
      assert.ok(got[1].bi instanceof BigInt64Array);
      for (const ta of [got[1].parts[0], got[1].bi, got[2].odd, got[2].f32, got[2].u16]) assert.equal(ta.byteOffset % 8, 0);
      assert.deepEqual(Array.from(got[2].f32), [1.5, 2.5, 3.5]);
      assert.ok(Buffer.isBuffer(got[3].data));
      assert.equal(got[3].data.toString(), "hello");
      assert.deepEqual(Array.from(got[3].m.k), [4]); // msgpack maps decode as plain objects
    }),
    { numRuns: 300 },
  );
});

test("direct reads: a big array's bytes land straight in the typed array it is delivered in; the rest goes through a reused scratch buffer", () => {
  const big = new Float64Array(100_000).map((_, i) => i * 0.25);
  const msgs = [
    { op: "pre", x: new Float64Array([1, 2]) },
    { op: "chunk", chunk: { dtype: "float64", shape: [100_000], data: big }, bin: new ArrayBuffer(3) },
    { op: "post", s: "after" },
  ];
  const bytes = encodeAll(msgs);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 200_000 }), { minLength: 1, maxLength: 30 }), (sizes) => {
      const got: any[] = [];
      const r = new MessageReader({ onMessage: (m) => got.push(m) });
      const targets = new Set<ArrayBufferLike>();
      let scratchWrites = 0;
      for (let at = 0, i = 0; at < bytes.byteLength; i++) {
        const target = r.readTarget();
        // A socket read: up to the target's length, as many bytes as have "arrived".
        const n = Math.min(target.byteLength, sizes[i % sizes.length]!, bytes.byteLength - at);
        target.set(bytes.subarray(at, at + n));
        if (target.byteLength === 64 * 1024) scratchWrites++;
        else targets.add(target.buffer);
        r.bytesRead(target, n);
        at += n;
      }
      assert.equal(got.length, 3);
      assert.equal(r.midMessage, false);
      const data: Float64Array = got[1].chunk.data;
      assert.ok(targets.has(data.buffer), "the array's buffer is the one the socket read into: no copy");
      assert.deepEqual(data, big);
      assert.deepEqual(Array.from(got[0].x), [1, 2]);
      assert.equal(got[2].s, "after");
      assert.ok(scratchWrites > 0);
      // Values decoded from a reused scratch buffer do not change when it is overwritten later.
      assert.deepEqual(Array.from(new Uint8Array(got[1].bin)), [0, 0, 0]);
    }),
    { numRuns: 100 },
  );
});

test("random messages round-trip through random splits (property)", () => {
  // "__proto__" keys are renamed by msgpackr (a prototype-pollution guard), tested separately below
  const value = fc.jsonValue({ maxDepth: 3 }).filter((v) => !JSON.stringify(v).includes('"__proto__"'));
  fc.assert(
    fc.property(fc.array(fc.record({ op: fc.string(), v: value, f: fc.float64Array({ maxLength: 20 }) }), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (msgs, cuts) => {
      const got: any[] = [];
      const r = new MessageReader({ onMessage: (m) => got.push(m) });
      feedSplit(r, encodeAll(msgs), cuts);
      assert.equal(got.length, msgs.length);
      for (let i = 0; i < msgs.length; i++) {
        assert.equal(got[i].op, msgs[i]!.op);
        assert.deepEqual(JSON.stringify(got[i].v), JSON.stringify(msgs[i]!.v));
        assert.ok(got[i].f instanceof Float64Array);
        assert.deepEqual(new Uint8Array(got[i].f.buffer, got[i].f.byteOffset, got[i].f.byteLength), new Uint8Array(msgs[i]!.f.buffer, msgs[i]!.f.byteOffset, msgs[i]!.f.byteLength));
      }
    }),
    { numRuns: 200 },
  );
});

test("a '__proto__' key from a peer cannot pollute prototypes", () => {
  const hostile = JSON.parse('{"op":"x","v":{"__proto__":{"polluted":true}}}');
  const got: any[] = [];
  new MessageReader({ onMessage: (m) => got.push(m) }).feed(encodeAll([hostile]));
  assert.equal(Object.getPrototypeOf(got[0].v), Object.prototype);
  assert.equal(({} as any).polluted, undefined);
  assert.equal(got[0].v.polluted, undefined);
});

test("objects with more than 65 535 keys and long arrays round-trip (big task graphs)", () => {
  const tasks: Record<string, unknown> = {};
  for (let i = 0; i < 70_000; i++) tasks[`inc-${i}`] = { op: "inc", args: [{ $ref: `x-${i}` }] };
  const got: any[] = [];
  new MessageReader({ onMessage: (m) => got.push(m) }).feed(encodeAll([{ op: "update-graph", tasks, keys: Object.keys(tasks) }]));
  assert.equal(Object.keys(got[0].tasks).length, 70_000);
  assert.deepEqual(got[0].tasks["inc-69999"], { op: "inc", args: [{ $ref: "x-69999" }] });
  assert.equal(got[0].keys.length, 70_000);
});

test("the header never contains the typed-array bytes", () => {
  const payload = new Float64Array(1000).fill(1.25);
  const { header, buffers } = encodeMessage({ op: "x", data: payload, list: [payload.subarray(1, 3)] });
  assert.ok(header.byteLength < 80, `header is ${header.byteLength} bytes`);
  assert.equal(buffers.length, 2);
  assert.equal(buffers[0], payload);
});

test("a message without typed arrays is encoded without copying the object", () => {
  const msg = { op: "x", a: [1, 2, { b: "c" }] };
  const { buffers } = encodeMessage(msg);
  assert.equal(buffers.length, 0);
});

test("a frame claiming more than the maximum fails on its 8-byte prefix, before the body is awaited", () => {
  const r = new MessageReader({ maxFrameBytes: 1024, onMessage: () => assert.fail("no message expected") });
  assert.throws(() => r.feed(prefix(0xfffffff0, KIND_HEADER, 0)), (e: unknown) => e instanceof FrameTooLargeError && /4294967280 bytes exceeds the maximum frame size of 1024/.test(e.message));
  // the reader stays failed
  assert.throws(() => r.feed(new Uint8Array(8)), FrameTooLargeError);
});

test("garbage bytes are refused", () => {
  const r = new MessageReader({ onMessage: () => assert.fail("no message expected") });
  assert.throws(() => r.feed(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n")), ProtocolError);
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 8, maxLength: 200 }), (bytes) => {
      const rr = new MessageReader({ maxFrameBytes: 1 << 20, onMessage: () => {} });
      try {
        rr.feed(bytes);
      } catch (e) {
        assert.ok(e instanceof ProtocolError || e instanceof FrameTooLargeError, String(e));
      }
    }),
  );
});

test("malformed header, trailing garbage, unknown placeholder type, wrong raw-frame count are protocol errors", () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ["malformed msgpack", frame(KIND_HEADER, 0, new Uint8Array([0xc1, 0xc1])), /malformed message header/],
    ["trailing garbage", frame(KIND_HEADER, 0, concat([encodeMessage({ op: "x" }).header, new Uint8Array([1, 2, 3])])), /malformed message header/],
    ["not an object", frame(KIND_HEADER, 0, encodeMessage(42).header), /string 'op'/],
    ["raw frame first", frame(KIND_RAW, 0, new Uint8Array(8)), /raw frame arrived where a message header/],
  ];
  // header referencing placeholder with type code 99
  const ph = new Uint8Array([0x81, 0xa2, 0x6f, 0x70, 0xc7, 10, PLACEHOLDER_EXT, 99, 0, 0, 0, 0, 0, 8, 0, 0, 0]);
  cases.push(["unknown placeholder type", concat([frame(KIND_HEADER, 1, ph), frame(KIND_RAW, 0, new Uint8Array(8))]), /unknown typed-array type code 99/]);
  // a valid typed-array header announcing 2 raw frames but referencing 1
  const one = encodeMessage({ op: "x", a: new Uint8Array(8) });
  cases.push(["unreferenced raw frame", concat([frame(KIND_HEADER, 2, one.header), frame(KIND_RAW, 0, new Uint8Array(8)), frame(KIND_RAW, 0, new Uint8Array(8))]), /carries 2 raw frames but its header refers to 1/]);
  cases.push(["placeholder length mismatch", concat([frame(KIND_HEADER, 1, one.header), frame(KIND_RAW, 0, new Uint8Array(16))]), /says 8 bytes, raw frame 0 has 16/]);
  for (const [name, bytes, re] of cases) {
    const r = new MessageReader({ onMessage: () => assert.fail(`${name}: no message expected`) });
    assert.throws(() => r.feed(bytes), (e: unknown) => e instanceof ProtocolError && re.test(e.message), name);
  }
});

test("a truncated message is visible as midMessage (the Comm reports it on close)", () => {
  const bytes = encodeAll([{ op: "x", a: new Float64Array(100) }]);
  for (const cut of [3, 8, 20, bytes.byteLength - 1]) {
    const r = new MessageReader({ onMessage: () => assert.fail("no message expected") });
    r.feed(bytes.subarray(0, cut));
    assert.equal(r.midMessage, true, `cut at ${cut}`);
  }
});

test("the writer refuses a message larger than its maximum, queueing nothing", () => {
  const w = new MessageWriter({ maxFrameBytes: 1024 });
  assert.throws(() => w.write({ op: "x", a: new Uint8Array(2048) }), FrameTooLargeError);
  assert.equal(w.pendingBytes, 0);
  assert.deepEqual(w.take(), []);
});
