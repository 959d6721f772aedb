/**
 * Generates the WebAssembly module of a planned chunk program (./plan.ts). Exports: `tile(n, w)`
 * evaluates the program over one tile whose leaves are already in their buffers (uniform leaves
 * are generated in-module by `gen`, see ./xoshiro.ts); `fused1/2/4(groups)` (register-fused
 * programs only) draw from the generator state directly; `seek` positions that state. The JS
 * driver in ../compile-wasm.ts calls them.
 *
 * Flat mode: `n` elements, two per vector. Row mode: `n` rows of `w` elements; a vector holds
 * column c of rows r and r+1, so each lane reduces one row in element order. The last vector of
 * a tile may have an invalid upper lane (odd n): that iteration is generated separately, with
 * masks, so the main loop carries none.
 *
 * Every node's semantics mirror src/array/kernels/scalar-ops.ts exactly (same comparisons, same
 * NaN and signed-zero choices, conversion to the node dtype after every node).
 */
import type { ChunkProgram, ProgramNode } from "../../fusion/ir.js";
import { coerce } from "../../dtype.js";
import { Asm, Op, Simd } from "./asm.js";
import { ModuleBuilder, ValType } from "./encoder.js";
import type { WasmPlan } from "./plan.js";
import { addGenerator, emitStateUpdate } from "./xoshiro.js";
import { BLOCK_SIZE } from "../../random/stream.js";
import { ArrayKernelError } from "../errors.js";

const V = ValType.v128;
/** Groups of 8 elements per iteration of the fused loop (measured: 2 is ~5% faster than 1 or 4). */
const UNROLL = 2;
const ONES = -1n;

export function generateModule(program: ChunkProgram, plan: WasmPlan): Uint8Array<ArrayBuffer> {
  const mb = new ModuleBuilder();
  const genFns = addGenerator(mb, "gen", "seek");
  const tile = mb.declareFunc();
  const fusedW = plan.fusedLeaf === undefined ? [] : plan.mode === "flat" ? [1] : [2, 4];
  const fused = fusedW.map(() => mb.declareFunc());
  emitFunction(mb, tile, program, plan, undefined, genFns.reseed);
  fusedW.forEach((w, k) => emitFunction(mb, fused[k]!, program, plan, w, genFns.reseed));
  mb.setMemoryPages(plan.memoryBytes / 65536);
  return mb.build();
}

/**
 * Emits `tile(n, w)` (fusedW undefined) or `fused<W>(groups, _)`: the register-fused loop for a
 * program whose only leaf is one uniform generator and whose outputs are order-free level-2
 * accumulators. Each group of 8 elements comes straight from the generator's four lane sets; the
 * set for lanes (v, v+4) yields elements v and v+4 of the group, so with rows of W = 2 elements
 * sets 0,1 are columns 0,1 of rows (0, 2) and sets 2,3 of rows (1, 3); with W = 4 set c is
 * column c of rows (0, 1); with W = 1 (flat) every set is two elements.
 */
function emitFunction(mb: ModuleBuilder, fnIndex: number, program: ChunkProgram, plan: WasmPlan, fusedW: number | undefined, reseed: number): void {
  const a = new Asm([ValType.i32, ValType.i32]);
  const N = 0; // param: elements (flat) or rows (row mode)
  const W = 1; // param: row length (row mode)
  const nodes = program.nodes;
  const val = nodes.map(() => a.local(V));
  const ptr = a.local(ValType.i32); // flat: element byte offset; row: byte offset of (r, c)
  const ptr2 = a.local(ValType.i32); // row: ptr + row bytes (the second row)
  const rowBytes = a.local(ValType.i32);
  const end = a.local(ValType.i32);
  const r8 = a.local(ValType.i32); // row mode: r * 8
  const base = a.local(ValType.i32); // row mode: r * rowBytes
  const cEnd = a.local(ValType.i32);
  const rowAcc = new Map<number, number>();
  const scalarAcc = new Map<number, number>();
  for (const [i, acc] of plan.acc) scalarAcc.set(i, a.local(acc.form === "seq" ? ValType.f64 : V));
  nodes.forEach((n, i) => { if (n.op === "reduce" && (plan.nodes[i]!.level === 1 || plan.nodes[i]!.level === 3)) rowAcc.set(i, a.local(V)); });
  const c8 = a.local(ValType.i32); // col mode: byte offset of the column within a row
  const tmpF = a.local(ValType.f64);

  const cF = (x: number, y = x): Asm => a.f64x2const(x, y);
  const cI = (x: bigint, y = x): Asm => a.i64x2const(x, y);

  // ---- value helpers -------------------------------------------------------------------------
  const pushF = (i: number): void => {
    a.get(val[i]!);
    if (plan.nodes[i]!.kind === "b") cF(1).simd(Simd.v128And);
  };
  const pushB = (i: number): void => {
    const n = nodes[i]!;
    // A cast of a bool holds 1 exactly where the bool's mask is set: use the mask itself.
    if (n.op === "cast" && plan.nodes[n.x]!.kind === "b") return pushB(n.x);
    a.get(val[i]!);
    if (plan.nodes[i]!.kind === "f") cF(0).simd(Simd.f64x2Ne);
  };
  /** Stack has the computed value of node i as kind `have`; convert to its dtype/kind, store. */
  const finish = (i: number, have: "f" | "b"): void => {
    const n = nodes[i]!;
    const want = plan.nodes[i]!.kind;
    if (have === "f" && want === "b") cF(0).simd(Simd.f64x2Ne);
    else if (have === "b" && want === "f") cF(1).simd(Simd.v128And);
    if (n.dtype === "float32" && want === "f") a.simd(Simd.f32x4DemoteF64x2Zero).simd(Simd.f64x2PromoteLowF32x4);
    a.set(val[i]!);
  };
  const constLocal = (i: number, n: Extract<ProgramNode, { op: "const" | "fill" }>): void => {
    const v = coerce(n.dtype, n.value);
    if (plan.nodes[i]!.kind === "b") cI(v !== 0 ? ONES : 0n);
    else cF(v);
    a.set(val[i]!);
  };

  // Constants are set once, before the loops.
  nodes.forEach((n, i) => { if (n.op === "const" || n.op === "fill") constLocal(i, n); });

  let fusedU: number | undefined; // fused: local holding the current generator vector
  const loadLeaf = (i: number): void => {
    if (fusedU !== undefined) { a.get(fusedU); return; }
    const off = plan.leafBuf.get(i)!;
    if (plan.mode !== "row") {
      a.get(ptr).v128load(off);
    } else {
      a.get(ptr2).get(ptr).simdMem(Simd.v128Load64Zero, 8, off).lane64(Simd.v128Load64Lane, 1, off);
    }
  };

  /** Emits node i (level `level` only) into its local. */
  const emitNode = (i: number): void => {
    const n = nodes[i]!;
    switch (n.op) {
      case "const": case "fill": return;
      case "in": case "iota":
        loadLeaf(i);
        return finish(i, "f");
      case "rand": {
        loadLeaf(i);
        if ((n.dist === "uniform") && !(n.a === 0 && n.b === 1)) {
          // low + (high - low) · U, as in src/array/random/distributions.ts
          cF(n.b - n.a).simd(Simd.f64x2Mul);
          a.set(val[i]!).f64x2const(n.a).get(val[i]!).simd(Simd.f64x2Add);
        }
        return finish(i, "f");
      }
      case "unary": {
        const f = n.fn;
        if (f === "not") { pushB(n.x); a.simd(Simd.v128Not); return finish(i, "b"); }
        pushF(n.x);
        if (f === "neg") a.simd(Simd.f64x2Neg);
        else if (f === "abs") a.simd(Simd.f64x2Abs);
        else if (f === "sqrt") a.simd(Simd.f64x2Sqrt);
        else if (f === "floor") a.simd(Simd.f64x2Floor);
        else if (f === "ceil") a.simd(Simd.f64x2Ceil);
        else if (f === "square") { a.set(val[i]!); pushF(n.x); a.get(val[i]!).simd(Simd.f64x2Mul); }
        return finish(i, "f");
      }
      case "binary": return emitBinary(i, n);
      case "where":
        pushF(n.x); pushF(n.y); pushB(n.cond); a.simd(Simd.v128Bitselect);
        return finish(i, "f");
      case "cast":
        if (plan.nodes[n.x]!.kind === "b") { a.get(val[n.x]!); return finish(i, "b"); }
        pushF(n.x);
        return finish(i, "f");
      case "clip": {
        const lo = coerce(n.dtype, n.lo);
        const hi = coerce(n.dtype, n.hi);
        // x !== x ? x : x < lo ? lo : x > hi ? hi : x
        cF(hi); pushF(n.x); pushF(n.x); cF(hi).simd(Simd.f64x2Gt).simd(Simd.v128Bitselect);
        a.set(val[i]!);
        cF(lo).get(val[i]!); pushF(n.x); cF(lo).simd(Simd.f64x2Lt).simd(Simd.v128Bitselect);
        return finish(i, "f");
      }
      case "reduce": return; // row reductions are accumulated in the column loop
    }
  };

  const emitBinary = (i: number, n: Extract<ProgramNode, { op: "binary" }>): void => {
    const x = n.x, y = n.y;
    const cmp = (code: number): void => { pushF(x); pushF(y); a.simd(code); finish(i, "b"); };
    switch (n.fn) {
      case "add": pushF(x); pushF(y); a.simd(Simd.f64x2Add); return finish(i, "f");
      case "sub": pushF(x); pushF(y); a.simd(Simd.f64x2Sub); return finish(i, "f");
      case "mul": pushF(x); pushF(y); a.simd(Simd.f64x2Mul); return finish(i, "f");
      case "div": pushF(x); pushF(y); a.simd(Simd.f64x2Div); return finish(i, "f");
      case "pow": pushF(x); pushF(x); a.simd(Simd.f64x2Mul); return finish(i, "f"); // exponent 2 (plan)
      case "lt": return cmp(Simd.f64x2Lt);
      case "le": return cmp(Simd.f64x2Le);
      case "gt": return cmp(Simd.f64x2Gt);
      case "ge": return cmp(Simd.f64x2Ge);
      case "eq": return cmp(Simd.f64x2Eq);
      case "ne": return cmp(Simd.f64x2Ne);
      case "and": pushB(x); pushB(y); a.simd(Simd.v128And); return finish(i, "b");
      case "or": pushB(x); pushB(y); a.simd(Simd.v128Or); return finish(i, "b");
      case "min": case "max": {
        // a !== a ? a : b !== b ? b : (a < b ? a : b)   (max: a > b)
        pushF(x); pushF(y); pushF(x); pushF(y); a.simd(n.fn === "min" ? Simd.f64x2Lt : Simd.f64x2Gt).simd(Simd.v128Bitselect);
        a.set(val[i]!);
        pushF(y); a.get(val[i]!); pushF(y); pushF(y); a.simd(Simd.f64x2Ne).simd(Simd.v128Bitselect);
        a.set(val[i]!);
        pushF(x); a.get(val[i]!); pushF(x); pushF(x); a.simd(Simd.f64x2Ne).simd(Simd.v128Bitselect);
        return finish(i, "f");
      }
      case "mod": throw new ArrayKernelError("internal: mod is not planned for WebAssembly");
    }
  };

  // ---- reductions ----------------------------------------------------------------------------
  const rowInit = (i: number): void => {
    const n = nodes[i] as Extract<ProgramNode, { op: "reduce" }>;
    switch (n.fn) {
      case "sum": case "count_nonzero": cF(0); break;
      case "prod": cF(1); break;
      case "min": cF(Infinity); break;
      case "max": cF(-Infinity); break;
      case "any": cI(0n); break;
      case "all": cI(ONES); break;
    }
    a.set(rowAcc.get(i)!);
  };
  /** Values that are never -0 (so +0 + v is v, bit for bit): squares and absolute values. */
  const neverNegZero = (j: number): boolean => {
    const n = nodes[j]!;
    return (n.op === "unary" && (n.fn === "square" || n.fn === "abs")) || (n.op === "binary" && n.fn === "pow");
  };
  /** One accumulation step; `first` (fused path, column 0): the accumulator still holds its init. */
  const rowStep = (i: number, first = false): void => {
    const n = nodes[i] as Extract<ProgramNode, { op: "reduce" }>;
    const acc = rowAcc.get(i)!;
    if (first && n.fn === "sum" && neverNegZero(n.x)) {
      pushF(n.x);
      a.set(acc);
      return;
    }
    switch (n.fn) {
      case "sum": a.get(acc); pushF(n.x); a.simd(Simd.f64x2Add); break;
      case "prod": a.get(acc); pushF(n.x); a.simd(Simd.f64x2Mul); break;
      case "count_nonzero": a.get(acc); pushB(n.x); cF(1).simd(Simd.v128And).simd(Simd.f64x2Add); break;
      case "any": a.get(acc); pushB(n.x); a.simd(Simd.v128Or); break;
      case "all": a.get(acc); pushB(n.x); a.simd(Simd.v128And); break;
      case "min": case "max":
        // v < acc || v !== v ? v : acc
        pushF(n.x); a.get(acc); pushF(n.x); a.get(acc).simd(n.fn === "min" ? Simd.f64x2Lt : Simd.f64x2Gt);
        pushF(n.x); pushF(n.x); a.simd(Simd.f64x2Ne).simd(Simd.v128Or).simd(Simd.v128Bitselect);
        break;
    }
    a.set(acc);
  };
  const rowFinish = (i: number): void => {
    const n = nodes[i] as Extract<ProgramNode, { op: "reduce" }>;
    a.get(rowAcc.get(i)!);
    finish(i, n.fn === "any" || n.fn === "all" ? "b" : "f");
  };

  /** Level-2 accumulation of child x's vector; `lane1` false when the upper lane is invalid. */
  const scalarStep = (i: number, lane1: boolean): void => {
    const n = nodes[i] as Extract<ProgramNode, { op: "reduce" }>;
    const { form } = plan.acc.get(i)!;
    const acc = scalarAcc.get(i)!;
    const lowOnly = (): void => { cI(ONES, 0n).simd(Simd.v128And); };
    switch (form) {
      case "count":
        a.get(acc); pushB(n.x); if (!lane1) lowOnly(); a.simd(Simd.i64x2Sub).set(acc);
        return;
      case "any":
        a.get(acc); pushB(n.x); if (!lane1) lowOnly(); a.simd(Simd.v128Or).set(acc);
        return;
      case "all":
        a.get(acc); pushB(n.x); if (!lane1) cI(0n, ONES).simd(Simd.v128Or); a.simd(Simd.v128And).set(acc);
        return;
      case "seq":
        for (const lane of lane1 ? [0, 1] : [0]) {
          pushF(n.x); a.extractF64(lane).set(tmpF);
          switch (n.fn) {
            case "sum": a.get(acc).get(tmpF).op(Op.f64Add); break;
            case "prod": a.get(acc).get(tmpF).op(Op.f64Mul); break;
            case "min": case "max":
              a.get(tmpF).get(acc).get(tmpF).get(acc).op(n.fn === "min" ? Op.f64Lt : Op.f64Gt);
              a.get(tmpF).get(tmpF).op(Op.f64Ne).op(Op.i32Or).op(Op.select);
              break;
            default: throw new ArrayKernelError(`internal: ${n.fn} is not a sequential reduction`);
          }
          a.set(acc);
        }
        return;
    }
  };

  const storeOut = (i: number, lane1: boolean, level: 0 | 1): void => {
    const off = plan.outBuf.get(i)!;
    if (plan.mode !== "row") { a.get(ptr); pushF(i); a.v128store(off); return; }
    if (level === 0) {
      a.get(ptr); pushF(i); a.lane64(Simd.v128Store64Lane, 0, off);
      if (lane1) { a.get(ptr2); pushF(i); a.lane64(Simd.v128Store64Lane, 1, off); }
    } else {
      a.get(r8); pushF(i); a.lane64(Simd.v128Store64Lane, 0, off);
      if (lane1) { a.get(r8); pushF(i); a.lane64(Simd.v128Store64Lane, 1, off + 8); }
    }
  };

  const level0 = nodes.map((_, i) => i).filter((i) => plan.nodes[i]!.level === 0);
  const level1 = nodes.map((_, i) => i).filter((i) => plan.nodes[i]!.level === 1);
  const outs = new Set(program.outputs);
  const accOf = (lvl: number): number[] => [...plan.acc.keys()].filter((i) => plan.nodes[(nodes[i] as { x: number }).x]!.level === lvl);

  /** The work for one vector of leaf elements (flat) or one column of a row pair. */
  const emitLeafVector = (lane1: boolean): void => {
    for (const i of level0) emitNode(i);
    for (const i of rowAcc.keys()) rowStep(i);
    for (const i of accOf(0)) scalarStep(i, lane1);
    for (const i of level0) if (outs.has(i)) storeOut(i, lane1, 0);
  };

  /**
   * The fused group loop: N = number of groups of 8 elements, all within one block. All four
   * lane sets advance in one iteration (independent dependency chains hide latency). For W = 1
   * and W = 2 the sets {0, 1} and {2, 3} also make complete rows alone, so two passes of two sets
   * (8 state vectors, fewer spills) would be possible: measured about 3% slower, so one pass.
   */
  const emitFusedLoop = (w: number): void => {
    const st = plan.genState.get(plan.fusedLeaf!)!;
    const passes = [[0, 1, 2, 3]];
    const left = a.local(ValType.i32);
    const g = a.local(ValType.i64);
    // Outer loop over generator blocks: position (reseed at block starts), then the groups of
    // this block from registers. The state's next index (st + 264) is where the caller seeked.
    a.get(N).set(left);
    a.i32(0).i64load(st + 264).set(g);
    a.block().loop();
    a.get(left).op(Op.i32Eqz).brIf(1);
    a.i32(0).i64load(st + 264).get(g).op(Op.i64Ne).if_().i32(st).get(g).call(reseed).end();
    // N = min(left, groups to the block end)
    a.i32(BLOCK_SIZE).get(g).op(Op.i32WrapI64).i32(BLOCK_SIZE - 1).op(Op.i32And).op(Op.i32Sub).i32(3).op(Op.i32ShrU).set(N);
    a.get(left).get(N).op(Op.i32LtU).if_().get(left).set(N).end();
    a.get(left).get(N).op(Op.i32Sub).set(left);
    a.get(g).get(N).op(Op.i64ExtendI32U).i64(3n).op(Op.i64Shl).op(Op.i64Add).set(g);
    for (const sets of passes) {
      const S = new Map<number, number[]>();
      for (const v of sets) S.set(v, [a.local(V), a.local(V), a.local(V), a.local(V)]);
      const U = new Map<number, number>(sets.map((v) => [v, a.local(V)] as const));
      const t = a.local(V);
      // state word k of lanes (v, v+4) -> one vector
      for (const v of sets) {
        for (let k = 0; k < 4; k++) {
          a.i32(0).i32(0).simdMem(Simd.v128Load64Zero, 8, st + (k * 8 + v) * 8).lane64(Simd.v128Load64Lane, 1, st + (k * 8 + v + 4) * 8).set(S.get(v)![k]!);
        }
      }
      // One group: four generator steps, then the program on the four vectors.
      const group = (): void => {
        for (const v of sets) {
          const [s0, s1, s2, s3] = S.get(v)! as [number, number, number, number];
          a.get(s0).get(s3).simd(Simd.i64x2Add).i32(12).simd(Simd.i64x2ShrU);
          cI(0x3ff0000000000000n).simd(Simd.v128Or);
          cF(1).simd(Simd.f64x2Sub).set(U.get(v)!);
          emitStateUpdate(a, [s0, s1, s2, s3], t);
        }
        if (w === 1) {
          for (const v of sets) {
            fusedU = U.get(v);
            for (const i of level0) emitNode(i);
            for (const i of accOf(0)) scalarStep(i, true);
          }
        } else {
          // W = 2: sets (0, 1) are columns 0, 1 of rows (0, 2); sets (2, 3) of rows (1, 3).
          // W = 4: sets 0..3 are columns 0..3 of rows (0, 1).
          const rowsOf = w === 2 ? [[0, 1], [2, 3]].filter((r) => sets.includes(r[0]!)) : [[0, 1, 2, 3]];
          for (const cols of rowsOf) {
            for (const i of rowAcc.keys()) rowInit(i);
            for (const c of cols) {
              fusedU = U.get(c);
              for (const i of level0) emitNode(i);
              for (const i of rowAcc.keys()) rowStep(i, c === cols[0]);
              for (const i of accOf(0)) scalarStep(i, true);
            }
            for (const i of rowAcc.keys()) rowFinish(i);
            for (const i of level1) if (!rowAcc.has(i)) emitNode(i);
            for (const i of accOf(1)) scalarStep(i, true);
          }
        }
        fusedU = undefined;
      };
      // UNROLL groups per iteration (less loop overhead), then the remaining groups one by one.
      a.block().loop();
      a.get(N).i32(UNROLL).op(Op.i32LtU).brIf(1);
      for (let u = 0; u < UNROLL; u++) group();
      a.get(N).i32(UNROLL).op(Op.i32Sub).set(N).br(0);
      a.end().end();
      a.block().loop();
      a.get(N).op(Op.i32Eqz).brIf(1);
      group();
      a.get(N).i32(1).op(Op.i32Sub).set(N).br(0);
      a.end().end();
      for (const v of sets) {
        for (let k = 0; k < 4; k++) {
          a.i32(0).get(S.get(v)![k]!).lane64(Simd.v128Store64Lane, 0, st + (k * 8 + v) * 8);
          a.i32(0).get(S.get(v)![k]!).lane64(Simd.v128Store64Lane, 1, st + (k * 8 + v + 4) * 8);
        }
      }
    }
    // the state stays valid within a block; at a block boundary the next call must reseed
    a.i32(0).i64(-1n).get(g).get(g).i64(BigInt(BLOCK_SIZE - 1)).op(Op.i64And).op(Op.i64Eqz).op(Op.select).i64store(st + 264);
    a.br(0);
    a.end().end();
  };

  // ---- load accumulators ------------------------------------------------------------------------
  for (const [i, { at, form }] of plan.acc) {
    a.i32(0);
    if (form === "seq") a.f64load(at); else a.v128load(at);
    a.set(scalarAcc.get(i)!);
  }

  /**
   * Col mode, one vector of a row (columns c, c+1 at byte offset c8 of the row): the level-0
   * work, then each column accumulator: loaded from memory, stepped as a row accumulator is,
   * stored back (lane 0 only when the upper lane is past the row's end).
   */
  const emitColVector = (lane1: boolean): void => {
    for (const i of level0) emitNode(i);
    for (const [i, off] of plan.colAcc) {
      const acc = rowAcc.get(i)!;
      if (lane1) a.get(c8).v128load(off);
      else a.get(c8).simdMem(Simd.v128Load64Zero, 8, off);
      a.set(acc);
      rowStep(i);
      if (lane1) { a.get(c8).get(acc).v128store(off); }
      else { a.get(c8).get(acc).lane64(Simd.v128Store64Lane, 0, off); }
    }
    for (const i of accOf(0)) scalarStep(i, lane1);
    for (const i of level0) if (outs.has(i)) storeOut(i, lane1, 0);
  };

  if (fusedW !== undefined) {
    emitFusedLoop(fusedW);
  } else if (plan.mode === "col") {
    // N rows of W elements, row after row; the column accumulators persist across tiles.
    a.get(W).i32(3).op(Op.i32Shl).set(rowBytes);
    a.get(N).get(rowBytes).op(Op.i32Mul).set(end);
    a.i32(0).set(base);
    a.block().loop();
    a.get(base).get(end).op(Op.i32GeU).brIf(1);
    a.i32(0).set(c8);
    a.get(base).set(ptr);
    a.block().loop();
    a.get(c8).i32(16).op(Op.i32Add).get(rowBytes).op(Op.i32GtU).brIf(1);
    emitColVector(true);
    a.get(c8).i32(16).op(Op.i32Add).set(c8);
    a.get(ptr).i32(16).op(Op.i32Add).set(ptr);
    a.br(0);
    a.end().end();
    a.get(c8).get(rowBytes).op(Op.i32LtU).if_();
    emitColVector(false);
    a.end();
    a.get(base).get(rowBytes).op(Op.i32Add).set(base);
    a.br(0);
    a.end().end();
  } else if (plan.mode === "flat") {
    a.get(N).i32(3).op(Op.i32Shl).set(end);
    a.i32(0).set(ptr);
    a.block().loop();
    a.get(ptr).i32(16).op(Op.i32Add).get(end).op(Op.i32GtU).brIf(1);
    emitLeafVector(true);
    a.get(ptr).i32(16).op(Op.i32Add).set(ptr).br(0);
    a.end().end();
    a.get(ptr).get(end).op(Op.i32LtU).if_();
    emitLeafVector(false);
    a.end();
  } else {
    a.get(W).i32(3).op(Op.i32Shl).set(rowBytes);
    a.i32(0).set(r8);
    a.i32(0).set(base);
    a.get(N).i32(3).op(Op.i32Shl).set(end); // rows × 8
    const pair = (lane1: boolean): void => {
      for (const i of rowAcc.keys()) rowInit(i);
      a.get(base).set(ptr);
      a.get(base).get(rowBytes).op(Op.i32Add).set(ptr2);
      a.get(base).get(rowBytes).op(Op.i32Add).set(cEnd);
      a.block().loop();
      a.get(ptr).get(cEnd).op(Op.i32GeU).brIf(1);
      emitLeafVector(lane1);
      a.get(ptr).i32(8).op(Op.i32Add).set(ptr);
      a.get(ptr2).i32(8).op(Op.i32Add).set(ptr2);
      a.br(0);
      a.end().end();
      for (const i of rowAcc.keys()) rowFinish(i);
      for (const i of level1) if (!rowAcc.has(i)) emitNode(i);
      for (const i of accOf(1)) scalarStep(i, lane1);
      for (const i of level1) if (outs.has(i)) storeOut(i, lane1, 1);
    };
    a.block().loop();
    a.get(r8).i32(16).op(Op.i32Add).get(end).op(Op.i32GtU).brIf(1);
    pair(true);
    a.get(r8).i32(16).op(Op.i32Add).set(r8);
    a.get(base).get(rowBytes).i32(1).op(Op.i32Shl).op(Op.i32Add).set(base);
    a.br(0);
    a.end().end();
    a.get(r8).get(end).op(Op.i32LtU).if_();
    pair(false);
    a.end();
  }

  // ---- store accumulators -----------------------------------------------------------------------
  for (const [i, { at, form }] of plan.acc) {
    a.i32(0).get(scalarAcc.get(i)!);
    if (form === "seq") a.f64store(at); else a.v128store(at);
  }
  mb.defineFunc(fnIndex, { params: [ValType.i32, ValType.i32], results: [] }, a.locals, a.body, fusedW === undefined ? "tile" : `fused${fusedW}`);
}
