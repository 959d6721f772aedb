// The WebAssembly binary encoder on raw bytes, and a small module built with it, run for real.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ByteWriter, ModuleBuilder, ValType } from "../../src/array/kernels/wasm/encoder.js";
import { Asm, Op, Simd } from "../../src/array/kernels/wasm/asm.js";

test("LEB128 encodings match the spec's examples", () => {
  assert.deepEqual(new ByteWriter().u32(0).bytes, [0x00]);
  assert.deepEqual(new ByteWriter().u32(624485).bytes, [0xe5, 0x8e, 0x26]);
  assert.deepEqual(new ByteWriter().u32(0xffffffff).bytes, [0xff, 0xff, 0xff, 0xff, 0x0f]);
  assert.deepEqual(new ByteWriter().s32(-123456).bytes, [0xc0, 0xbb, 0x78]);
  assert.deepEqual(new ByteWriter().s32(63).bytes, [0x3f]);
  assert.deepEqual(new ByteWriter().s32(64).bytes, [0xc0, 0x00]);
  assert.deepEqual(new ByteWriter().s64(-1n).bytes, [0x7f]);
  assert.deepEqual(new ByteWriter().s64(0x9e3779b97f4a7c15n).bytes.length, 10);
  assert.deepEqual(new ByteWriter().f64(1).bytes, [0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
});

test("a module with scalar, SIMD, memory and calls validates and computes", () => {
  const mb = new ModuleBuilder();
  const helper = mb.declareFunc();
  const main = mb.declareFunc();
  const h = new Asm([ValType.i64]);
  h.get(0).i64(0x9e3779b97f4a7c15n).op(Op.i64Mul);
  mb.defineFunc(helper, { params: [ValType.i64], results: [ValType.i64] }, h.locals, h.body);
  // main(p): mem[p..p+16) = f64x2(2.5, -1) * mem[p..p+16); returns helper(3) as i64
  const a = new Asm([ValType.i32]);
  a.get(0).get(0).v128load(0).f64x2const(2.5, -1).simd(Simd.f64x2Mul).v128store(0);
  a.i64(3n).call(helper);
  mb.defineFunc(main, { params: [ValType.i32], results: [ValType.i64] }, a.locals, a.body, "main");
  const bytes = mb.build();
  assert.ok(WebAssembly.validate(bytes));
  const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as { main: (p: number) => bigint; memory: WebAssembly.Memory };
  const f = new Float64Array(ex.memory.buffer, 16, 2);
  f.set([4, 8]);
  assert.equal(ex.main(16), BigInt.asIntN(64, 3n * 0x9e3779b97f4a7c15n));
  assert.deepEqual(Array.from(f), [10, -8]);
  const m2 = new ModuleBuilder();
  m2.declareFunc();
  assert.throws(() => m2.importFunc("m", "g", { params: [], results: [] }), /declare imports before functions/);
  assert.throws(() => m2.build(), /function 0 declared but not defined/);
});
