"""Computes array cases with NumPy for test/array/numpy-crosscheck.test.ts.

Reads a JSON list of cases on stdin: {"op": name, "inputs": [{"dtype", "shape", "data"}], "kw": {...}};
writes a JSON list of results: {"dtype", "shape", "data"} or {"error": "..."}; non-finite floats
are encoded as the strings "nan", "inf", "-inf". NumPy 2's NEP 50 promotion is switched on for
NumPy 1.24+ (weak Python scalars), which is what Tessera implements.
"""
import json
import sys
import warnings

import numpy as np

if hasattr(np, "_set_promotion_state"):
    np._set_promotion_state("weak")
warnings.simplefilter("ignore")


def dec(v):
    if isinstance(v, str):
        return float(v)
    return v


def arr(spec):
    data = [dec(v) for v in spec["data"]]
    return np.array(data, dtype=spec["dtype"]).reshape(spec["shape"])


def enc(x):
    x = np.asarray(x)
    out = []
    for v in x.ravel().tolist():
        if isinstance(v, float) and not np.isfinite(v):
            out.append("nan" if np.isnan(v) else ("inf" if v > 0 else "-inf"))
        else:
            out.append(v)
    return {"dtype": str(x.dtype), "shape": list(x.shape), "data": out}


def fl(q):
    return [float(v) for v in q] if isinstance(q, list) else float(q)


def pad(a, width, mode, constant_values=None):
    if mode == "constant":
        return np.pad(a, width, mode="constant", constant_values=constant_values or 0)
    return np.pad(a, width, mode=mode)


def coarsen(a, reducer, factors):
    # Block-reduce: reshape each axis n -> (n/f, f) and reduce over the f axes.
    shape = []
    for k, n in enumerate(a.shape):
        f = factors.get(str(k), 1)
        shape += [n // f, f]
    r = a.reshape(shape)
    fn = getattr(np, reducer)
    return fn(r, axis=tuple(range(1, 2 * a.ndim, 2)))


OPS = {
    "cumsum": lambda a, kw: np.cumsum(a, axis=kw.get("axis")),
    "cumprod": lambda a, kw: np.cumprod(a, axis=kw.get("axis")),
    "diff": lambda a, kw: np.diff(a, n=kw.get("n", 1), axis=kw.get("axis", -1)),
    "argmin": lambda a, kw: np.argmin(a, axis=kw.get("axis")),
    "argmax": lambda a, kw: np.argmax(a, axis=kw.get("axis")),
    "nanargmin": lambda a, kw: np.nanargmin(a, axis=kw.get("axis")),
    "nanargmax": lambda a, kw: np.nanargmax(a, axis=kw.get("axis")),
    "nansum": lambda a, kw: np.nansum(a, axis=kw.get("axis")),
    "nanmean": lambda a, kw: np.nanmean(a, axis=kw.get("axis")),
    "nanmin": lambda a, kw: np.nanmin(a, axis=kw.get("axis")),
    "nanmax": lambda a, kw: np.nanmax(a, axis=kw.get("axis")),
    "nanvar": lambda a, kw: np.nanvar(a, axis=kw.get("axis"), ddof=kw.get("ddof", 0)),
    "nanstd": lambda a, kw: np.nanstd(a, axis=kw.get("axis"), ddof=kw.get("ddof", 0)),
    "median": lambda a, kw: np.median(a, axis=kw.get("axis")),
    # JSON cannot tell 0.0 from 0: q and range are JS numbers, i.e. floats.
    "quantile": lambda a, kw: np.quantile(a, fl(kw["q"]), axis=kw.get("axis")),
    "percentile": lambda a, kw: np.percentile(a, fl(kw["q"]), axis=kw.get("axis")),
    "histogram": lambda a, kw: np.histogram(a, bins=kw["bins"], range=tuple(float(v) for v in kw["range"]))[0],
    "bincount": lambda a, kw: np.bincount(a, minlength=kw.get("minlength", 0)),
    "unique": lambda a, kw: np.unique(a),
    "take": lambda a, kw: np.take(a, kw["indices"], axis=kw.get("axis")),
    "mask": lambda a, kw: a[a > kw["threshold"]],
    "nonzero0": lambda a, kw: np.nonzero(a)[0],
    "isnan": lambda a, kw: np.isnan(a),
    "isinf": lambda a, kw: np.isinf(a),
    "isfinite": lambda a, kw: np.isfinite(a),
    "floor_divide": lambda a, kw: np.floor_divide(a, kw["b"]),
    "remainder": lambda a, kw: np.remainder(a, kw["b"]),
    "concatenate": lambda a, kw: np.concatenate([a, np.flip(a, axis=kw["axis"])], axis=kw["axis"]),
    "stack": lambda a, kw: np.stack([a, a], axis=kw["axis"]),
    "pad": lambda a, kw: pad(a, kw["width"], kw["mode"], kw.get("constant")),
    "flip": lambda a, kw: np.flip(a, axis=kw.get("axis")),
    "roll": lambda a, kw: np.roll(a, kw["shift"], axis=kw.get("axis")),
    "moveaxis": lambda a, kw: np.moveaxis(a, kw["src"], kw["dst"]),
    "squeeze": lambda a, kw: np.squeeze(a),
    "expand_dims": lambda a, kw: np.expand_dims(a, kw["axis"]),
    "coarsen": lambda a, kw: coarsen(a, kw["reducer"], kw["factors"]),
    "clip_lo": lambda a, kw: np.clip(a, kw["lo"], None),
    "sum_dtype": lambda a, kw: np.sum(a, dtype=kw["dtype"]),
    "add_scalar": lambda a, kw: a + kw["s"],
    "ravel": lambda a, kw: np.ravel(a),
    "vstack": lambda a, kw: np.vstack([a, a]),
    "hstack": lambda a, kw: np.hstack([a, a]),
    "dstack": lambda a, kw: np.dstack([a, a]),
    "repeat": lambda a, kw: np.repeat(a, kw["n"], axis=kw.get("axis")),
    "tile": lambda a, kw: np.tile(a, kw["reps"]),
    "tril": lambda a, kw: np.tril(a, kw["k"]),
    "triu": lambda a, kw: np.triu(a, kw["k"]),
    "broadcast_to": lambda a, kw: np.broadcast_to(a, kw["shape"]),
    "nancumsum": lambda a, kw: np.nancumsum(a, axis=kw.get("axis")),
    "ptp": lambda a, kw: np.ptp(a, axis=kw.get("axis")),
    "isclose": lambda a, kw: np.isclose(a, np.flip(a), rtol=kw["rtol"], atol=kw["atol"]),
    "average": lambda a, kw: np.average(a, axis=kw.get("axis"), weights=np.abs(a) + 1),
    "compress": lambda a, kw: np.compress(kw["cond"], a, axis=kw.get("axis")),
    "ediff1d": lambda a, kw: np.ediff1d(a),
    "flatnonzero": lambda a, kw: np.flatnonzero(a),
    "ufunc": lambda a, kw: getattr(np, kw["fn"])(a),
    "round": lambda a, kw: np.round(a, kw["decimals"]),
}


def main():
    cases = json.load(sys.stdin)
    out = []
    for c in cases:
        try:
            a = arr(c["inputs"][0])
            out.append(enc(OPS[c["op"]](a, c.get("kw", {}))))
        except Exception as e:  # the test compares errors too
            out.append({"error": f"{type(e).__name__}: {e}"})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
