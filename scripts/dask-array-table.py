# Prints the dask.array status table of docs/array.md: every public function of the installed
# dask.array (python3-dask) with its tessera/array name and status. Edit the mapping when adding functions.
# Usage: /usr/bin/python3 scripts/dask-array-table.py
import dask.array as da, inspect
names=[n for n in dir(da) if not n.startswith('_') and callable(getattr(da,n)) and not inspect.ismodule(getattr(da,n)) and n not in ('Array','PerformanceWarning')]
D={}  # name -> (tessera name, status, note)
def d(n, t, s="done", note=""): D[n]=(t,s,note)
for n,t in [("abs","abs"),("absolute","abs"),("add","add"),("all","all"),("any","any"),("arange","arange"),("argmax","argmax"),("argmin","argmin"),
            ("ceil","ceil"),("clip","clip"),("concatenate","concatenate"),("cos","cos"),("count_nonzero","count_nonzero"),("cumprod","cumprod"),("cumsum","cumsum"),
            ("diff","diff"),("equal","eq"),("exp","exp"),("expand_dims","expandDims"),("flip","flip"),("floor","floor"),("full","full"),("greater","gt"),
            ("greater_equal","ge"),("isfinite","isfinite"),("isinf","isinf"),("isnan","isnan"),("less","lt"),("less_equal","le"),("linspace","linspace"),("log","log"),
            ("logical_and","and"),("logical_not","not"),("logical_or","or"),("map_overlap","mapOverlap"),("max","max"),("maximum","maximum"),("mean","mean"),
            ("median","median"),("min","min"),("minimum","minimum"),("mod","mod / remainder"),("moveaxis","moveaxis"),("multiply","mul"),("nanmax","nanmax"),
            ("nanmean","nanmean"),("nanmedian","nanmedian"),("nanmin","nanmin"),("nanprod","nanprod"),("nanstd","nanstd"),("nansum","nansum"),("nanvar","nanvar"),
            ("negative","neg"),("nonzero","nonzero"),("not_equal","ne"),("ones","ones"),("power","pow"),("prod","prod"),("rechunk","rechunk"),("remainder","remainder"),
            ("reshape","reshape"),("roll","roll"),("sin","sin"),("sqrt","sqrt"),("squeeze","squeeze"),("stack","stack"),("std","std"),("subtract","sub"),("sum","sum"),
            ("swapaxes","swapaxes"),("transpose","transpose"),("true_divide","div"),("divide","div"),("var","var"),("where","where"),("zeros","zeros"),("block","block"),
            ("compute","compute()"),("shape","a.shape"),("ndim","a.ndim")]:
    d(n,t)
for n,t in [("ravel","ravel"),("fliplr","fliplr"),("flipud","flipud"),("atleast_1d","atleast1d"),("atleast_2d","atleast2d"),("atleast_3d","atleast3d"),
            ("vstack","vstack"),("hstack","hstack"),("dstack","dstack"),("append","append"),("ones_like","onesLike"),("zeros_like","zerosLike"),("full_like","fullLike"),
            ("broadcast_to","broadcastTo"),("broadcast_arrays","broadcastArrays"),("nancumsum","nancumsum"),("nancumprod","nancumprod"),("ptp","ptp"),("square","square"),
            ("isclose","isclose"),("allclose","allclose"),("flatnonzero","flatnonzero"),("average","average"),("tile","tile"),("ediff1d","ediff1d"),("extract","extract"),
            ("tril","tril"),("triu","triu"),("eye","eye"),("result_type","resultType")]:
    d(n,t)
for n in ["tan","tanh","sinh","cosh","arcsin","arccos","arctan","arcsinh","arccosh","arctanh","log10","log2","log1p","expm1","exp2","cbrt",
          "sign","trunc","fix","signbit","deg2rad","rad2deg","radians","degrees","rint","round","around"]:
    d(n,n,"done","unfused (one block kernel per block)")
d("nanargmin","nanargmin"); d("nanargmax","nanargmax")
d("reciprocal","reciprocal","differs","floats only (integer reciprocal refused)")
d("empty_like","emptyLike","differs","filled with zeros")
d("repeat","repeat","differs","a single repeat count (not one per element)")
d("compress","compress","differs","the condition is an in-memory list of booleans")
d("empty","empty","differs","filled with zeros (reproducible)")
d("array","fromArray","differs","typed arrays, nested JS arrays, NDArray")
d("asarray","fromArray","differs","as `array`"); d("asanyarray","fromArray","differs","as `array`"); d("from_array","fromArray","differs","in-memory data only")
d("map_blocks","mapBlocks","differs","fn gets `{data, shape, dtype}` blocks and `{blockIndex, shape, dtype, offset}`; `dtype` defaults to the first array's (not inferred by a trial call)")
d("blockwise","blockwise","differs","index strings (`'ij', x, 'jk'`); contracted indices always given whole (concatenate=True); `newAxes` only, no `adjust_chunks`")
d("coarsen","coarsen","differs","reducer by name (`'sum' 'mean' 'min' 'max' 'prod' 'any' 'all'`), `coarsen(reducer, x, {axis: factor}, {trimExcess})`")
d("floor_divide","floorDivide","differs","floats: `floor(a / b)` (NumPy's divmod-based value can differ by one ulp-caused step near integers); bool operands refused")
d("histogram","histogram","differs","`bins` as a count needs `range` (no data scan, as dask); returns `[counts, edges]` arrays; `weights`, `density`")
d("bincount","bincount","differs","length unknown (NaN chunk) until computed (dask sizes it by `minlength`)")
d("percentile","percentile","differs","'linear' method only; along one axis or flattened")
d("pad","pad","differs","modes constant, edge, wrap, reflect, symmetric (not linear_ramp, maximum, mean, median, minimum, empty)")
d("take","take","differs","1-d index lists (numbers, typed arrays, NDArray); not n-d or lazy indices")
d("unique","unique","differs","sorted values only (no return_index / return_inverse / return_counts)")
d("round","—","missing"); 
for n in ["matmul","dot","tensordot"]:
    d(n,n,"done","blocked, WebAssembly kernel per block pair (src/array/linalg); also `linalg.norm`")
for n in ["vdot","einsum","outer","trace","diag","diagonal"]:
    d(n,"—","missing","linear algebra")
for n in ["to_zarr","from_zarr","to_hdf5","to_npy_stack","from_npy_stack","to_tiledb","from_tiledb","store","from_delayed"]:
    d(n,"—","missing","I/O")
rows=[]
for n in sorted(set(names)|set(D)):
    t,s,note=D.get(n,("—","missing",""))
    rows.append(f"| `{n}` | {('`'+t+'`') if t!='—' else '—'} | {s} | {note} |")
done=sum(1 for n in rows if '| done |' in n); differs=sum(1 for n in rows if '| differs |' in n); missing=sum(1 for n in rows if '| missing |' in n)
print(f"{len(rows)} functions of dask.array 2022.12 (`dir(dask.array)`): {done} done, {differs} done with differences (noted), {missing} missing.\n")
print("| dask.array | tessera/array | status | notes |\n| --- | --- | --- | --- |")
print("\n".join(rows))
