/** Linear algebra of tessera/array: blocked matmul / dot / tensordot and `linalg.norm`. */
import { norm } from "./norm.js";

export { matmul, dot, tensordot, type TensordotOptions } from "./products.js";
export { norm, type NormOptions, type NormOrd } from "./norm.js";
export { setGemmBackend, gemmBackend } from "./gemm.js";

/** dask.array.linalg's namespace (the functions tessera has so far). */
export const linalg = { norm } as const;
