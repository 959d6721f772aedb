/** Names of the array layer's ops (registered by ./ops-register.ts in every task thread). */
export const ARRAY_OPS = {
  program: "array.program",
  assemble: "array.assemble",
  /** rechunk's ops: see rechunk-ops.ts. */
  rechunkSplit: "array.rechunk_split",
  rechunkAssemble: "array.rechunk_assemble",
  transpose: "array.transpose",
  reshape: "array.reshape",
  combine: "array.reduce_combine",
  aggregate: "array.reduce_aggregate",
  /** A combine/aggregate step that first runs its (input-less) chunk programs: see fusion/fuse-leaves.ts. */
  reduceLeaves: "array.reduce_leaves",
  /** A user function per block (mapBlocks, blockwise, mapOverlap): see api/map-blocks.ts. */
  mapBlocks: "array.map_blocks",
  /** A built-in block kernel by name (scans, sorting, joins, …): see api/block-kernels.ts. */
  apply: "array.apply",
} as const;
