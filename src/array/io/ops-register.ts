/** Registers the IO ops (imported by every task thread via src/graph/builtin-op-modules.ts). */
import { registerOp } from "../../graph/ops.js";
import { IO_OPS } from "./ops-names.js";
import { zarrRead } from "./zarr-read.js";
import { zarrWrite } from "./zarr-write-op.js";
import { flatRead } from "./flat-read.js";
import { npyWrite } from "./npy-write-op.js";
import { hdf5Read } from "./hdf5-read.js";
import { netcdf3Read } from "./netcdf3.js";

export { IO_OPS };

registerOp(IO_OPS.zarrRead, zarrRead);
registerOp(IO_OPS.zarrWrite, zarrWrite);
registerOp(IO_OPS.npyRead, flatRead);
registerOp(IO_OPS.npyWrite, npyWrite);
registerOp(IO_OPS.hdf5Read, hdf5Read);
registerOp(IO_OPS.netcdf3Read, netcdf3Read);
