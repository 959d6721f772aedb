/**
 * Chunk programs: the intermediate representation of per-chunk array work.
 *
 * CHANGES (array layer, backwards compatible additions):
 *  - `const` is a scalar: its space has extent 1 on every axis, so it broadcasts against any
 *    node (it never makes a node's space bigger). Needed when a consumer program is fused into a
 *    producer whose leaf space is larger (e.g. `(xy**2).sum(-1) < 1`: the `1` lives in the
 *    reduced space, not in xy's leaf space).
 *  - new leaves `fill` (a constant over the leaf space: ones/zeros/full) and `iota`
 *    (value = a + b·i, i the element's global flat index: arange/linspace; `last`, when given,
 *    replaces the value of the final element of the whole array, as numpy's linspace does).
 *  - `rand`'s value is read as a number and then converted to `dtype` like every other node.
 *  - Every node's value is converted to its dtype after it is computed (float32: Math.fround,
 *    int32: |0, uint8: &255, bool: !== 0, int64: truncation), exactly as storing it in a typed
 *    array of that dtype would; this is what makes fused and unfused results bit-identical.
 *  - `ChunkProgram.squeeze` (optional): axes (of the leaf space, all extent 1 in every output)
 *    dropped from the outputs' shapes; applied by the `array.program` op after the kernel runs,
 *    so backends ignore it. It lets a reduction without a tree (`sum(axis=-1)` over whole rows)
 *    be one program whose consumers fuse into it.
 *  - reduce accumulates in a JS double (int64 sums exact below 2^53) in C order of the child's
 *    space for each output element, and converts to `dtype` once at the end.
 *
 * Every elementwise operation, random draw, and within-chunk reduction of the array layer is a
 * chunk program. Unfused, the graph has one task per operation, each a one-node program over
 * its input chunks; the optimiser (src/graph/optimize.ts + ./fuse.ts) merges producer programs
 * into their consumers so that one task per chunk runs the whole chain without materialising
 * intermediates. Backends (./compile-js.ts, ./compile-wasm.ts) turn a program into a kernel.
 *
 * A program is a table of nodes in topological order (children refer to earlier indices), so
 * shared subexpressions are computed once and the program serialises as plain data.
 *
 * Iteration spaces. Leaves (`in`, `rand`, `const`) live in the chunk's *leaf space*: the shape
 * given by `ChunkInfo.shape`. A `reduce` node's space is its child's space with the reduced
 * axes set to extent 1 (keepdims). Elementwise nodes take the space of their operands, which
 * must be equal or broadcast (extent 1) against each other. Inputs whose shape has extent 1 on
 * an axis broadcast along it.
 *
 * Floating-point order is part of the contract: every backend must give bit-identical results.
 * A `reduce` over floats accumulates in element order (C order of the child's space) unless the
 * backend documents a canonical blocked order that every backend implements identically.
 */

export type DType = "float64" | "float32" | "int32" | "uint8" | "bool" | "int64";

export type UnaryFn =
  | "neg" | "abs" | "sqrt" | "exp" | "log" | "sin" | "cos" | "floor" | "ceil" | "not" | "square";

export type BinaryFn =
  | "add" | "sub" | "mul" | "div" | "pow" | "mod" | "min" | "max"
  | "lt" | "le" | "gt" | "ge" | "eq" | "ne" | "and" | "or";

export type ReduceFn = "sum" | "prod" | "min" | "max" | "any" | "all" | "count_nonzero";

export type RandomDist = "uniform" | "normal" | "integers" | "random";

export type ProgramNode =
  /**
   * Input chunk number `slot` of the task (an NDChunk argument), read through `view` when given
   * (a transpose or slice of the block that fusion folded into the program).
   */
  | { readonly op: "in"; readonly slot: number; readonly dtype: DType; readonly view?: InputView }
  /** A scalar constant (extent 1 on every axis; broadcasts). */
  | { readonly op: "const"; readonly value: number; readonly dtype: DType }
  /** `value` at every element of the leaf space. */
  | { readonly op: "fill"; readonly value: number; readonly dtype: DType }
  /** a + b·i over the leaf space, i = global flat index; the array's final element is `last` if given. */
  | { readonly op: "iota"; readonly a: number; readonly b: number; readonly last?: number; readonly dtype: DType }
  /**
   * Random draw whose value depends only on (seed, global flat index of the element in the
   * whole array) — see src/array/random/. `a`, `b`: low/high (uniform, integers) or mean/std
   * (normal).
   */
  | {
      readonly op: "rand";
      readonly dist: RandomDist;
      readonly seed: string;
      readonly a: number;
      readonly b: number;
      readonly dtype: DType;
      /**
       * A draw from another array (a slice of a random array folded into its reader): its global
       * index is taken in an array of shape `globalShape`, the leaf element 0 sitting at
       * `ChunkInfo.origins[origin]` there (both absent: the task's own offset and global shape).
       */
      readonly origin?: number;
      readonly globalShape?: readonly number[];
      /**
       * A transposed draw (`x.T` of a random block folded into its reader): leaf axis k is axis
       * perm[k] of the drawn block, which has the leaf extents permuted back, sits at
       * `ChunkInfo.origins[origin]` and indexes into `globalShape` (both required with perm).
       * Backends never see it: the `array.program` op draws the block into scratch memory and
       * hands it to the kernel as an input (src/array/kernels/drawn-views.ts).
       */
      readonly perm?: readonly number[];
    }
  | { readonly op: "unary"; readonly fn: UnaryFn; readonly x: number; readonly dtype: DType }
  | { readonly op: "binary"; readonly fn: BinaryFn; readonly x: number; readonly y: number; readonly dtype: DType }
  | { readonly op: "where"; readonly cond: number; readonly x: number; readonly y: number; readonly dtype: DType }
  | { readonly op: "cast"; readonly x: number; readonly dtype: DType }
  | { readonly op: "clip"; readonly x: number; readonly lo: number; readonly hi: number; readonly dtype: DType }
  | { readonly op: "reduce"; readonly fn: ReduceFn; readonly axes: readonly number[]; readonly x: number; readonly dtype: DType };

/**
 * A strided view of an input block, applied by the `array.program` op before the kernel runs:
 * first the axes are permuted (view axis k is block axis perm[k]; identity if absent), then the
 * box start[k] + i·step[k], i < count[k], is taken on each axis (the whole block if absent).
 */
export interface InputView {
  readonly perm?: readonly number[];
  readonly start?: readonly number[];
  readonly step?: readonly number[];
  readonly count?: readonly number[];
}

export interface ChunkProgram {
  readonly nodes: readonly ProgramNode[];
  /** Node indices whose values the task returns (one NDChunk each, in this order). */
  readonly outputs: readonly number[];
  /** Unit axes dropped from every output's shape by the `array.program` op (backends ignore this). */
  readonly squeeze?: readonly number[];
}

/** Where a chunk sits in its array: needed by `rand` leaves (global index) and for shapes. */
export interface ChunkInfo {
  /** Shape of the leaf space of this chunk. */
  readonly shape: readonly number[];
  /** Global offset of the chunk's first element along each axis (for `rand`). */
  readonly offset: readonly number[];
  /** Shape of the whole array the leaves index into (for `rand`). */
  readonly globalShape: readonly number[];
  /** Offsets of the leaf space in other arrays, for `rand` nodes with an `origin`. */
  readonly origins?: readonly (readonly number[])[];
}

/** A chunk value as it travels between tasks: dtype, shape and a C-ordered typed array. */
export interface NDChunk {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: Float64Array | Float32Array | Int32Array | Uint8Array | BigInt64Array;
}

/** A compiled chunk program: inputs in slot order, returns one NDChunk per program output. */
export type ChunkKernel = (inputs: readonly NDChunk[], info: ChunkInfo) => NDChunk[];
