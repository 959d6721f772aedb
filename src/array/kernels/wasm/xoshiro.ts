/**
 * Emits the WebAssembly version of the index-determined generator specified in
 * src/array/random/stream.ts (read the SPEC there): xoshiro256+ in 8 lanes per block of 2^10
 * elements, seeded by splitmix64 from (key, block, lane). The bulk path runs the 8 lanes as four
 * independent sets of i64x2 vectors (more independent work per iteration hides latency); lane
 * pairs (2v, 2v+1) sit in one vector, so a group of 8 outputs is stored with four v128 stores.
 *
 * Generator state in linear memory at `st` (GEN_STATE_BYTES bytes, 16-byte aligned):
 *   st + (w*8 + lane)*8   state word w (0..3) of lane (0..7), little-endian u64
 *   st + 256              key K (u64)
 *   st + 264              global index of the next element the state yields; -1 = none
 */
import { Asm, Op, Simd } from "./asm.js";
import { ModuleBuilder, ValType } from "./encoder.js";
import { BLOCK_BITS, BLOCK_SIZE } from "../../random/stream.js";

export const GEN_STATE_BYTES = 272;
const KEY_AT = 256;
const NEXT_AT = 264;
const GOLDEN = 0x9e3779b97f4a7c15n;
const ONE_BITS = 0x3ff0000000000000n;
const BITS = BigInt(BLOCK_BITS);
const BLOCK_MASK = BLOCK_SIZE - 1;
/** reseed steps lane by lane when g is fewer than this many elements ahead in the same block. */
const SCALAR_FORWARD = 64;

export interface GenFunctions {
  /** gen(st: i32, out: i32, start: f64, n: i32): writes U(start..start+n) as f64 at out. */
  readonly gen: number;
  /** seek(st: i32, start: f64): makes the state yield element `start` next (reseeds if needed). */
  readonly seek: number;
  /** reseed(st: i32, g: i64): positions the state at element g unconditionally (see seek). */
  readonly reseed: number;
}

const { i32, i64, f64 } = { i32: ValType.i32, i64: ValType.i64, f64: ValType.f64 };

/** Adds the generator's functions to `mb`; `gen` is exported under `exportName` if given. */
/**
 * Emits one xoshiro256+ state update on the i64x2 lanes held in locals `s` (s0..s3), with `t` as
 * scratch. The output (s0 + s3) is taken by the caller before this, as the reference does.
 */
export function emitStateUpdate(a: Asm, s: readonly [number, number, number, number], t: number): void {
  const [s0, s1, s2, s3] = s;
  a.get(s1).i32(17).simd(Simd.i64x2Shl).set(t);
  a.get(s2).get(s0).simd(Simd.v128Xor).set(s2);
  a.get(s3).get(s1).simd(Simd.v128Xor).set(s3);
  a.get(s1).get(s2).simd(Simd.v128Xor).set(s1);
  a.get(s0).get(s3).simd(Simd.v128Xor).set(s0);
  a.get(s2).get(t).simd(Simd.v128Xor).set(s2);
  a.get(s3).i32(45).simd(Simd.i64x2Shl).get(s3).i32(19).simd(Simd.i64x2ShrU).simd(Simd.v128Or).set(s3);
}

/** Emits the splitmix64 finaliser on the i64 on top of the stack (one fresh local). */
function emitMix(a: Asm): void {
  const z = a.local(i64);
  a.set(z);
  a.get(z).get(z).i64(30n).op(Op.i64ShrU).op(Op.i64Xor).i64(0xbf58476d1ce4e5b9n).op(Op.i64Mul).set(z);
  a.get(z).get(z).i64(27n).op(Op.i64ShrU).op(Op.i64Xor).i64(0x94d049bb133111ebn).op(Op.i64Mul).set(z);
  a.get(z).get(z).i64(31n).op(Op.i64ShrU).op(Op.i64Xor);
}

export function addGenerator(mb: ModuleBuilder, exportName?: string, seekExportName?: string): GenFunctions {
  const skip = mb.declareFunc();
  const step = mb.declareFunc();
  const reseed = mb.declareFunc();
  const run = mb.declareFunc();
  const gen = mb.declareFunc();
  const seek = mb.declareFunc();

  // step(st: i32, lane: i32) -> i64: one xoshiro256+ output of one lane (scalar path).
  {
    const a = new Asm([i32, i32]);
    const p = a.local(i32);
    const [s0, s1, s2, s3, t] = [a.local(i64), a.local(i64), a.local(i64), a.local(i64), a.local(i64)];
    a.get(0).get(1).i32(3).op(Op.i32Shl).op(Op.i32Add).set(p);
    a.get(p).i64load(0).set(s0).get(p).i64load(64).set(s1).get(p).i64load(128).set(s2).get(p).i64load(192).set(s3);
    const r = a.local(i64);
    a.get(s0).get(s3).op(Op.i64Add).set(r);
    a.get(s1).i64(17n).op(Op.i64Shl).set(t);
    a.get(s2).get(s0).op(Op.i64Xor).set(s2);
    a.get(s3).get(s1).op(Op.i64Xor).set(s3);
    a.get(s1).get(s2).op(Op.i64Xor).set(s1);
    a.get(s0).get(s3).op(Op.i64Xor).set(s0);
    a.get(s2).get(t).op(Op.i64Xor).set(s2);
    a.get(s3).i64(45n).op(Op.i64Rotl).set(s3);
    a.get(p).get(s0).i64store(0).get(p).get(s1).i64store(64).get(p).get(s2).i64store(128).get(p).get(s3).i64store(192);
    a.get(r);
    mb.defineFunc(step, { params: [i32, i32], results: [i64] }, a.locals, a.body);
  }

  // reseed(st: i32, g: i64): lane states for g's block, stepped to just before element g. When
  // the state sits a little earlier in the same block it steps forward lane by lane (cheap for
  // short strided rows); otherwise it seeds the block afresh and skips ahead in SIMD: all lanes
  // step floor(pos / 8) times in the four i64x2 sets, then lanes below pos mod 8 once more.
  {
    const a = new Asm([i32, i64]);
    const [key, seedBase, next] = [a.local(i64), a.local(i64), a.local(i64)];
    const [lane, pos, cnt, from] = [a.local(i32), a.local(i32), a.local(i32), a.local(i32)];
    a.get(0).i64load(KEY_AT).set(key);
    a.get(0).i64load(NEXT_AT).set(next);
    a.get(1).op(Op.i32WrapI64).i32(BLOCK_MASK).op(Op.i32And).set(pos);
    // same block, not past g, and fewer than SCALAR_FORWARD elements ahead: step lanes forward
    a.get(next).i64(-1n).op(Op.i64Ne)
      .get(next).i64(BITS).op(Op.i64ShrU).get(1).i64(BITS).op(Op.i64ShrU).op(Op.i64Eq).op(Op.i32And)
      .get(next).get(1).op(Op.i64LeU).op(Op.i32And)
      .get(1).get(next).op(Op.i64Sub).i64(BigInt(SCALAR_FORWARD)).op(Op.i64LtU).op(Op.i32And);
    a.if_();
    {
      a.get(next).op(Op.i32WrapI64).i32(BLOCK_MASK).op(Op.i32And).set(from);
      // lane has produced ceil((q - lane) / 8) outputs before position q (0 if q <= lane)
      const before = (q: number): void => {
        a.get(q).get(lane).op(Op.i32GtU).if_(ValType.i32);
        a.get(q).get(lane).op(Op.i32Sub).i32(7).op(Op.i32Add).i32(3).op(Op.i32ShrU);
        a.else_().i32(0).end();
      };
      a.i32(0).set(lane);
      a.block().loop();
      before(pos); before(from); a.op(Op.i32Sub).set(cnt);
      a.block().loop();
      a.get(cnt).op(Op.i32Eqz).brIf(1);
      a.get(0).get(lane).call(step).op(Op.drop);
      a.get(cnt).i32(1).op(Op.i32Sub).set(cnt).br(0);
      a.end().end();
      a.get(lane).i32(1).op(Op.i32Add).tee(lane).i32(8).op(Op.i32LtU).brIf(0);
      a.end().end();
    }
    a.else_();
    {
      // seedBase = K + (4 · 8 · block + 1) · GOLDEN; word w of lane l adds (4l + w) · GOLDEN
      a.get(key).get(1).i64(BITS).op(Op.i64ShrU).i64(5n).op(Op.i64Shl).i64(1n).op(Op.i64Add).i64(GOLDEN).op(Op.i64Mul).op(Op.i64Add).set(seedBase);
      // unrolled: 32 independent finalisers with constant offsets (cheap at every block start)
      for (let l = 0; l < 8; l++) {
        for (let w = 0; w < 4; w++) {
          a.get(0);
          a.get(seedBase).i64(BigInt.asIntN(64, BigInt(4 * l + w) * GOLDEN)).op(Op.i64Add);
          emitMix(a);
          a.i64store((w * 8 + l) * 8);
        }
      }
      a.get(pos).i32(3).op(Op.i32ShrU).set(cnt);
      a.get(cnt).if_().get(0).get(cnt).call(skip).end();
      a.i32(0).set(lane);
      a.block().loop();
      a.get(lane).get(pos).i32(7).op(Op.i32And).op(Op.i32GeU).brIf(1);
      a.get(0).get(lane).call(step).op(Op.drop);
      a.get(lane).i32(1).op(Op.i32Add).set(lane).br(0);
      a.end().end();
    }
    a.end();
    a.get(0).get(1).i64store(NEXT_AT);
    mb.defineFunc(reseed, { params: [i32, i64], results: [] }, a.locals, a.body);
  }

  // skip(st: i32, steps: i32): every lane steps `steps` times (outputs discarded), SIMD.
  {
    const a = new Asm([i32, i32]);
    const S: number[][] = [];
    for (let v = 0; v < 4; v++) S.push([a.local(ValType.v128), a.local(ValType.v128), a.local(ValType.v128), a.local(ValType.v128)]);
    const t = a.local(ValType.v128);
    for (let v = 0; v < 4; v++) for (let w = 0; w < 4; w++) a.get(0).v128load(w * 64 + v * 16).set(S[v]![w]!);
    a.block().loop();
    a.get(1).op(Op.i32Eqz).brIf(1);
    for (let v = 0; v < 4; v++) emitStateUpdate(a, S[v]! as [number, number, number, number], t);
    a.get(1).i32(1).op(Op.i32Sub).set(1).br(0);
    a.end().end();
    for (let v = 0; v < 4; v++) for (let w = 0; w < 4; w++) a.get(0).get(S[v]![w]!).v128store(w * 64 + v * 16);
    mb.defineFunc(skip, { params: [i32, i32], results: [] }, a.locals, a.body);
  }

  // run(st: i32, out: i32, groups: i32): groups × 8 outputs, block-aligned, SIMD in 4 lane sets.
  {
    const a = new Asm([i32, i32, i32]);
    const S: number[][] = [];
    for (let v = 0; v < 4; v++) S.push([a.local(ValType.v128), a.local(ValType.v128), a.local(ValType.v128), a.local(ValType.v128)]);
    const t = a.local(ValType.v128);
    for (let v = 0; v < 4; v++) for (let w = 0; w < 4; w++) a.get(0).v128load(w * 64 + v * 16).set(S[v]![w]!);
    a.block().loop();
    a.get(2).op(Op.i32Eqz).brIf(1);
    for (let v = 0; v < 4; v++) {
      const [s0, s1, s2, s3] = S[v]! as [number, number, number, number];
      // out[v*2 .. v*2+1] = unit(s0 + s3)
      a.get(1);
      a.get(s0).get(s3).simd(Simd.i64x2Add).i32(12).simd(Simd.i64x2ShrU);
      a.i64x2const(ONE_BITS).simd(Simd.v128Or).f64x2const(1).simd(Simd.f64x2Sub);
      a.v128store(v * 16);
      emitStateUpdate(a, S[v]! as [number, number, number, number], t);
    }
    a.get(1).i32(64).op(Op.i32Add).set(1);
    a.get(2).i32(1).op(Op.i32Sub).set(2).br(0);
    a.end().end();
    for (let v = 0; v < 4; v++) for (let w = 0; w < 4; w++) a.get(0).get(S[v]![w]!).v128store(w * 64 + v * 16);
    mb.defineFunc(run, { params: [i32, i32, i32], results: [] }, a.locals, a.body);
  }

  // gen(st: i32, out: i32, start: f64, n: i32)
  {
    const a = new Asm([i32, i32, f64, i32]);
    const [g, r] = [a.local(i64), a.local(i64)];
    const [pos, rem, cnt] = [a.local(i32), a.local(i32), a.local(i32)];
    a.get(2).op(Op.i64TruncF64U).set(g);
    a.block().loop();
    a.get(3).i32(0).op(Op.i32LeS).brIf(1);
    a.get(0).i64load(NEXT_AT).get(g).op(Op.i64Ne).if_().get(0).get(g).call(reseed).end();
    a.get(g).op(Op.i32WrapI64).i32(BLOCK_MASK).op(Op.i32And).set(pos);
    a.i32(BLOCK_SIZE).get(pos).op(Op.i32Sub).set(rem);
    a.get(3).get(rem).op(Op.i32LtS).if_().get(3).set(rem).end();
    a.get(pos).i32(7).op(Op.i32And).op(Op.i32Eqz).get(rem).i32(8).op(Op.i32GeS).op(Op.i32And).if_();
    a.get(rem).i32(-8).op(Op.i32And).set(cnt);
    a.get(0).get(1).get(cnt).i32(3).op(Op.i32ShrU).call(run);
    a.else_();
    a.get(0).get(pos).i32(7).op(Op.i32And).call(step).set(r);
    a.get(1).get(r).i64(12n).op(Op.i64ShrU).i64(ONE_BITS).op(Op.i64Or).op(Op.f64ReinterpretI64).f64(1).op(Op.f64Sub).f64store(0);
    a.i32(1).set(cnt);
    a.end();
    a.get(g).get(cnt).op(Op.i64ExtendI32U).op(Op.i64Add).set(g);
    a.get(1).get(cnt).i32(3).op(Op.i32Shl).op(Op.i32Add).set(1);
    a.get(3).get(cnt).op(Op.i32Sub).set(3);
    // the state stays valid within a block; at a block boundary the next call must reseed
    a.get(0).i64(-1n).get(g).get(g).i64(BigInt(BLOCK_MASK)).op(Op.i64And).op(Op.i64Eqz).op(Op.select).i64store(NEXT_AT);
    a.br(0);
    a.end().end();
    mb.defineFunc(gen, { params: [i32, i32, f64, i32], results: [] }, a.locals, a.body, exportName);
  }
  // seek(st: i32, start: f64)
  {
    const a = new Asm([i32, f64]);
    const g = a.local(i64);
    a.get(1).op(Op.i64TruncF64U).set(g);
    a.get(0).i64load(NEXT_AT).get(g).op(Op.i64Ne).if_().get(0).get(g).call(reseed).end();
    mb.defineFunc(seek, { params: [i32, f64], results: [] }, a.locals, a.body, seekExportName);
  }
  return { gen, seek, reseed };
}
