/**
 * Deterministic keys. `tokenize(...parts)` hashes a canonical encoding of its arguments, so
 * building the same expression twice gives the same names (`op-<hash>`) and block keys
 * (`op-<hash>:i,j`, see blockKey in ./spec.ts). Object fields are encoded in sorted order, typed
 * arrays by their type name and raw bytes, so neither insertion order nor the typed-array view
 * changes the token.
 */
import { createHash, type Hash } from "node:crypto";
import { UsageError } from "../util/errors.js";

function feed(h: Hash, x: unknown, seen: Set<object>): void {
  if (x === null) return void h.update("n;");
  switch (typeof x) {
    case "undefined": return void h.update("u;");
    case "boolean": return void h.update(x ? "T;" : "F;");
    // Object.is distinguishes -0 from 0; String(NaN) is stable.
    case "number": return void h.update(Object.is(x, -0) ? "d-0;" : `d${x};`);
    case "bigint": return void h.update(`i${x};`);
    case "string": return void h.update(`s${x.length}:${x};`);
    case "symbol": throw new UsageError(`tokenize: cannot tokenize a symbol (${String(x)})`);
    case "function": {
      const f = x as { name?: string };
      return void h.update(`f${f.name ?? ""}:${String(x)};`);
    }
  }
  const o = x as object;
  if (ArrayBuffer.isView(o)) {
    const v = o as ArrayBufferView;
    h.update(`v${o.constructor.name}:${v.byteLength}:`);
    h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    return void h.update(";");
  }
  if (o instanceof ArrayBuffer) {
    h.update(`b${o.byteLength}:`);
    h.update(new Uint8Array(o));
    return void h.update(";");
  }
  if (seen.has(o)) throw new UsageError("tokenize: cannot tokenize a cyclic structure");
  seen.add(o);
  if (Array.isArray(o)) {
    h.update(`a${o.length}[`);
    for (const e of o) feed(h, e, seen);
    h.update("]");
  } else {
    const keys = Object.keys(o).sort();
    h.update(`o${keys.length}{`);
    for (const k of keys) {
      h.update(`s${k.length}:${k}=`);
      feed(h, (o as Record<string, unknown>)[k], seen);
    }
    h.update("}");
  }
  seen.delete(o);
}

/** A short hex token (first 16 hex digits of SHA-1) of a canonical encoding of `parts`. */
export function tokenize(...parts: readonly unknown[]): string {
  const h = createHash("sha1");
  feed(h, parts, new Set());
  return h.digest("hex").slice(0, 16);
}

/** A deterministic name `prefix-<token>`: the name of an array or other graph collection. */
export function tokenName(prefix: string, ...parts: readonly unknown[]): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(prefix)) {
    throw new UsageError(`tokenName: prefix '${prefix}' must be letters, digits, '_', '.' or '-' (it names the task kind)`);
  }
  return `${prefix}-${tokenize(...parts)}`;
}
