/**
 * The `array.map_blocks` op: run a user function on one output block's input blocks and check
 * what it returns (a typed array of the declared dtype, or {data, shape}), so that a wrong block
 * fails here, naming itself, not later in some consumer.
 */
import { cachedFunction, compileSource, loadFunction, type FunctionDescriptor } from "../../../graph/function-descriptor.js";
import type { DType } from "../../dtype.js";
import type { NDChunk } from "../../fusion/ir.js";
import { BlockFunctionError } from "../../errors.js";
import { dataMatches, numel } from "./chunk-util.js";

export interface MapBlocksMeta {
  /** What the user called (mapBlocks, blockwise, mapOverlap) and the output array's name. */
  readonly where: string;
  readonly blockIndex: readonly number[];
  /** Expected output block shape (null where a dimension is unknown: not checked). */
  readonly shape: readonly (number | null)[];
  readonly dtype: DType;
  /** Extra per-block information passed to the function (e.g. location in the whole array). */
  readonly info?: Readonly<Record<string, unknown>>;
}

export interface BlockInfo {
  readonly blockIndex: readonly number[];
  readonly shape: readonly (number | null)[];
  readonly dtype: DType;
  readonly [k: string]: unknown;
}

type UserFn = (...args: unknown[]) => unknown;

function check(meta: MapBlocksMeta, out: unknown): NDChunk {
  const here = `${meta.where}: block [${meta.blockIndex.join(", ")}]`;
  let data: unknown;
  let shape: readonly number[];
  if (ArrayBuffer.isView(out)) {
    data = out;
    if (meta.shape.some((n) => n === null)) {
      throw new BlockFunctionError(`${here}: the function returned a bare typed array but the output block's shape is not known in advance; return { data, shape }`);
    }
    shape = meta.shape as number[];
    if ((out as unknown as { length: number }).length !== numel(shape)) {
      throw new BlockFunctionError(
        `${here}: the function returned ${(out as unknown as { length: number }).length} elements, expected shape [${shape.join(", ")}] (${numel(shape)} elements); ` +
          `return { data, shape } and pass { chunks } (and dropAxis / newAxis) describing the output blocks`,
      );
    }
  } else if (typeof out === "object" && out !== null && ArrayBuffer.isView((out as { data?: unknown }).data)) {
    data = (out as { data: unknown }).data;
    const s = (out as { shape?: unknown }).shape;
    if (s === undefined) shape = meta.shape.map((n) => n ?? -1);
    else if (Array.isArray(s) && s.every((n) => Number.isInteger(n) && n >= 0)) shape = s as number[];
    else throw new BlockFunctionError(`${here}: the returned shape ${String(s)} is not a list of non-negative integers`);
  } else {
    throw new BlockFunctionError(`${here}: the function returned ${out === null ? "null" : typeof out}; return a typed array or { data, shape }`);
  }
  if (!dataMatches(meta.dtype, data)) {
    throw new BlockFunctionError(
      `${here}: the function returned ${(data as object).constructor.name} but the declared dtype is ${meta.dtype}; ` +
        `return ${meta.dtype} data or pass { dtype } to say what the blocks hold`,
    );
  }
  const expectedOk = shape.length === meta.shape.length && shape.every((n, k) => meta.shape[k] === null || meta.shape[k] === n);
  if (!expectedOk) {
    throw new BlockFunctionError(
      `${here}: the function returned shape [${shape.join(", ")}], expected [${meta.shape.map((n) => n ?? "?").join(", ")}]; ` +
        `pass { chunks } (and dropAxis / newAxis) describing the output blocks`,
    );
  }
  const n = numel(shape);
  if ((data as { length: number }).length !== n) {
    throw new BlockFunctionError(`${here}: shape [${shape.join(", ")}] needs ${n} elements, the returned data has ${(data as { length: number }).length}`);
  }
  return { dtype: meta.dtype, shape: [...shape], data: data as NDChunk["data"] };
}

function call(fn: UserFn, meta: MapBlocksMeta, blocks: readonly NDChunk[]): NDChunk {
  const info: BlockInfo = { ...(meta.info ?? {}), blockIndex: [...meta.blockIndex], shape: [...meta.shape], dtype: meta.dtype };
  let out: unknown;
  try {
    out = fn(...blocks, info);
  } catch (e) {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    const hint = e instanceof ReferenceError
      ? " (a function shipped as source may use only its arguments and globals; export it from a module and tag it with remote(import.meta.url, { fn }))"
      : "";
    throw new BlockFunctionError(`${meta.where}: block [${meta.blockIndex.join(", ")}]: the function threw ${msg}${hint}`, { cause: e });
  }
  if (typeof (out as { then?: unknown } | null)?.then === "function") {
    throw new BlockFunctionError(`${meta.where}: block [${meta.blockIndex.join(", ")}]: the function returned a promise; block functions must be synchronous`);
  }
  return check(meta, out);
}

export function runMapBlocks(desc: FunctionDescriptor, meta: MapBlocksMeta, ...blocks: NDChunk[]): NDChunk | Promise<NDChunk> {
  const hit = cachedFunction(desc);
  if (hit !== undefined) return call(hit, meta, blocks);
  if (desc.kind === "source") return call(compileSource(desc), meta, blocks);
  return loadFunction(desc).then((fn) => call(fn, meta, blocks));
}
