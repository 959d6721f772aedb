/**
 * The WebAssembly SIMD module of the float64 block product (generated with the project's own
 * encoder, ../kernels/wasm/). One export, `macro(mp, np, kc, pa, pb, c, ldc)`: C += A·B over one
 * cache block, where A is packed as `mp` panels of MR rows (k-major: MR values per k) and B as
 * `np` panels of NR columns (NR values per k), both zero-padded, and C is row-major with a row
 * stride of `ldc` bytes, padded to whole MR×NR tiles. The JS driver (./gemm.ts) packs and loops
 * over cache blocks (GotoBLAS / BLIS order: jc → pc → ic, then jr → ir here).
 *
 * The micro-kernel keeps an MR×NR tile of C in MR·NR/2 f64x2 registers; per k it loads NR/2
 * vectors of B and broadcasts MR values of A (v128.load64_splat), then MR·NR/2 multiply-adds
 * (baseline SIMD has no fused multiply-add, so mul then add).
 */
import { Asm, Op, Simd } from "../kernels/wasm/asm.js";
import { ModuleBuilder, ValType } from "../kernels/wasm/encoder.js";
import { ArrayKernelError } from "../kernels/errors.js";

export interface MicroShape {
  /** Rows of the register tile. */
  readonly mr: number;
  /** Columns of the register tile (even: two per vector). */
  readonly nr: number;
  /** k steps per loop iteration (unrolled). */
  readonly unroll: number;
}

/**
 * 4×4, not unrolled: the fastest in interleaved best-of runs of 4×4, 5×4, 6×4, 8×4, 8×2, 2×8,
 * 3×8 (unroll 1, 2, 4) on the 2-core AMD EPYC dev machine (a heavily shared one: treat as a
 * rough choice). 4×4 keeps 8 accumulators + 2 B vectors + A + a temporary in registers, well
 * under V8's 15 allocatable xmm registers; larger tiles spill.
 */
export const DEFAULT_MICRO: MicroShape = { mr: 4, nr: 4, unroll: 1 };

const I = ValType.i32;
const V = ValType.v128;

export function gemmModule(micro: MicroShape = DEFAULT_MICRO): Uint8Array<ArrayBuffer> {
  const { mr: MR, nr: NR, unroll: U } = micro;
  if (NR % 2 !== 0 || MR < 1 || U < 1) throw new ArrayKernelError(`gemmModule: bad micro-kernel shape ${JSON.stringify(micro)}`);
  const NV = NR / 2;
  const mb = new ModuleBuilder();
  const fn = mb.declareFunc();
  const a = new Asm([I, I, I, I, I, I, I]);
  const [MP, NP, KC, PA, PB, C, LDC] = [0, 1, 2, 3, 4, 5, 6];
  const jr = a.local(I), ir = a.local(I), k = a.local(I);
  const pa = a.local(I), pb = a.local(I), pbPanel = a.local(I), cTile = a.local(I), cRow = a.local(I);
  const kMain = a.local(I);
  const acc: number[][] = [...Array(MR)].map(() => [...Array(NV)].map(() => a.local(V)));
  const b = [...Array(NV)].map(() => a.local(V));
  const av = a.local(V);

  /** One k step at a static offset of `step` k's from pa/pb. */
  const kStep = (step: number): void => {
    for (let q = 0; q < NV; q++) a.get(pb).simdMem(Simd.v128Load, 16, (step * NR + q * 2) * 8).set(b[q]!);
    for (let r = 0; r < MR; r++) {
      a.get(pa).simdMem(Simd.v128Load64Splat, 8, (step * MR + r) * 8).set(av);
      for (let q = 0; q < NV; q++) {
        a.get(acc[r]![q]!).get(av).get(b[q]!).simd(Simd.f64x2Mul).simd(Simd.f64x2Add).set(acc[r]![q]!);
      }
    }
  };
  const advance = (steps: number): void => {
    a.get(pa).i32(steps * MR * 8).op(Op.i32Add).set(pa);
    a.get(pb).i32(steps * NR * 8).op(Op.i32Add).set(pb);
  };
  /** Loads (or stores) the C tile at cTile, row by row. */
  const tileIO = (store: boolean): void => {
    a.get(cTile).set(cRow);
    for (let r = 0; r < MR; r++) {
      for (let q = 0; q < NV; q++) {
        if (store) a.get(cRow).get(acc[r]![q]!).simdMem(Simd.v128Store, 16, q * 16);
        else a.get(cRow).simdMem(Simd.v128Load, 16, q * 16).set(acc[r]![q]!);
      }
      if (r < MR - 1) a.get(cRow).get(LDC).op(Op.i32Add).set(cRow);
    }
  };

  // kMain = kc rounded down to a multiple of U (0x70: i32.rem_u).
  if (U > 1) a.get(KC).get(KC).i32(U).op(0x70).op(Op.i32Sub).set(kMain);
  else a.get(KC).set(kMain);

  a.i32(0).set(jr);
  a.get(PB).set(pbPanel);
  a.block().loop(); // over NR panels of B
  {
    a.i32(0).set(ir);
    a.block().loop(); // over MR panels of A
    {
      // pa = PA + ir * kc * MR * 8; pb = pbPanel; cTile = C + ir*MR*ldc + jr*NR*8
      a.get(PA).get(ir).get(KC).op(Op.i32Mul).i32(MR * 8).op(Op.i32Mul).op(Op.i32Add).set(pa);
      a.get(pbPanel).set(pb);
      a.get(C).get(ir).i32(MR).op(Op.i32Mul).get(LDC).op(Op.i32Mul).op(Op.i32Add)
        .get(jr).i32(NR * 8).op(Op.i32Mul).op(Op.i32Add).set(cTile);
      tileIO(false);
      // Main k loop, U steps per iteration.
      a.get(kMain).set(k);
      a.block();
      a.get(k).op(Op.i32Eqz).brIf(0);
      a.loop();
      for (let s = 0; s < U; s++) kStep(s);
      advance(U);
      a.get(k).i32(U).op(Op.i32Sub).tee(k).brIf(0);
      a.end().end();
      // Remainder k steps.
      if (U > 1) {
        a.get(KC).get(kMain).op(Op.i32Sub).set(k);
        a.block();
        a.get(k).op(Op.i32Eqz).brIf(0);
        a.loop();
        kStep(0);
        advance(1);
        a.get(k).i32(1).op(Op.i32Sub).tee(k).brIf(0);
        a.end().end();
      }
      tileIO(true);
      a.get(ir).i32(1).op(Op.i32Add).tee(ir).get(MP).op(Op.i32LtU).brIf(0);
    }
    a.end().end();
    a.get(pbPanel).get(KC).i32(NR * 8).op(Op.i32Mul).op(Op.i32Add).set(pbPanel);
    a.get(jr).i32(1).op(Op.i32Add).tee(jr).get(NP).op(Op.i32LtU).brIf(0);
  }
  a.end().end();

  mb.defineFunc(fn, { params: [I, I, I, I, I, I, I], results: [] }, a.locals, a.body, "macro");
  return mb.build();
}
