"""Python Dask twin of bench/arrays.ts (npm run bench:arrays).

Started by arrays.ts as a child process. It starts a LocalCluster (2 workers x 1 thread, processes),
prints one JSON line {"ready": ...}, then for each JSON request line on stdin
  {"spec": <WorkloadSpec from bench/arrays-workloads.ts>, "repeats": n, "cheapS": s}
runs the workload and prints one JSON line {"name", "seconds": [...], "shape": [...], "stat": x}
(or {"name", "error"}). Logs go to stderr. Same sizes as the Tessera side; the spec is the source.
"""
import json
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import dask  # noqa: E402
import dask.array as da  # noqa: E402
import numpy as np  # noqa: E402
from dask.distributed import Client, LocalCluster, get_client, wait  # noqa: E402


def rand(spec, shape=None, chunks=None, seed=1):
    rs = da.random.RandomState(seed)
    return rs.random_sample(tuple(shape or spec["shape"]), chunks=tuple(chunks or spec["chunks"]))


def settle(keep=0, timeout_s=30.0):
    """Waits until the scheduler holds at most `keep` tasks: the same graph computed again right after its
    results were dropped would otherwise find them still in memory and skip the work."""
    client = get_client()
    deadline = time.perf_counter() + timeout_s
    while client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) > keep:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"the scheduler still holds tasks after {timeout_s} s")
        time.sleep(0.01)


def build(spec):
    """Returns (run, cleanup, keep): run() computes the timed expression and returns the result; keep is how
    many tasks the scheduler holds between runs (the persisted input)."""
    name = spec["name"]
    shape, chunks = tuple(spec["shape"]), tuple(spec["chunks"])
    none = (lambda: None)
    if name in ("basic_sum_square", "basic_sum_thin"):
        return (lambda: da.zeros(shape, chunks=chunks).sum(axis=1).compute()), none, 0
    if name == "double_diff":
        def run():
            a = rand(spec, seed=1)
            b = rand(spec, seed=2)
            return (a[1:, 1:] - b[:-1, :-1]).sum().compute()
        return run, none, 0
    if name == "x_plus_xT":
        def run():
            x = rand(spec)
            return (x + x.T).mean(axis=0).compute()
        return run, none, 0
    if name == "random_sum_2d":
        return (lambda: rand(spec).sum().compute()), none, 0
    if name in ("rechunk_tiles_to_rows", "rechunk_swap_axes"):
        return (lambda: rand(spec).rechunk(tuple(spec["chunks2"])).sum().compute()), none, 0
    if name == "persisted_transpose_add":
        y = rand(spec).persist()
        wait(y)
        held = [y]

        def cleanup():
            held.clear()
        return (lambda: (held[0] + held[0].T).sum().compute()), cleanup, y.npartitions
    if name == "dot_product":
        def run():
            a = rand(spec)
            return (a @ a.T).sum().compute()
        return run, none, 0
    if name == "map_overlap_slice":
        def run():
            x = rand(spec)
            y = x.map_overlap(lambda b: b, depth=1, boundary="none")
            # the 10x10 window in the middle (5000:5010 at full size), as on Tessera's side
            m0, m1 = spec["shape"][0] // 2, spec["shape"][1] // 2
            return y[m0:m0 + 10, m1:m1 + 10].compute()
        return run, none, 0
    if name == "mean_3d_axis0":
        return (lambda: rand(spec).mean(axis=0).compute()), none, 0
    raise ValueError(f"unknown workload {name!r}")


def summary(v):
    a = np.asarray(v)
    stat = float(a) if a.ndim == 0 else float(a.mean())
    return list(a.shape), stat


def run_one(req):
    spec = req["spec"]
    repeats, cheap_s = int(req.get("repeats", 3)), float(req.get("cheapS", 8))
    run, cleanup, keep = build(spec)
    try:
        times, out = [], None
        for i in range(repeats):
            settle(keep)
            t = time.perf_counter()
            out = run()
            times.append(time.perf_counter() - t)
            if times[0] > cheap_s:
                break
        shape, stat = summary(out)
        return {"name": spec["name"], "seconds": times, "shape": shape, "stat": stat}
    finally:
        cleanup()


def main():
    dask.config.set({"array.slicing.split_large_chunks": False})
    n_workers = int(os.environ.get("BENCH_ARRAYS_WORKERS", "2"))
    memory_limit = os.environ.get("BENCH_ARRAYS_MEMORY_LIMIT", "6GiB")
    with LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, memory_limit=memory_limit,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.wait_for_workers(n_workers)
        # Warm up: imports and connections on the workers.
        da.ones(1000, chunks=100).sum().compute()
        print(json.dumps({"ready": True, "dask": dask.__version__, "numpy": np.__version__}), flush=True)
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            req = json.loads(line)
            try:
                res = run_one(req)
            except Exception as e:  # reported, not fatal: the next workload still runs
                res = {"name": req["spec"]["name"], "error": f"{type(e).__name__}: {e}"}
            print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
