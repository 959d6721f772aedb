/**
 * The fast path of the unit generator: the WebAssembly SIMD module from
 * src/array/kernels/wasm/xoshiro.ts, instantiated once per thread, filling a 64 KiB tile in its
 * memory that is copied out. Gives exactly the values of ./stream.ts (tests compare them).
 */
import { ModuleBuilder } from "../kernels/wasm/encoder.js";
import { addGenerator } from "../kernels/wasm/xoshiro.js";

const STATE_AT = 0;
const TILE_AT = 1024;
const TILE = 8192; // elements per gen call (64 KiB of float64)

interface UnitModule {
  readonly gen: (st: number, out: number, start: number, n: number) => void;
  readonly memory: WebAssembly.Memory;
}

let cached: UnitModule | null | undefined;

function load(): UnitModule | null {
  if (cached !== undefined) return cached;
  try {
    const mb = new ModuleBuilder();
    addGenerator(mb, "gen");
    mb.setMemoryPages((TILE_AT + TILE * 8) / 65536);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(mb.build()));
    const ex = instance.exports as unknown as UnitModule;
    cached = { gen: ex.gen, memory: ex.memory };
  } catch {
    cached = null; // no WebAssembly SIMD here: callers use the reference implementation
  }
  return cached;
}

/** Whether the WebAssembly generator is available in this runtime. */
export function wasmUnitAvailable(): boolean {
  return load() !== null;
}

let currentKey = -1n;

/** WebAssembly twin of fillUnitReference; returns false if WebAssembly SIMD is unavailable. */
export function fillUnitWasm(key: bigint, start: number, out: Float64Array, offset: number, n: number): boolean {
  const m = load();
  if (m === null) return false;
  const mem = m.memory.buffer;
  const state = new BigInt64Array(mem, STATE_AT, 34);
  if (key !== currentKey) {
    state[32] = BigInt.asIntN(64, key);
    state[33] = -1n;
    currentKey = key;
  }
  const tile = new Float64Array(mem, TILE_AT, TILE);
  for (let done = 0; done < n; ) {
    const k = Math.min(TILE, n - done);
    m.gen(STATE_AT, TILE_AT, start + done, k);
    out.set(k === TILE ? tile : tile.subarray(0, k), offset + done);
    done += k;
  }
  return true;
}
