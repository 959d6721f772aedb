/**
 * The task graph as documented data (see docs/graph.md).
 *
 * A graph maps keys to nodes. A node is either data (a literal value) or a task: the name of a
 * registered operation plus its arguments. Arguments refer to other keys only through explicit
 * `Ref` objects, never through strings that happen to equal a key.
 */

/** A key names one value in the graph: `name-<hash>` or a block of it, `name-<hash>:i,j`. */
export type Key = string;

/** An explicit reference to the value of another key. */
export interface Ref {
  readonly $ref: Key;
}

export type TypedArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | BigInt64Array
  | BigUint64Array;

/** Anything that can be an argument: plain JSON-like data, typed arrays, and references. */
export type Arg =
  | null
  | undefined
  | boolean
  | number
  | bigint
  | string
  | Ref
  | TypedArray
  | readonly Arg[]
  | { readonly [field: string]: Arg };

/** A task: run operation `op` (looked up by name in the op registry) on `args`, refs resolved. */
export interface TaskNode {
  readonly op: string;
  readonly args: readonly Arg[];
}

/** A data node: a literal value, already computed. */
export interface DataNode {
  readonly data: Arg;
}

export type GraphNode = TaskNode | DataNode;

/** A graph: key → node. Plain object so that it serialises as-is. */
export type Graph = Record<Key, GraphNode>;

export function ref(key: Key): Ref {
  return { $ref: key };
}

export function isRef(x: unknown): x is Ref {
  return typeof x === "object" && x !== null && typeof (x as { $ref?: unknown }).$ref === "string" && Object.keys(x).length === 1;
}

export function isTask(node: GraphNode): node is TaskNode {
  return (node as TaskNode).op !== undefined;
}

/** Block key: `name:i,j` for block index (i, j); a bare name for a single-block value. */
export function blockKey(name: string, index: readonly number[]): Key {
  return index.length === 0 ? name : `${name}:${index.join(",")}`;
}

/** The prefix of a key (`"add"` for `"add-3f9a2c:0,1"`): the task kind shown by the dashboard. */
export function keyPrefix(key: Key): string {
  const colon = key.indexOf(":");
  const name = colon < 0 ? key : key.slice(0, colon);
  const dash = name.lastIndexOf("-");
  return dash > 0 ? name.slice(0, dash) : name;
}
