// Single-thread throughput of the fused Monte-Carlo π kernel (one chunk program per 200 MB chunk:
// uniform [rows, 2] → pow 2 → sum(-1) → < 1 → count), WebAssembly backend vs the JavaScript
// backend and vs a hand-written plain-JS fused loop (xoshiro128**, two 32-bit draws per double,
// as in ../shared/reference/anchors.md). GB = 1e9 bytes of float64 random numbers generated.
// Usage: node dist/bench/pi-kernel.js [GB per run, default 2] [runs, default 5]
import { compileWasm } from "../src/array/kernels/compile-wasm.js";
import { randFill } from "../src/array/kernels/random-leaf.js";
import { compileJs } from "../src/array/kernels/compile-js.js";
import type { ChunkKernel, ChunkProgram } from "../src/array/fusion/ir.js";
import { normalizeSeed } from "../src/array/random/index.js";

const gbPerRun = Number(process.argv[2] ?? 2);
const runs = Number(process.argv[3] ?? 5);
const CHUNK_ROWS = 12_500_000; // 200 MB of float64 pairs

/** The chunk program src/array builds for `xy.pow(2).sum({ axis: -1 }).lt(1).mean()` (its sum part). */
const program: ChunkProgram = {
  nodes: [
    { op: "rand", dist: "uniform", seed: normalizeSeed(42), a: 0, b: 1, dtype: "float64" },
    { op: "unary", fn: "square", x: 0, dtype: "float64" },
    { op: "reduce", fn: "sum", axes: [1], x: 1, dtype: "float64" },
    { op: "const", value: 1, dtype: "float64" },
    { op: "binary", fn: "lt", x: 2, y: 3, dtype: "bool" },
    { op: "cast", x: 4, dtype: "float64" },
    { op: "reduce", fn: "sum", axes: [0], x: 5, dtype: "float64" },
  ],
  outputs: [6],
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** GB per CPU-second of the last timeKernel call (robust to other processes on a shared machine). */
let lastCpuRate = 0;

/** Runs `kernel` over `gb` GB of numbers in 200 MB chunks; returns [GB/s wall, π estimate]. */
function timeKernel(kernel: ChunkKernel, gb: number): [number, number] {
  const totalRows = Math.round((gb * 1e9) / 16);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let inside = 0;
  for (let r = 0; r < totalRows; r += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, totalRows - r);
    const out = kernel([], { shape: [rows, 2], offset: [r, 0], globalShape: [totalRows, 2] });
    inside += out[0]!.data[0] as number;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  lastCpuRate = (totalRows * 16) / 1e9 / ((cpu.user + cpu.system) / 1e6);
  return [(totalRows * 16) / 1e9 / s, (4 * inside) / totalRows];
}

/** The plain-JS fused loop of the anchors: xoshiro128**, 53-bit doubles from two draws. */
function timePlainJs(gb: number): [number, number] {
  const points = Math.round((gb * 1e9) / 16);
  const c0 = process.cpuUsage();
  let a = 0x9e3779b9 | 0, b = 0x243f6a88 | 0, c = 0xb7e15162 | 0, d = 0x12345678 | 0;
  const t0 = process.hrtime.bigint();
  let inside = 0;
  for (let i = 0; i < points; i++) {
    let s = 0;
    for (let q = 0; q < 2; q++) {
      let m = Math.imul(b, 5);
      const hi = Math.imul((m << 7) | (m >>> 25), 9) >>> 5;
      let t = b << 9;
      c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = (d << 11) | (d >>> 21);
      m = Math.imul(b, 5);
      const lo = Math.imul((m << 7) | (m >>> 25), 9) >>> 6;
      t = b << 9;
      c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = (d << 11) | (d >>> 21);
      const u = (hi * 67108864 + lo) / 9007199254740992;
      s += u * u;
    }
    if (s < 1) inside++;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  lastCpuRate = (points * 16) / 1e9 / ((cpu.user + cpu.system) / 1e6);
  return [(points * 16) / 1e9 / s, (4 * inside) / points];
}

const wasm = compileWasm(program, 2);
if (wasm === undefined) throw new Error("compileWasm: the π program is not supported here (no WebAssembly SIMD?)");
const jsBackend = compileJs(program, randFill);
const jsGb = Math.min(gbPerRun, 0.4);

const w: number[] = [], wCpu: number[] = [], j: number[] = [], jCpu: number[] = [], p: number[] = [], pCpu: number[] = [];
let piW = 0, piJ = 0;
// Warm-up (compilation, tier-up), and a check that both backends count the same points.
const [, warmW] = timeKernel(wasm, 0.05);
const [, warmJ] = timeKernel(jsBackend, 0.05);
timePlainJs(0.05);
if (warmW !== warmJ) throw new Error(`backends disagree on 0.05 GB: wasm π ${warmW}, js π ${warmJ}`);
for (let r = 0; r < runs; r++) {
  const [gw, pw] = timeKernel(wasm, gbPerRun);
  wCpu.push(lastCpuRate);
  const [gj, pj] = timeKernel(jsBackend, jsGb);
  jCpu.push(lastCpuRate);
  const [gp] = timePlainJs(jsGb);
  pCpu.push(lastCpuRate);
  w.push(gw); j.push(gj); p.push(gp);
  piW = pw; piJ = pj;
  console.log(`run ${r + 1}: wasm ${gw.toFixed(2)} GB/s (${wCpu[r]!.toFixed(2)} per CPU-s, π ≈ ${pw.toFixed(6)}), js backend ${gj.toFixed(2)} GB/s (${jCpu[r]!.toFixed(2)} per CPU-s), plain js loop ${gp.toFixed(2)} GB/s (${pCpu[r]!.toFixed(2)} per CPU-s)`);
}
console.log(`median of ${runs}: wasm ${median(w).toFixed(2)} GB/s/core (${median(wCpu).toFixed(2)} per CPU-second) over ${gbPerRun} GB/run; js backend ${median(j).toFixed(2)} (${median(jCpu).toFixed(2)}); plain js loop ${median(p).toFixed(2)} (${median(pCpu).toFixed(2)}) (${jsGb} GB/run)`);
console.log("GB/s are wall-clock; 'per CPU-second' divides by this process's CPU time, which is robust to other load on a shared machine.");
console.log(`π: wasm ${piW} (${gbPerRun} GB), js backend ${piJ} (${jsGb} GB); both backends gave identical counts on 0.05 GB`);
console.log(JSON.stringify({
  wasmGBPerSecPerCore: +median(w).toFixed(3),
  wasmGBPerCpuSecond: +median(wCpu).toFixed(3),
  jsGBPerSecPerCore: +median(p).toFixed(3),
  jsGBPerCpuSecond: +median(pCpu).toFixed(3),
  jsBackendGBPerSecPerCore: +median(j).toFixed(3),
  jsBackendGBPerCpuSecond: +median(jCpu).toFixed(3),
}));
