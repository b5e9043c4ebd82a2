"""Dask scale-out of a 2-D stencil run: one process, Dask with 1, 2 and 4 workers, and dask's own
``map_overlap`` with the same kernel; tasks per chunk per exchange and peak memory.

    python bench/dask_scaleout.py --quick         # < 1 min: 1024^2, 96 steps, 1 and 2 workers
    python bench/dask_scaleout.py                 # 2048^2 heat (32 MiB), 384 steps, 512^2 chunks
    python bench/dask_scaleout.py --n 4096 --steps 512 --chunk 512 --workers 2,4
    python bench/dask_scaleout.py --quick --model donor   # donor cell: one-sided strips

Every Dask run is checked bitwise against the one-process result, and each is paired with a
one-process run timed right before it, so "vs 1 proc" is a ratio of two runs under the same
load. Memory, as multiples of the field's size (all fields, 8 bytes a cell):

* ``dask peak``: the most bytes the scheduler counted in the workers' memory at once (chunks,
  strips, and every copy of a strip that travelled to another worker), exact: checked after
  every task transition (``mcgen.run.dask_memory.HeldBytes``); ``strips`` is their share of it;
* ``RSS peak``: the sum over workers of each process's peak resident memory during the run
  (sampled every 5 ms inside the worker) less its resident memory before the field was sent:
  the field, the strips, the kernel's padded buffers and whatever the allocator keeps.

The header also gives the bytes of strips one exchange sends (each side ``k * r`` cells deep,
``r`` how far the update reads across it), against strips ``k * g`` deep on both sides.
"""

from __future__ import annotations

import argparse
import threading
import time
from functools import partial

import numpy as np


def _rss_start(dask_worker) -> int:
    """In a worker: start sampling this process's resident memory; returns it now."""
    import psutil

    proc = psutil.Process()
    state = {"peak": proc.memory_info().rss, "stop": False}

    def loop() -> None:
        while not state["stop"]:
            state["peak"] = max(state["peak"], proc.memory_info().rss)
            time.sleep(0.005)

    dask_worker.bench_rss = state
    threading.Thread(target=loop, daemon=True).start()
    return int(state["peak"])


def _rss_stop(dask_worker) -> int:
    state = dask_worker.bench_rss
    state["stop"] = True
    return int(state["peak"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2048, help="cells per axis")
    ap.add_argument("--steps", type=int, default=384)
    ap.add_argument("--chunk", type=int, default=512, help="cells per chunk per axis")
    ap.add_argument("--backend", default="c")
    ap.add_argument("--model", choices=("heat", "donor"), default="heat",
                    help="2-D five-point heat, or 2-D donor cell (reads one side per axis)")
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--no-overlap", action="store_true", help="skip the da.map_overlap row")
    ap.add_argument("--quick", action="store_true",
                    help="1024^2, 96 steps, 256^2 chunks, 1 and 2 workers (< 1 min)")
    args = ap.parse_args()
    if args.quick:
        args.n, args.steps, args.chunk, args.workers = 1024, 96, 256, "1,2"

    import dask.array as da
    from distributed import Client, LocalCluster

    from mcgen.model.boundary import Halo
    from mcgen.model.catalogue.linear import donor_cell_2d, ftcs_heat_2d
    from mcgen.run.dask_memory import HeldBytes
    from mcgen.run.distributed import BlockContext, GridPlan, exchange, normalize_chunks
    from mcgen.run.simulation import Simulation

    n, grid = args.n, ((args.n, args.n), ((0.0, 1.0), (0.0, 1.0)))
    model = ftcs_heat_2d if args.model == "heat" else donor_cell_2d
    params = {"D_x": 1.0, "D_y": 1.0} if args.model == "heat" else {"a": 1.0, "b": 0.7}

    def initial(x, y):
        return np.sin(2 * np.pi * x) * np.cos(2 * np.pi * y) + (x > 0.5)

    def make(**kw):
        return Simulation(model(), grid, initial, params=params, backend=args.backend, **kw)

    base = make()
    t_end = args.steps * base.dt
    field = n * n * 8
    nchunks = (n // args.chunk + (n % args.chunk > 0)) ** 2
    chunks = normalize_chunks((args.chunk,) * 2, (n, n))
    ghost = base.stepper.kernel.layout.ghost
    plan = GridPlan((n, n), chunks, base.boundary, ghost, base.scheme.reach)
    k = plan.max_steps()
    both = GridPlan((n, n), chunks, base.boundary, ghost)  # k g deep on every side
    print(f"{base.scheme.name}, {n} x {n} cells ({field / 2**20:.1f} MiB), {args.steps} steps, "
          f"chunks {args.chunk} x {args.chunk} ({nchunks} chunks), backend {args.backend}; "
          f"{k} steps per exchange (strips {plan.strip_fraction(k):.2f} x a chunk); reach "
          f"{plan.reach}: strips sent per exchange {plan.strip_cells(k) * 8 / 2**20:.3f} MiB "
          f"({both.strip_cells(k) * 8 / 2**20:.3f} MiB with k g on both sides)")
    base.run(t_end)  # warm, and the reference result
    cells_steps = n * n * args.steps

    def one_process() -> float:
        one = make()
        t0 = time.perf_counter()
        one.run(t_end)
        secs = time.perf_counter() - t0
        assert np.array_equal(one.u, base.u)
        return secs

    hdr = (f"{'run':34s} {'seconds':>8s} {'Mcell-steps/s':>13s} {'vs 1 proc':>9s} "
           f"{'tasks/chunk/exch':>16s} {'dask peak':>9s} {'strips':>6s} {'RSS peak':>8s}")
    print(hdr)

    def row(name, secs, t_one, tasks, mem=None) -> None:
        m = (f"{mem[0]:8.2f}x {mem[1]:6.2f} {mem[2]:7.2f}x" if mem else
             f"{'-':>9s} {'-':>6s} {'-':>8s}")
        print(f"{name:34s} {secs:8.3f} {cells_steps / secs / 1e6:13.1f} {t_one / secs:9.2f} "
              f"{tasks:>16} {m}", flush=True)

    t_one = one_process()
    row("one process (kernel)", t_one, t_one, "-")

    # the same two-tasks-per-chunk graph on dask's synchronous scheduler: the graph's own cost,
    # without processes, transfers or a scheduler
    dt = base.history[-1].dt
    ctx = BlockContext(base.scheme, base.backend_used, plan.ghost,
                       tuple(sorted(base.stepper._params(dt).items())), base.scheme.hash,
                       reach=plan.reach)
    for _rep in range(2):  # the first compiles the block kernel
        arr = da.from_array(np.stack([make().u]), chunks=(1, args.chunk, args.chunk))
        t_one = one_process()
        t0 = time.perf_counter()
        done = 0
        while done < args.steps:
            kk = min(k, args.steps - done)
            arr = exchange(arr, plan, ctx, f"ctx-{done}", ("u",), kk, done * dt, dt)
            done += kk
        res = arr.compute(scheduler="sync")[0]
        secs = time.perf_counter() - t0
    assert np.array_equal(res, base.u)
    row("same graph, sync scheduler, 1 proc", secs, t_one, 2)

    for w in (int(s) for s in args.workers.split(",")):
        with LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            warm = make(chunks=(args.chunk, args.chunk), client=client)
            warm.run(4 * base.dt)  # compiles the block kernels on every worker
            warm.dask_grid().array = None  # frees its field on the cluster
            del warm
            while any(ws.nbytes for ws in cluster.scheduler.workers.values()):
                time.sleep(0.05)
            rss0 = client.run(_rss_start)
            sim = make(chunks=(args.chunk, args.chunk), client=client)
            grid_d = sim.dask_grid()
            t_one = one_process()
            with HeldBytes.on(client) as held:
                t0 = time.perf_counter()
                sim.run(t_end)
                secs = time.perf_counter() - t0
            rss = client.run(_rss_stop)
            rss_growth = sum(rss[a] - rss0[a] for a in rss)
            assert np.array_equal(sim.u, base.u), "Dask run differs from the one-process run"
            row(f"Dask, {w} worker(s), mcgen exchange", secs, t_one,
                grid_d.tasks_per_chunk_per_exchange,
                (held.peak / field, held.strips_at_peak / field, rss_growth / field))
            if w != 2 or args.no_overlap:
                continue
            # dask's generic map_overlap with the same block kernel (every side a halo)
            del sim, grid_d
            spec = ((Halo(), Halo()), (Halo(), Halo()))
            x = client.persist(da.from_array(make().u, chunks=args.chunk))
            done = ntasks = nexch = 0
            t_one = one_process()
            with HeldBytes.on(client) as held:
                t0 = time.perf_counter()
                while done < args.steps:
                    kk = min(k, args.steps - done)
                    y = x.map_overlap(partial(_overlap_block, ctx=ctx, spec=spec, k=kk,
                                              t0=done * dt, dt=dt),
                                      depth=kk * plan.ghost, boundary="periodic", dtype=float)
                    ntasks += len(y.__dask_graph__()) - len(x.__dask_graph__())
                    x = client.persist(y)
                    done, nexch = done + kk, nexch + 1
                result = x.compute()
                secs = time.perf_counter() - t0
            same = "" if np.array_equal(result, base.u) else "  (differs!)"
            row("Dask, 2 workers, da.map_overlap", secs, t_one,
                f"{ntasks / nchunks / nexch:.1f}{same}",
                (held.peak / field, 0.0, float("nan")))
    print(f"{-(-args.steps // k)} exchanges of up to {k} steps per run")


def _overlap_block(b, ctx, spec, k, t0, dt):
    """map_overlap's block (the chunk and a halo of depth k*g) k steps later, same shape."""
    from mcgen.run.distributed import advance_padded

    return advance_padded(ctx, spec, b[None], k, t0, dt)[0]


if __name__ == "__main__":
    main()
