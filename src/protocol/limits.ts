/**
 * Limits on what any authenticated peer may send, checked when a message arrives, before anything in
 * it is kept. A peer that knows the secret can still be buggy or hostile: without these a 2 KB frame
 * of arguments nested 2000 deep decodes fine and then overflows the stack when re-encoded for a worker.
 */
import { TesseraError } from "../util/errors.js";

export interface PeerLimits {
  /** Deepest nesting of arrays/objects/maps anywhere in one message (the message itself is depth 1). */
  maxDepth: number;
  /** Most values (array items, object fields, map entries, leaves) in one task's arguments or data. */
  maxTaskValues: number;
  /** Longest task key, in characters. */
  maxKeyLength: number;
  /** Most tasks in one update-graph message. */
  maxTasksPerMessage: number;
  /** Most tasks the scheduler holds at once, over all clients; a graph that would pass it is refused. */
  maxGraphTasks: number;
}

export const DEFAULT_PEER_LIMITS: Readonly<PeerLimits> = Object.freeze({
  maxDepth: 100,
  maxTaskValues: 10_000_000,
  maxKeyLength: 4096,
  maxTasksPerMessage: 1_000_000,
  maxGraphTasks: 10_000_000,
});

export class LimitsConfigError extends TesseraError {
  constructor(message: string) {
    super("TESSERA_ERR_LIMITS_CONFIG", message);
  }
}

const NAMES = Object.keys(DEFAULT_PEER_LIMITS) as (keyof PeerLimits)[];

/** Defaults overlaid with `given`; unknown names and non-positive or fractional values are errors. */
export function resolvePeerLimits(given: Partial<PeerLimits> | undefined): PeerLimits {
  const out: PeerLimits = { ...DEFAULT_PEER_LIMITS };
  if (given === undefined) return out;
  for (const [k, v] of Object.entries(given)) {
    if (!(NAMES as string[]).includes(k)) {
      const hint = NAMES.find((n) => n.toLowerCase() === k.replace(/[-_]/g, "").toLowerCase());
      throw new LimitsConfigError(`limits: unknown option '${k}'${hint ? ` (did you mean '${hint}'?)` : ""}; valid: ${NAMES.join(", ")}`);
    }
    if (v === undefined) continue;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) {
      throw new LimitsConfigError(`limits.${k} is ${String(v)}; use a whole number ≥ 1 (default ${DEFAULT_PEER_LIMITS[k as keyof PeerLimits]})`);
    }
    out[k as keyof PeerLimits] = v;
  }
  return out;
}

/**
 * Null when `value` nests at most `maxDepth` deep (counting `value` itself as `depth`) and holds at most
 * `maxValues` values; else what is wrong. Iterative, so the check itself cannot overflow the stack.
 */
export function valueShapeProblem(value: unknown, maxDepth: number, maxValues = Infinity, depth = 1): string | null {
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value)) return null;
  const stack: unknown[] = [value];
  const depths: number[] = [depth];
  let values = 0;
  while (stack.length > 0) {
    const v = stack.pop();
    const d = depths.pop()!;
    if (++values > maxValues) return `holds more than ${maxValues} values (limits.maxTaskValues)`;
    if (typeof v !== "object" || v === null || ArrayBuffer.isView(v)) continue;
    if (d > maxDepth) return `nests deeper than ${maxDepth} levels (limits.maxDepth)`;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        stack.push(v[i]);
        depths.push(d + 1);
      }
    } else if (v instanceof Map) {
      for (const [k, x] of v) {
        stack.push(k, x);
        depths.push(d + 1, d + 1);
      }
    } else {
      for (const k in v) {
        stack.push((v as Record<string, unknown>)[k]);
        depths.push(d + 1);
      }
    }
  }
  return null;
}

/**
 * Names Tessera refuses as task keys: properties every plain object inherits. Tables keyed by task key
 * travel as msgpack maps, and a key `__proto__` there would set the decoded object's prototype instead
 * of adding an entry, so such a task could never finish.
 */
const RESERVED_KEYS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), "prototype"]);

/** Null when `key` may be a task key under `limits`, else why not. */
export function taskKeyProblem(key: string, maxKeyLength: number): string | null {
  if (key.length > maxKeyLength) return `task key of ${key.length} characters ('${key.slice(0, 40)}…') is longer than ${maxKeyLength} (limits.maxKeyLength)`;
  if (RESERVED_KEYS.has(key)) {
    return `task key '${key}' is the name of a property every JavaScript object has, which Tessera refuses as a key; choose another (e.g. '${key}-1')`;
  }
  return null;
}
