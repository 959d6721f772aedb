/** Names of the IO ops (registered by ./ops-register.ts in every task thread). */
export const IO_OPS = {
  zarrRead: "io.zarr_read",
  zarrWrite: "io.zarr_write",
  hdf5Read: "io.hdf5_read",
  netcdf3Read: "io.netcdf3_read",
  npyRead: "io.npy_read",
  npyWrite: "io.npy_write",
} as const;
