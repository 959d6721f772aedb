/**
 * A small WebAssembly binary encoder: just enough to build the modules Tessera generates at run
 * time (one memory, functions, exports, optional function imports), including SIMD-128.
 * No external toolchain: kernels are assembled here from opcodes (see ./asm.ts).
 */
import { ArrayKernelError } from "../errors.js";

export const enum ValType {
  i32 = 0x7f,
  i64 = 0x7e,
  f32 = 0x7d,
  f64 = 0x7c,
  v128 = 0x7b,
}

/** Appends LEB128 and little-endian encodings to a growable byte list. */
export class ByteWriter {
  readonly bytes: number[] = [];

  byte(...b: number[]): this {
    for (const x of b) this.bytes.push(x & 0xff);
    return this;
  }

  u32(value: number): this {
    let v = value >>> 0;
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.bytes.push(b);
    } while (v !== 0);
    return this;
  }

  s32(value: number): this {
    return this.s64(BigInt(value | 0));
  }

  s64(value: bigint): this {
    let v = BigInt.asIntN(64, value);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      const signBit = (b & 0x40) !== 0;
      if ((v === 0n && !signBit) || (v === -1n && signBit)) {
        this.bytes.push(b);
        return this;
      }
      this.bytes.push(b | 0x80);
    }
  }

  f64(value: number): this {
    const buf = new DataView(new ArrayBuffer(8));
    buf.setFloat64(0, value, true);
    for (let i = 0; i < 8; i++) this.bytes.push(buf.getUint8(i));
    return this;
  }

  name(text: string): this {
    const utf8 = new TextEncoder().encode(text);
    this.u32(utf8.length);
    for (const b of utf8) this.bytes.push(b);
    return this;
  }

  append(other: readonly number[]): this {
    for (const b of other) this.bytes.push(b);
    return this;
  }
}

export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

interface FuncDef {
  readonly typeIndex: number;
  readonly locals: readonly ValType[];
  readonly body: readonly number[];
}

/** Builds a module: imports first (they take the lowest function indices), then defined functions. */
export class ModuleBuilder {
  readonly #types: FuncType[] = [];
  readonly #imports: { module: string; name: string; typeIndex: number }[] = [];
  readonly #funcs: (FuncDef | undefined)[] = [];
  readonly #exports: { name: string; index: number }[] = [];
  #memoryPages = 1;

  #typeIndex(t: FuncType): number {
    const key = JSON.stringify(t);
    const found = this.#types.findIndex((x) => JSON.stringify(x) === key);
    if (found >= 0) return found;
    this.#types.push(t);
    return this.#types.length - 1;
  }

  /** Declares an imported function; must be called before any `declareFunc`. */
  importFunc(module: string, name: string, type: FuncType): number {
    if (this.#funcs.length > 0) throw new ArrayKernelError("ModuleBuilder: declare imports before functions");
    this.#imports.push({ module, name, typeIndex: this.#typeIndex(type) });
    return this.#imports.length - 1;
  }

  /** Reserves a function index (so functions can call each other before their bodies exist). */
  declareFunc(): number {
    this.#funcs.push(undefined);
    return this.#imports.length + this.#funcs.length - 1;
  }

  defineFunc(index: number, type: FuncType, locals: readonly ValType[], body: readonly number[], exportName?: string): void {
    this.#funcs[index - this.#imports.length] = { typeIndex: this.#typeIndex(type), locals, body };
    if (exportName !== undefined) this.#exports.push({ name: exportName, index });
  }

  setMemoryPages(pages: number): void {
    this.#memoryPages = Math.max(1, Math.ceil(pages));
  }

  build(): Uint8Array<ArrayBuffer> {
    const out = new ByteWriter().byte(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
    const section = (id: number, content: ByteWriter): void => {
      out.byte(id).u32(content.bytes.length).append(content.bytes);
    };
    const types = new ByteWriter().u32(this.#types.length);
    for (const t of this.#types) {
      types.byte(0x60).u32(t.params.length).byte(...t.params).u32(t.results.length).byte(...t.results);
    }
    section(1, types);
    if (this.#imports.length > 0) {
      const imports = new ByteWriter().u32(this.#imports.length);
      for (const imp of this.#imports) imports.name(imp.module).name(imp.name).byte(0x00).u32(imp.typeIndex);
      section(2, imports);
    }
    const funcs = new ByteWriter().u32(this.#funcs.length);
    for (const [i, f] of this.#funcs.entries()) {
      if (f === undefined) throw new ArrayKernelError(`ModuleBuilder: function ${i + this.#imports.length} declared but not defined`);
      funcs.u32(f.typeIndex);
    }
    section(3, funcs);
    section(5, new ByteWriter().u32(1).byte(0x00).u32(this.#memoryPages));
    const exports = new ByteWriter().u32(this.#exports.length + 1).name("memory").byte(0x02).u32(0);
    for (const e of this.#exports) exports.name(e.name).byte(0x00).u32(e.index);
    section(7, exports);
    const code = new ByteWriter().u32(this.#funcs.length);
    for (const f of this.#funcs) {
      const body = new ByteWriter();
      // Locals run-length encoded: one entry per local (simple, fine for small counts).
      body.u32(f!.locals.length);
      for (const l of f!.locals) body.u32(1).byte(l);
      body.append(f!.body).byte(0x0b);
      code.u32(body.bytes.length).append(body.bytes);
    }
    section(10, code);
    return new Uint8Array(out.bytes);
  }
}
