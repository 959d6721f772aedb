/**
 * The type of a 0-d array whose element type is known (what a reduction over all axes gives): its
 * compute() resolves to a number or boolean, not `number | boolean | NDArray`, so
 * `(await x.mean().compute()).toFixed(3)` compiles. Arithmetic with numbers and other 0-d arrays keeps
 * it 0-d. Types only: at run time it is a TArray.
 */
import type { ComputeOptions, Operand, Scalar, TArray } from "./core.js";
import type { DType } from "./dtype.js";

/** Element type of arithmetic: numeric unless both sides are (or may be) boolean (as NumPy's promotion). */
export type Arith<V extends Scalar, W extends Scalar> = [V] extends [number] ? number : [W] extends [number] ? number : Scalar;

type ScalarOperand<W extends Scalar> = ScalarArray<W> | W;

export interface ScalarArray<V extends Scalar = Scalar> extends TArray {
  compute(opts?: ComputeOptions): Promise<V>;
  finalize(values: readonly unknown[]): V;
  persist(opts?: ComputeOptions): Promise<ScalarArray<V>>;

  add<W extends Scalar>(o: ScalarOperand<W>): ScalarArray<Arith<V, W>>;
  add(o: Operand): TArray;
  sub<W extends Scalar>(o: ScalarOperand<W>): ScalarArray<Arith<V, W>>;
  sub(o: Operand): TArray;
  mul<W extends Scalar>(o: ScalarOperand<W>): ScalarArray<Arith<V, W>>;
  mul(o: Operand): TArray;
  div<W extends Scalar>(o: ScalarOperand<W>): ScalarArray<number>;
  div(o: Operand): TArray;
  pow<W extends Scalar>(o: ScalarOperand<W>): ScalarArray<Arith<V, W>>;
  pow(o: Operand): TArray;
  mod<W extends Scalar>(o: ScalarOperand<W>): ScalarArray<Arith<V, W>>;
  mod(o: Operand): TArray;
  minimum<W extends Scalar>(o: ScalarOperand<W>): ScalarArray<Arith<V, W>>;
  minimum(o: Operand): TArray;
  maximum<W extends Scalar>(o: ScalarOperand<W>): ScalarArray<Arith<V, W>>;
  maximum(o: Operand): TArray;
  lt(o: ScalarOperand<Scalar>): ScalarArray<boolean>;
  lt(o: Operand): TArray;
  le(o: ScalarOperand<Scalar>): ScalarArray<boolean>;
  le(o: Operand): TArray;
  gt(o: ScalarOperand<Scalar>): ScalarArray<boolean>;
  gt(o: Operand): TArray;
  ge(o: ScalarOperand<Scalar>): ScalarArray<boolean>;
  ge(o: Operand): TArray;
  eq(o: ScalarOperand<Scalar>): ScalarArray<boolean>;
  eq(o: Operand): TArray;
  ne(o: ScalarOperand<Scalar>): ScalarArray<boolean>;
  ne(o: Operand): TArray;
  and(o: ScalarOperand<Scalar>): ScalarArray<boolean>;
  and(o: Operand): TArray;
  or(o: ScalarOperand<Scalar>): ScalarArray<boolean>;
  or(o: Operand): TArray;
  not(): ScalarArray<boolean>;
  neg(): ScalarArray<V>;
  abs(): ScalarArray<V>;
  floor(): ScalarArray<V>;
  ceil(): ScalarArray<V>;
  sqrt(): ScalarArray<number>;
  exp(): ScalarArray<number>;
  log(): ScalarArray<number>;
  sin(): ScalarArray<number>;
  cos(): ScalarArray<number>;
  clip(lo: number | null, hi: number | null): ScalarArray<V>;
  astype<D extends DType>(dtype: D): ScalarArray<D extends "bool" ? boolean : number>;
}
