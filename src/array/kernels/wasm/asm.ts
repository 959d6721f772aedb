/**
 * An instruction emitter for function bodies: methods append opcodes (with immediates) so that
 * code generators read like the WebAssembly text format. Scalar opcodes from the core spec;
 * SIMD ones (prefix 0xFD) from the fixed-width SIMD spec.
 */
import { ByteWriter, ValType } from "./encoder.js";

/** Core opcodes used by Tessera's generators. */
export const Op = {
  unreachable: 0x00, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d,
  return: 0x0f, call: 0x10, drop: 0x1a, select: 0x1b,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load: 0x28, i64Load: 0x29, f64Load: 0x2b, i32Store: 0x36, i64Store: 0x37, f64Store: 0x39,
  i32Load8U: 0x2d, i32Store8: 0x3a,
  i32Const: 0x41, i64Const: 0x42, f64Const: 0x44,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtS: 0x48, i32LtU: 0x49, i32GtS: 0x4a, i32GtU: 0x4b,
  i32LeS: 0x4c, i32LeU: 0x4d, i32GeS: 0x4e, i32GeU: 0x4f,
  i64Eqz: 0x50, i64Eq: 0x51, i64Ne: 0x52, i64LtU: 0x54, i64LeU: 0x58, i64GeU: 0x5a,
  f64Eq: 0x61, f64Ne: 0x62, f64Lt: 0x63, f64Gt: 0x64, f64Le: 0x65, f64Ge: 0x66,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32And: 0x71, i32Or: 0x72, i32Xor: 0x73, i32Shl: 0x74,
  i32ShrS: 0x75, i32ShrU: 0x76,
  i64Add: 0x7c, i64Sub: 0x7d, i64Mul: 0x7e, i64And: 0x83, i64Or: 0x84, i64Xor: 0x85, i64Shl: 0x86,
  i64ShrS: 0x87, i64ShrU: 0x88, i64Rotl: 0x89,
  f64Abs: 0x99, f64Neg: 0x9a, f64Ceil: 0x9b, f64Floor: 0x9c, f64Trunc: 0x9d, f64Sqrt: 0x9f,
  f64Add: 0xa0, f64Sub: 0xa1, f64Mul: 0xa2, f64Div: 0xa3, f64Min: 0xa4, f64Max: 0xa5,
  i32WrapI64: 0xa7, i64ExtendI32U: 0xad, i64TruncF64U: 0xb1,
  f64ConvertI32S: 0xb7, f64ConvertI64U: 0xba, i64ReinterpretF64: 0xbd, f64ReinterpretI64: 0xbf,
} as const;

/** SIMD opcodes (after the 0xFD prefix). */
export const Simd = {
  v128Load: 0x00, v128Load64Splat: 0x0a, v128Store: 0x0b, v128Const: 0x0c, i8x16Shuffle: 0x0d,
  i64x2Splat: 0x12, f64x2Splat: 0x14, i64x2ExtractLane: 0x1d, f64x2ExtractLane: 0x21,
  f64x2ReplaceLane: 0x22,
  f64x2Eq: 0x47, f64x2Ne: 0x48, f64x2Lt: 0x49, f64x2Gt: 0x4a, f64x2Le: 0x4b, f64x2Ge: 0x4c,
  v128Not: 0x4d, v128And: 0x4e, v128AndNot: 0x4f, v128Or: 0x50, v128Xor: 0x51, v128Bitselect: 0x52,
  v128AnyTrue: 0x53, v128Load64Lane: 0x57, v128Store64Lane: 0x5b, v128Load64Zero: 0x5d,
  f32x4DemoteF64x2Zero: 0x5e, f64x2PromoteLowF32x4: 0x5f,
  f64x2Ceil: 0x74, f64x2Floor: 0x75, f64x2Trunc: 0x7a,
  i64x2Neg: 0xc1, i64x2AllTrue: 0xc3, i64x2Shl: 0xcb, i64x2ShrU: 0xcd, i64x2Add: 0xce, i64x2Sub: 0xd1,
  i64x2Eq: 0xd6,
  f64x2Abs: 0xec, f64x2Neg: 0xed, f64x2Sqrt: 0xef, f64x2Add: 0xf0, f64x2Sub: 0xf1, f64x2Mul: 0xf2,
  f64x2Div: 0xf3, f64x2Min: 0xf4, f64x2Max: 0xf5,
} as const;

/** Log2 of natural alignment per access width in bytes. */
function alignOf(bytes: number): number {
  return bytes === 16 ? 4 : bytes === 8 ? 3 : bytes === 4 ? 2 : bytes === 2 ? 1 : 0;
}

export class Asm {
  readonly w = new ByteWriter();
  readonly locals: ValType[] = [];
  readonly #paramCount: number;

  constructor(params: readonly ValType[]) {
    this.#paramCount = params.length;
  }

  /** Allocates a new local of type t; returns its index. */
  local(t: ValType): number {
    this.locals.push(t);
    return this.#paramCount + this.locals.length - 1;
  }

  get body(): readonly number[] {
    return this.w.bytes;
  }

  op(code: number): this {
    this.w.byte(code);
    return this;
  }

  simd(code: number): this {
    this.w.byte(0xfd).u32(code);
    return this;
  }

  get(i: number): this { this.w.byte(Op.localGet).u32(i); return this; }
  set(i: number): this { this.w.byte(Op.localSet).u32(i); return this; }
  tee(i: number): this { this.w.byte(Op.localTee).u32(i); return this; }
  i32(v: number): this { this.w.byte(Op.i32Const).s32(v); return this; }
  i64(v: bigint): this { this.w.byte(Op.i64Const).s64(v); return this; }
  f64(v: number): this { this.w.byte(Op.f64Const).f64(v); return this; }
  call(f: number): this { this.w.byte(Op.call).u32(f); return this; }
  br(depth: number): this { this.w.byte(Op.br).u32(depth); return this; }
  brIf(depth: number): this { this.w.byte(Op.brIf).u32(depth); return this; }
  block(): this { this.w.byte(Op.block, 0x40); return this; }
  loop(): this { this.w.byte(Op.loop, 0x40); return this; }
  /** `if` with an empty block type, or producing one value of type `result`. */
  if_(result?: ValType): this { this.w.byte(Op.if, result ?? 0x40); return this; }
  else_(): this { this.w.byte(Op.else); return this; }
  end(): this { this.w.byte(Op.end); return this; }

  /** A memory access (load or store) of `bytes` width at static offset. */
  mem(code: number, bytes: number, offset = 0): this {
    this.w.byte(code).u32(alignOf(bytes)).u32(offset);
    return this;
  }

  simdMem(code: number, bytes: number, offset = 0): this {
    this.simd(code);
    this.w.u32(alignOf(bytes)).u32(offset);
    return this;
  }

  v128load(offset = 0): this { return this.simdMem(Simd.v128Load, 16, offset); }
  v128store(offset = 0): this { return this.simdMem(Simd.v128Store, 16, offset); }
  f64load(offset = 0): this { return this.mem(Op.f64Load, 8, offset); }
  f64store(offset = 0): this { return this.mem(Op.f64Store, 8, offset); }
  i64load(offset = 0): this { return this.mem(Op.i64Load, 8, offset); }
  i64store(offset = 0): this { return this.mem(Op.i64Store, 8, offset); }

  /** v128.load64_lane / store64_lane: memarg then lane index. */
  lane64(code: number, lane: number, offset = 0): this {
    this.simdMem(code, 8, offset);
    this.w.byte(lane);
    return this;
  }

  extractF64(lane: number): this { this.simd(Simd.f64x2ExtractLane); this.w.byte(lane); return this; }
  extractI64(lane: number): this { this.simd(Simd.i64x2ExtractLane); this.w.byte(lane); return this; }

  /** v128.const from 16 bytes. */
  v128const(bytes: readonly number[]): this {
    this.simd(Simd.v128Const);
    this.w.byte(...bytes);
    return this;
  }

  f64x2const(a: number, b = a): this {
    const dv = new DataView(new ArrayBuffer(16));
    dv.setFloat64(0, a, true);
    dv.setFloat64(8, b, true);
    return this.v128const(Array.from(new Uint8Array(dv.buffer)));
  }

  i64x2const(a: bigint, b = a): this {
    const dv = new DataView(new ArrayBuffer(16));
    dv.setBigUint64(0, BigInt.asUintN(64, a), true);
    dv.setBigUint64(8, BigInt.asUintN(64, b), true);
    return this.v128const(Array.from(new Uint8Array(dv.buffer)));
  }
}
