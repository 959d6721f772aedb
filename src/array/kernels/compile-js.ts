/**
 * Chunk program → generated JavaScript (new Function) that V8 compiles to tight loops.
 *
 * Plan. Every node's space is its leaf-space shape with some axes at extent 1 (a "mask": which
 * axes keep the leaf extent). Only program outputs and reductions that cannot be streamed are
 * materialised; every elementwise node is computed in registers inside the loop that needs it.
 * Each materialised node gets one loop over its iteration space, walked in C order in tiles of
 * TILE leaf elements; random leaves are drawn one tile at a time into small reusable buffers, so
 * nothing chunk-sized exists except the outputs. A reduction over a contiguous run of the leaf
 * space (a suffix of its axes, e.g. `sum(axis=-1)`) whose consumers live in its own space is
 * inlined as an inner loop producing a scalar — `(xy**2).sum(-1) < 1` then `mean()` streams.
 *
 * Float order: each reduction output accumulates its inputs in C order of the child's space, in
 * a JS double, converted to the node dtype at the end (see ./ir.ts); every node's value is
 * converted to its dtype as it is produced. The unfused graph runs the same generated code over
 * stored inputs, which hold exactly those converted values: results are bit-identical.
 *
 * Generated code depends only on the program and a signature of which axes have extent 1; the
 * extents themselves are runtime values, so edge chunks reuse the same code.
 */
import { outputBuffer } from "./out-buffers.js";
import { coerce, type ChunkData } from "../dtype.js";
import { SCALAR_PRELUDE, ZERO_ONE_BINARY, binarySrc, coerceSrc, reduceInit, reduceStepSrc, unarySrc } from "./scalar-ops.js";
import type { ChunkInfo, ChunkKernel, ChunkProgram, DType, NDChunk, ProgramNode } from "../fusion/ir.js";
import { ArrayKernelError } from "./errors.js";

/** Leaf elements per tile: 4096 float64 = 32 KiB per random buffer, L1/L2 resident. */
export const TILE = 4096;
/** Generated index arithmetic is 32-bit: larger chunks are refused (that is 16 GiB of float64). */
export const MAX_CHUNK_ELEMENTS = 2 ** 31 - 1;
/** Longest reduction run that is inlined (streamed) rather than materialised. */
export const INLINE_MAX = 1024;

type Mask = readonly boolean[];

/** Fills `count` draws of rand node `node` for leaf flat indices [leafStart, leafStart+count). */
export type RandFill = (node: Extract<ProgramNode, { op: "rand" }>, info: ChunkInfo, leafStart: number, count: number, out: Float64Array) => void;

interface Analysis {
  /** The leaf space's mask (axes of extent ≠ 1). */
  readonly leaf: Mask;
  readonly masks: Mask[];
  readonly inner: number[]; // per reduce node: product of reduced leaf extents (else 0)
  readonly sig: string;
}

function pad(shape: readonly number[], d: number, what: string): number[] {
  if (shape.length > d) throw new ArrayKernelError(`${what}: input of shape [${shape.join(", ")}] has more axes than the chunk's ${d}`);
  return [...new Array<number>(d - shape.length).fill(1), ...shape];
}

function analyze(p: ChunkProgram, inputs: readonly NDChunk[], info: ChunkInfo): Analysis {
  const ext = info.shape;
  const d = ext.length;
  const leaf: Mask = ext.map((e) => e !== 1);
  const masks: Mask[] = [];
  const inner: number[] = [];
  const bc = (ms: Mask[]): Mask => leaf.map((_, k) => ms.some((m) => m[k]!));
  p.nodes.forEach((n, i) => {
    inner.push(0);
    switch (n.op) {
      case "in": {
        const c = inputs[n.slot];
        if (c === undefined) throw new ArrayKernelError(`program node ${i} reads input slot ${n.slot}, but the task has ${inputs.length} inputs`);
        const s = pad(c.shape, d, `input ${n.slot}`);
        s.forEach((e, k) => {
          if (e !== 1 && e !== ext[k]) {
            throw new ArrayKernelError(`input ${n.slot} of shape [${c.shape.join(", ")}] does not broadcast to the chunk shape [${ext.join(", ")}]`);
          }
        });
        masks.push(s.map((e) => e !== 1));
        break;
      }
      case "const": masks.push(leaf.map(() => false)); break;
      case "fill": case "rand": case "iota": masks.push(leaf); break;
      case "unary": case "cast": case "clip": masks.push(masks[n.x]!); break;
      case "binary": masks.push(bc([masks[n.x]!, masks[n.y]!])); break;
      case "where": masks.push(bc([masks[n.cond]!, masks[n.x]!, masks[n.y]!])); break;
      case "reduce": {
        const m = masks[n.x]!.slice();
        let run = 1;
        for (const a of n.axes) {
          const k = a < 0 ? a + d : a;
          if (k < 0 || k >= d) throw new ArrayKernelError(`program node ${i}: reduce axis ${a} is out of range for ${d} axes`);
          if (m[k]) run *= ext[k]!;
          m[k] = false;
        }
        inner[i] = run;
        masks.push(m);
        break;
      }
    }
  });
  const sig = masks.map((m) => m.map((b) => (b ? "1" : "0")).join("")).join("|") + "#" +
    inner.map((r) => (r <= INLINE_MAX ? "s" : "b")).join("") + "#" + leaf.map((b) => (b ? "1" : "0")).join("");
  return { leaf, masks, inner, sig };
}

const sameMask = (a: Mask, b: Mask): boolean => a.every((x, k) => x === b[k]);

interface Generated {
  readonly fn: (ins: readonly ChunkData[], ext: readonly number[], outs: ChunkData[], bufs: Float64Array[], rb: Float64Array[], rnd: (k: number, s: number, n: number, b: Float64Array) => void, io: (k: number, f: number) => number) => void;
  readonly materialised: readonly number[]; // non-output materialised nodes (bufs order)
  readonly randNodes: readonly number[]; // rb order
  readonly source: string;
}

function normAxes(n: Extract<ProgramNode, { op: "reduce" }>, d: number): number[] {
  return n.axes.map((a) => (a < 0 ? a + d : a));
}

/** Build the generated function for one program and one mask signature. */
function generate(p: ChunkProgram, an: Analysis, d: number): Generated {
  const { masks } = an;
  const nodes = p.nodes;
  const leaf = an.leaf;
  const outputs = new Set(p.outputs);
  const consumers: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    for (const c of children(n)) consumers[c]!.push(i);
  });

  const isElem = (n: ProgramNode): boolean => n.op === "unary" || n.op === "binary" || n.op === "where" || n.op === "cast" || n.op === "clip";
  const inlinable = (i: number): boolean => {
    const n = nodes[i]!;
    if (n.op !== "reduce" || outputs.has(i)) return false;
    if (an.inner[i]! > INLINE_MAX) return false;
    if (!sameMask(masks[n.x]!, leaf)) return false;
    // Reduced leaf axes must be the trailing non-unit axes (a contiguous run in C order).
    const ax = new Set(normAxes(n, d));
    const trueAxes = leaf.map((b, k) => (b ? k : -1)).filter((k) => k >= 0);
    const reduced = trueAxes.filter((k) => ax.has(k));
    if (!reduced.every((k, j) => k === trueAxes[trueAxes.length - reduced.length + j])) return false;
    // The subtree must be plain leaf-space elementwise work over full-size leaves.
    const ok = (j: number): boolean => {
      const m = nodes[j]!;
      if (m.op === "const") return true;
      if (!sameMask(masks[j]!, leaf)) return false;
      if (m.op === "in" || m.op === "rand" || m.op === "fill") return true;
      if (!isElem(m)) return false;
      return children(m).every(ok);
    };
    if (!ok(n.x)) return false;
    // Every elementwise consumer, transitively, must iterate this node's own space.
    const fits = (j: number): boolean =>
      consumers[j]!.every((c) => nodes[c]!.op === "reduce" || (isElem(nodes[c]!) && sameMask(masks[c]!, masks[i]!) && fits(c)));
    return fits(i);
  };
  const materialised = new Set<number>(p.outputs);
  nodes.forEach((n, i) => {
    if (n.op === "reduce" && !inlinable(i)) materialised.add(i);
  });
  const internal = [...materialised].filter((i) => !outputs.has(i)).sort((a, b) => a - b);
  const bufIndex = new Map(internal.map((n, j) => [n, j] as const));
  const randNodes: number[] = [];
  nodes.forEach((n, i) => { if (n.op === "rand") randNodes.push(i); });
  const rbIndex = new Map(randNodes.map((n, j) => [n, j] as const));

  const pre: string[] = [SCALAR_PRELUDE];
  for (let k = 0; k < d; k++) pre.push(`const e${k} = ext[${k}];`);
  // Per mask: size and C strides, declared once.
  const maskNames = new Map<string, string>();
  const maskName = (m: Mask): string => {
    const key = m.map((b) => (b ? "1" : "0")).join("");
    let name = maskNames.get(key);
    if (name === undefined) {
      name = `S${maskNames.size}`;
      maskNames.set(key, name);
      let stride = "1";
      for (let k = d - 1; k >= 0; k--) {
        pre.push(`const ${name}_s${k} = ${stride};`);
        if (m[k]) stride = `${name}_s${k} * e${k}`;
      }
      pre.push(`const ${name}_n = ${stride};`);
    }
    return name;
  };
  maskName(leaf);
  // Arrays as locals: V8 then keeps their elements' kinds and bounds in registers.
  p.outputs.forEach((_, j) => pre.push(`const out${j} = outs[${j}];`));
  internal.forEach((_, j) => pre.push(`const buf${j} = bufs[${j}];`));
  randNodes.forEach((_, j) => pre.push(`const rb${j} = rb[${j}];`));
  const insUsed = new Set<number>();
  nodes.forEach((n) => { if (n.op === "in") insUsed.add(n.slot); });
  for (const slot of insUsed) pre.push(`const in${slot} = ins[${slot}];`);
  const ratios = new Map<string, string>();
  /** A constant L_n / S_n (elements of space `big` per element of space `small`), declared once. */
  const ratio = (big: Mask, small: Mask): string => {
    const key = `${maskName(big)}_per_${maskName(small)}`;
    if (!ratios.has(key)) { ratios.set(key, key); pre.push(`const ${key} = (${maskName(big)}_n / ${maskName(small)}_n) | 0;`); }
    return key;
  };

  let uid = 0;
  const fresh = (base: string): string => `${base}${uid++}`;

  /** Index expression of an element of space `mx` at flat index `f` of loop space `ms`. */
  const indexIn = (mx: Mask, ms: Mask, f: string): string => {
    if (sameMask(mx, ms)) return f;
    const S = maskName(ms);
    const X = maskName(mx);
    const terms: string[] = [];
    for (let k = 0; k < d; k++) if (mx[k]) terms.push(`(((${f} / ${S}_s${k}) | 0) % e${k}) * ${X}_s${k}`);
    return terms.length === 0 ? "0" : terms.join(" + ");
  };

  interface Ctx {
    readonly space: Mask;
    readonly f: string; // flat index variable in `space`
    readonly tileLeaf: string; // leaf index of the first element of the current rand tile
    readonly memo: Map<number, string>;
    readonly lines: string[];
    readonly target: number;
    readonly randUsed: Set<number>;
  }

  const read = (ctx: Ctx, i: number): string => {
    const hit = ctx.memo.get(i);
    if (hit !== undefined) return hit;
    const n = nodes[i]!;
    const v = fresh("v");
    let src: string;
    if (i !== ctx.target && materialised.has(i)) {
      const arr = outputs.has(i) ? `out${p.outputs.indexOf(i)}` : `buf${bufIndex.get(i)}`;
      const idx = indexIn(masks[i]!, ctx.space, ctx.f);
      src = outputs.has(i) && n.dtype === "int64" ? `Number(${arr}[${idx}])` : `${arr}[${idx}]`;
      ctx.lines.push(`const ${v} = ${src};`);
      ctx.memo.set(i, v);
      return v;
    }
    switch (n.op) {
      case "in": {
        const idx = indexIn(masks[i]!, ctx.space, ctx.f);
        src = n.dtype === "int64" ? `Number(in${n.slot}[${idx}])` : `in${n.slot}[${idx}]`;
        break;
      }
      case "const": {
        const c = coerce(n.dtype, n.value);
        ctx.memo.set(i, numLit(c));
        return numLit(c);
      }
      case "fill": {
        const c = coerce(n.dtype, n.value);
        ctx.memo.set(i, numLit(c));
        return numLit(c);
      }
      case "rand":
        if (!sameMask(ctx.space, leaf)) throw new ArrayKernelError("internal: rand leaf read outside the leaf space");
        if (n.perm !== undefined) throw new ArrayKernelError("internal: a transposed draw reached the kernel compiler (the array.program op turns it into an input)");
        ctx.randUsed.add(i);
        src = coerceSrc(n.dtype, `rb${rbIndex.get(i)}[${ctx.f} - ${ctx.tileLeaf}]`);
        break;
      case "iota":
        src = coerceSrc(n.dtype, `io(${i}, ${indexIn(leaf, ctx.space, ctx.f)})`);
        break;
      case "unary": {
        const u = unarySrc(n.fn, read(ctx, n.x), n.dtype);
        src = n.fn === "not" && n.dtype === "bool" ? u : coerceSrc(n.dtype, u);
        break;
      }
      case "binary": {
        const b = binarySrc(n.fn, read(ctx, n.x), read(ctx, n.y), n.dtype, n.dtype);
        src = ZERO_ONE_BINARY.has(n.fn) && n.dtype === "bool" ? b : coerceSrc(n.dtype, b);
        break;
      }
      case "where":
        src = `(${read(ctx, n.cond)} !== 0 ? ${read(ctx, n.x)} : ${read(ctx, n.y)})`;
        src = coerceSrc(n.dtype, src);
        break;
      case "cast":
        src = coerceSrc(n.dtype, read(ctx, n.x));
        break;
      case "clip": {
        const x = read(ctx, n.x);
        const lo = numLit(coerce(n.dtype, n.lo));
        const hi = numLit(coerce(n.dtype, n.hi));
        src = coerceSrc(n.dtype, `(${x} !== ${x} ? ${x} : ${x} < ${lo} ? ${lo} : ${x} > ${hi} ? ${hi} : ${x})`);
        break;
      }
      case "reduce": {
        // Inlined: an inner loop over the contiguous run of leaf elements of this output element.
        const acc = fresh("a");
        const r = fresh("r");
        const lf = fresh("lf");
        const inner = ratio(leaf, masks[i]!);
        if (!sameMask(ctx.space, masks[i]!)) throw new ArrayKernelError("internal: inlined reduction read outside its own space");
        ctx.lines.push(`let ${acc} = ${numLit(reduceInit(n.fn))};`);
        const tl = fresh("tl");
        tileLeafDecl.set(ctx.lines, `const ${tl} = ${ctx.tileLeaf} * ${inner};`);
        const sub: Ctx = { space: leaf, f: lf, tileLeaf: tl, memo: new Map(), lines: [], target: -1, randUsed: ctx.randUsed };
        // Leaves shared with the outer loop are recomputed inside: they live in another space.
        const x = read(sub, n.x);
        ctx.lines.push(`for (let ${r} = 0; ${r} < ${inner}; ${r}++) {`, `const ${lf} = ${ctx.f} * ${inner} + ${r};`, ...sub.lines, `${acc} = ${reduceStepSrc(n.fn, acc, x)};`, `}`);
        src = coerceSrc(n.dtype, acc);
        inlineScale.set(ctx.lines, inner);
        break;
      }
    }
    ctx.lines.push(`const ${v} = ${src};`);
    ctx.memo.set(i, v);
    return v;
  };
  // Which loops contain an inlined reduction (their rand tiles are scaled by the run length).
  const inlineScale = new Map<string[], string>();
  const tileLeafDecl = new Map<string[], string>();

  const body: string[] = [];
  const sorted = [...materialised].sort((a, b) => a - b);
  for (const t of sorted) {
    const n = nodes[t]!;
    const isRed = n.op === "reduce";
    const space = isRed ? masks[n.x]! : masks[t]!;
    const S = maskName(space);
    const f = fresh("f");
    const t0 = fresh("t");
    const lines: string[] = [];
    const ctx: Ctx = { space, f, tileLeaf: t0, memo: new Map(), lines, target: t, randUsed: new Set() };
    const dest = outputs.has(t) ? `out${p.outputs.indexOf(t)}` : `buf${bufIndex.get(t)}`;
    const store = (val: string): string => (outputs.has(t) && n.dtype === "int64" ? `BigInt(${val})` : val);
    let head: string[] = [];
    let tail: string[] = [];
    if (!isRed) {
      const v = read(ctx, t);
      lines.push(`${dest}[${f}] = ${store(v)};`);
    } else {
      const x = read(ctx, n.x);
      const rm = masks[t]!;
      const R = maskName(rm);
      const axes = new Set(normAxes(n, d));
      const trueAxes = space.map((b, k) => (b ? k : -1)).filter((k) => k >= 0);
      const red = trueAxes.filter((k) => axes.has(k));
      const isRun = red.every((k, j) => k === trueAxes[trueAxes.length - red.length + j]);
      if (isRun) {
        // Runs of `inner` consecutive elements make one output: accumulate in a register.
        const acc = fresh("acc");
        const cnt = fresh("c");
        const o = fresh("o");
        const inner = ratio(space, rm);
        head = [`let ${acc} = ${numLit(reduceInit(n.fn))}, ${cnt} = 0, ${o} = 0;`];
        lines.push(`${acc} = ${reduceStepSrc(n.fn, acc, x)};`);
        lines.push(`if (++${cnt} === ${inner}) { ${dest}[${o}++] = ${store(coerceSrc(n.dtype, acc))}; ${acc} = ${numLit(reduceInit(n.fn))}; ${cnt} = 0; }`);
      } else {
        // General: accumulate into a float64 scratch in C order, convert once at the end.
        const sc = fresh("sc");
        const oi = fresh("oi");
        head = [`const ${sc} = new Float64Array(${R}_n).fill(${numLit(reduceInit(n.fn))});`];
        const isLeading = red.every((k, j) => k === trueAxes[j]);
        if (isLeading) {
          // Leading axes reduced (sum(axis=0)): the output index is f mod its size, counted.
          head.push(`let ${oi} = 0;`);
          lines.push(`${sc}[${oi}] = ${reduceStepSrc(n.fn, `${sc}[${oi}]`, x)};`, `if (++${oi} === ${R}_n) ${oi} = 0;`);
        } else {
          lines.push(`const ${oi} = ${indexIn(rm, space, f)};`, `${sc}[${oi}] = ${reduceStepSrc(n.fn, `${sc}[${oi}]`, x)};`);
        }
        tail = [`for (let q = 0; q < ${R}_n; q++) ${dest}[q] = ${store(coerceSrc(n.dtype, `${sc}[q]`))};`];
      }
    }
    const scale = inlineScale.get(lines) ?? "1";
    const tileN = fresh("tn");
    const fill = [...ctx.randUsed].map((k) => `rnd(${k}, ${t0} * ${scale}, (${f}end - ${t0}) * ${scale}, rb${rbIndex.get(k)});`);
    const tlDecl = tileLeafDecl.get(lines);
    body.push(
      `{`,
      ...head,
      `const ${tileN} = Math.max(1, Math.floor(${TILE} / ${scale}));`,
      `for (let ${t0} = 0; ${t0} < ${S}_n; ${t0} += ${tileN}) {`,
      `const ${f}end = Math.min(${S}_n, ${t0} + ${tileN});`,
      ...fill,
      ...(tlDecl === undefined ? [] : [tlDecl]),
      `for (let ${f} = ${t0}; ${f} < ${f}end; ${f}++) {`,
      ...lines,
      `}`,
      `}`,
      ...tail,
      `}`,
    );
  }
  const source = [...pre, ...body].join("\n");
  const fn = new Function("ins", "ext", "outs", "bufs", "rb", "rnd", "io", source) as Generated["fn"];
  return { fn, materialised: internal, randNodes, source };
}

function children(n: ProgramNode): number[] {
  switch (n.op) {
    case "in": case "const": case "fill": case "rand": case "iota": return [];
    case "unary": case "cast": case "clip": case "reduce": return [n.x];
    case "binary": return [n.x, n.y];
    case "where": return [n.cond, n.x, n.y];
  }
}

function numLit(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (Object.is(x, -0)) return "-0";
  return String(x);
}

function sizeOf(m: Mask, ext: readonly number[]): number {
  let n = 1;
  m.forEach((b, k) => { if (b) n *= ext[k]!; });
  return n;
}

/** The ChunkInfo a rand node indexes with: the task's, or its origin's in another array. */
export function leafInfo(info: ChunkInfo, node: ProgramNode): ChunkInfo {
  if (node.op !== "rand" || node.origin === undefined) return info;
  const offset = info.origins?.[node.origin];
  if (offset === undefined || node.globalShape === undefined) throw new ArrayKernelError(`array.program: a rand leaf refers to origin ${node.origin}, which the chunk info lacks`);
  return { shape: info.shape, offset, globalShape: node.globalShape };
}

/** Global flat index of leaf flat index `f` of a chunk. */
export function globalIndex(info: ChunkInfo, f: number): number {
  const { shape, offset, globalShape } = info;
  let g = 0;
  let rest = f;
  let stride = 1;
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = rest % shape[k]!;
    rest = Math.floor(rest / shape[k]!);
  }
  for (let k = shape.length - 1; k >= 0; k--) {
    g += (offset[k]! + idx[k]!) * stride;
    stride *= globalShape[k]!;
  }
  return g;
}

/**
 * Leaf flat indices are globally contiguous in runs: the trailing axes the chunk spans in full,
 * times the first axis (from the right) it does not.
 */
export function contiguousRun(info: ChunkInfo): number {
  let run = 1;
  for (let k = info.shape.length - 1; k >= 0; k--) {
    run *= info.shape[k]!;
    if (info.shape[k] !== info.globalShape[k]) break;
  }
  return Math.max(1, run);
}

/** Compile a chunk program to a kernel. `randFill` draws random leaves (see ../kernels/random-leaf.ts). */
export function compileJs(p: ChunkProgram, randFill: RandFill): ChunkKernel & { sourceFor?: (inputs: readonly NDChunk[], info: ChunkInfo) => string } {
  const cache = new Map<string, Generated>();
  const rbs = new Map<number, Float64Array>();
  const get = (inputs: readonly NDChunk[], info: ChunkInfo): [Analysis, Generated] => {
    const an = analyze(p, inputs, info);
    let g = cache.get(an.sig);
    if (g === undefined) {
      g = generate(p, an, info.shape.length);
      cache.set(an.sig, g);
    }
    return [an, g];
  };
  const kernel = (inputs: readonly NDChunk[], info: ChunkInfo): NDChunk[] => {
    const n = info.shape.reduce((a, b) => a * b, 1);
    if (n > MAX_CHUNK_ELEMENTS) {
      throw new ArrayKernelError(`chunk of shape [${info.shape.join(", ")}] has ${n} elements, more than ${MAX_CHUNK_ELEMENTS}; use smaller chunks`);
    }
    const [an, g] = get(inputs, info);
    const ext = info.shape;
    const shapeOf = (i: number): number[] => ext.map((e, k) => (an.masks[i]![k] ? e : 1));
    const outs: ChunkData[] = p.outputs.map((i) => {
      const n = p.nodes[i]!;
      const a = outputBuffer(n.dtype, sizeOf(an.masks[i]!, ext));
      if (n.op === "reduce") fillInit(a, n.dtype, reduceInit(n.fn));
      return a;
    });
    const bufs = g.materialised.map((i) => {
      const n = p.nodes[i]!;
      const b = new Float64Array(sizeOf(an.masks[i]!, ext));
      if (n.op === "reduce") b.fill(reduceInit(n.fn));
      return b;
    });
    const rb = g.randNodes.map((k) => {
      let b = rbs.get(k);
      if (b === undefined) { b = new Float64Array(TILE); rbs.set(k, b); }
      return b;
    });
    const rnd = (k: number, s: number, n: number, buf: Float64Array): void => {
      const node = p.nodes[k] as Extract<ProgramNode, { op: "rand" }>;
      const li = leafInfo(info, node);
      const run = contiguousRun(li);
      // Split into globally contiguous runs.
      let pos = 0;
      while (pos < n) {
        const l = s + pos;
        const runEnd = (Math.floor(l / run) + 1) * run;
        const len = Math.min(n - pos, runEnd - l);
        const view = pos === 0 && len === buf.length ? buf : buf.subarray(pos, pos + len);
        randFill(node, li, globalIndex(li, l), len, view);
        pos += len;
      }
    };
    const total = info.globalShape.reduce((a, b) => a * b, 1);
    const io = (k: number, f: number): number => {
      const node = p.nodes[k] as Extract<ProgramNode, { op: "iota" }>;
      const gi = globalIndex(info, f);
      if (node.last !== undefined && gi === total - 1) return node.last;
      return node.a + gi * node.b;
    };
    g.fn(inputs.map((c) => c.data), ext, outs, bufs, rb, rnd, io);
    return p.outputs.map((i, j) => ({ dtype: p.nodes[i]!.dtype, shape: shapeOf(i), data: outs[j]! }));
  };
  return Object.assign(kernel, { sourceFor: (inputs: readonly NDChunk[], info: ChunkInfo) => get(inputs, info)[1].source });
}

function fillInit(a: ChunkData, d: DType, v: number): void {
  if (a instanceof BigInt64Array) a.fill(BigInt(coerce(d, Number.isFinite(v) ? v : 0)));
  else a.fill(coerce(d, v));
}
