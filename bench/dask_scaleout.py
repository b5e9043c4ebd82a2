"""Dask scale-out of a 2-D stencil run: one process, Dask with 1, 2 and 4 workers, and dask's own
``map_overlap`` with the same kernel; tasks per chunk per exchange and peak memory.

    python bench/dask_scaleout.py                 # 1024 x 1024 heat, 48 steps, 4 x 4 chunks
    python bench/dask_scaleout.py --n 2048 --steps 96 --chunk 512

Every Dask run is checked bitwise against the one-process result. Peak memory is the largest
total of the data the workers held (dask's "managed" memory, sampled every 10 ms), as a multiple
of the field's size.
"""

from __future__ import annotations

import argparse
import time
from functools import partial

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1024, help="cells per axis")
    ap.add_argument("--steps", type=int, default=48)
    ap.add_argument("--chunk", type=int, default=256, help="cells per chunk per axis")
    ap.add_argument("--backend", default="c")
    ap.add_argument("--workers", default="1,2,4")
    args = ap.parse_args()

    import dask.array as da
    from distributed import Client, LocalCluster
    from distributed.diagnostics import MemorySampler

    from mcgen.model.boundary import Halo
    from mcgen.model.catalogue.linear import ftcs_heat_2d
    from mcgen.run.simulation import Simulation

    n, grid = args.n, ((args.n, args.n), ((0.0, 1.0), (0.0, 1.0)))
    params = {"D_x": 1.0, "D_y": 1.0}

    def initial(x, y):
        return np.sin(2 * np.pi * x) * np.cos(2 * np.pi * y) + (x > 0.5)

    def make(**kw):
        return Simulation(ftcs_heat_2d(), grid, initial, params=params, backend=args.backend,
                          **kw)

    base = make()
    t_end = args.steps * base.dt
    field_mb = n * n * 8 / 2**20
    nchunks = (n // args.chunk + (n % args.chunk > 0)) ** 2
    print(f"2-D five-point heat, {n} x {n} cells ({field_mb:.1f} MiB), {args.steps} steps, "
          f"chunks {args.chunk} x {args.chunk} ({nchunks} chunks), backend {args.backend}")
    base.run(t_end)  # warm
    one = make()
    t0 = time.perf_counter()
    one.run(t_end)
    t_one = time.perf_counter() - t0
    cells_steps = n * n * args.steps
    print(f"{'run':34s} {'seconds':>8s} {'Mcell-steps/s':>14s} {'vs 1 proc':>9s} "
          f"{'tasks/chunk/exch':>16s} {'peak mem':>9s}")
    print(f"{'one process (kernel)':34s} {t_one:8.3f} {cells_steps / t_one / 1e6:14.1f} "
          f"{1.0:9.2f} {'-':>16s} {'-':>9s}")

    # the same two-tasks-per-chunk graph on dask's synchronous scheduler: the graph's own cost,
    # without processes, transfers or a scheduler
    import uuid

    from mcgen.run.distributed import GridPlan, exchange, normalize_chunks
    plan = GridPlan((n, n), normalize_chunks((args.chunk,) * 2, (n, n)), base.boundary,
                    base.stepper.kernel.layout.ghost)
    ctx_sim = make()
    from mcgen.run.distributed import BlockContext
    kparams = ctx_sim.stepper._params(one.history[-1].dt)
    ctx = BlockContext(ctx_sim.scheme, ctx_sim.backend_used, plan.ghost,
                       tuple(sorted(kparams.items())), ctx_sim.scheme.hash)
    for _rep in range(2):  # the first compiles the block kernel
        arr = da.from_array(np.stack([ctx_sim.u]), chunks=(1, args.chunk, args.chunk))
        t0 = time.perf_counter()
        done = 0
        while done < args.steps:
            kk = min(plan.max_steps(), args.steps - done)
            arr = exchange(arr, plan, ctx, f"ctx-{uuid.uuid4().hex}", ("u",), kk,
                           done * one.history[-1].dt, one.history[-1].dt)
            done += kk
        res = arr.compute(scheduler="sync")[0]
        secs = time.perf_counter() - t0
    assert np.array_equal(res, one.u)
    print(f"{'same graph, sync scheduler, 1 proc':34s} {secs:8.3f} "
          f"{cells_steps / secs / 1e6:14.1f} {t_one / secs:9.2f} {2:16d} {'-':>9s}")

    for w in (int(s) for s in args.workers.split(",")):
        with LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            warm = make(chunks=(args.chunk, args.chunk), client=client)
            warm.run(4 * base.dt)  # compiles the block kernels on every worker
            del warm  # and frees its field on the cluster before the measured run
            sim = make(chunks=(args.chunk, args.chunk), client=client)
            grid_d = sim.dask_grid()
            exchanges = -(-args.steps // grid_d.plan.max_steps())
            ms = MemorySampler()
            with ms.sample("run", measure="managed", interval=0.01):
                t0 = time.perf_counter()
                sim.run(t_end)
                secs = time.perf_counter() - t0
            peak = float(ms.to_pandas()["run"].max()) / 2**20
            assert np.array_equal(sim.u, one.u), "Dask run differs from the one-process run"
            print(f"{f'Dask, {w} worker(s), mcgen exchange':34s} {secs:8.3f} "
                  f"{cells_steps / secs / 1e6:14.1f} {t_one / secs:9.2f} "
                  f"{grid_d.tasks_per_chunk_per_exchange:16d} {peak / field_mb:8.2f}x")
            if w != 2:
                continue
            # dask's generic map_overlap with the same block kernel (every side a halo)
            k, g = grid_d.plan.max_steps(), grid_d.plan.ghost
            dt = sim.history[-1].dt
            ctx, spec = grid_d.context(dt), ((Halo(), Halo()), (Halo(), Halo()))
            x = client.persist(da.from_array(make().u, chunks=args.chunk))
            done = ntasks = nexch = 0
            with ms.sample("overlap", measure="managed", interval=0.01):
                t0 = time.perf_counter()
                while done < args.steps:
                    kk = min(k, args.steps - done)
                    y = x.map_overlap(partial(_overlap_block, ctx=ctx, spec=spec, k=kk,
                                              t0=done * dt, dt=dt),
                                      depth=kk * g, boundary="periodic", dtype=float)
                    ntasks += len(y.__dask_graph__()) - len(x.__dask_graph__())
                    x = client.persist(y)
                    done, nexch = done + kk, nexch + 1
                result = x.compute()
                secs = time.perf_counter() - t0
            peak = float(ms.to_pandas()["overlap"].max()) / 2**20
            same = "" if np.array_equal(result, one.u) else "  (differs!)"
            print(f"{'Dask, 2 workers, da.map_overlap':34s} {secs:8.3f} "
                  f"{cells_steps / secs / 1e6:14.1f} {t_one / secs:9.2f} "
                  f"{ntasks / nchunks / nexch:16.1f} {peak / field_mb:8.2f}x{same}")
    print(f"{exchanges} exchanges of up to {grid_d.plan.max_steps()} steps per run; peak "
          "memory: the most data the workers held at once, over the field's size")


def _overlap_block(b, ctx, spec, k, t0, dt):
    """map_overlap's block (the chunk and a halo of depth k*g) k steps later, same shape."""
    from mcgen.run.distributed import advance_padded

    return advance_padded(ctx, spec, b[None], k, t0, dt)[0]


if __name__ == "__main__":
    main()
