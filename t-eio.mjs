import { fromZarr, fromNpy, arange, random } from "./dist/src/array/index.js";
const x = arange(0, 6000, 1, { chunks: 1000 }).reshape(100, 60).rechunk([25, 30]);
console.log(await x.toZarr("/tmp/eio/w2.zarr", { overwrite: true, dims: ["y", "x"] }));
console.log(await x.astype("float32").toZarr("/tmp/eio/w3.zarr", { overwrite: true, zarrFormat: 3, compressor: "zstd", path: "g/v" }));
const r = await fromZarr("/tmp/eio/w3.zarr", { path: "g/v" }); console.log(r.chunks, await r.sum().compute());
try { await x.toZarr("/tmp/eio/w2.zarr"); } catch (e) { console.log(e.code, e.message); }
try { await x.toZarr("/tmp/eio/w4.zarr", { chunks: [10, 60] , overwrite: true}); } catch (e) { console.log(e.code, e.message); }
await x.mean({ axis: 0 }).toZarr("/tmp/eio/m.zarr", { overwrite: true });
await x.gt(3000).toZarr("/tmp/eio/b.zarr", { overwrite: true, compressor: "gzip" });
await x.toNpy("/tmp/eio/x.npy", { overwrite: true });
const n = fromNpy("/tmp/eio/x.npy", { chunks: [30, 7] }); console.log(n.dtype, await n.sum().compute());
