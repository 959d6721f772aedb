/** Names of the linear algebra block ops (registered by ./register.ts, called from ../ops-register.ts). */
export const LINALG_OPS = {
  /** One output block: Σ over block pairs of their contraction (./contract-block.ts). */
  contract: "array.linalg.contract",
  /** Σ of partial products. */
  add: "array.linalg.add",
} as const;
