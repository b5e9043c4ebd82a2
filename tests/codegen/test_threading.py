"""Threading: results do not depend on the thread count or on how tiles are split into chunks
(bitwise), ``threads=1`` runs the serial kernel itself, and grids below the threshold never
start a parallel region."""

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen import compile
from mcgen.codegen.config import KernelConfig
from mcgen.codegen.temporal_blocking import blocked_kernel_name, tile_scratch_size
from mcgen.model import Field, Scheme

u, nu = Field("u"), sp.Symbol("nu")
LAX_WENDROFF = Scheme(("u",), 1, {"u": u[0] - nu / 2 * (u[1] - u[-1])
                                  + nu**2 / 2 * (u[1] - 2 * u[0] + u[-1])}, name="thr_lw")


@pytest.mark.parametrize("backend", ["c", "numba", "llvm"])
def test_results_do_not_depend_on_thread_count(backend, tmp_path):
    cfg = KernelConfig(parallel_threshold=0, time_block=5, tile=40, cache_dir=tmp_path)
    kern = compile(LAX_WENDROFF, backend=backend, bc="outflow", threads=2, unsafe=True,
                   config=cfg)
    x = np.random.default_rng(4).standard_normal(1009)
    for blocking in (5, 1):  # temporally blocked, and one sweep per step
        k = kern.with_blocking(blocking, 40)
        serial = k.run(x, 11, nu=0.8, threads=1)
        assert k.last_call["kernel"] in ("thr_lw", "thr_lw_tb")  # threads=1: serial kernel
        threaded = k.run(x, 11, nu=0.8, threads=2)
        # C: OpenMP; numba: prange over tile chunks, a thread team step by step; LLVM: teams
        assert k.last_call["kernel"].endswith("_team" if backend == "llvm" or
                                              (backend == "numba" and blocking == 1)
                                              else "_par")
        assert np.array_equal(serial, threaded)


def test_tile_chunks_do_not_change_results(tmp_path):
    """The blocked parallel kernel splits tiles into nchunk chunks (one per thread): any split
    gives the same bits, since a tile's cells depend on the tile alone."""
    kern = compile(LAX_WENDROFF, backend="c", bc="periodic", threads=2, unsafe=True,
                   config=KernelConfig(cache_dir=tmp_path))
    fn = kern._blocked_functions()[blocked_kernel_name(kern.program) + "_par"]
    x = np.random.default_rng(5).standard_normal(997)
    outs = []
    for nchunk in (1, 2, 3, 7):
        bufs = kern.prepare(x)
        tiles = [np.zeros(tile_scratch_size(1, 1, 4, 30, nchunk)) for _ in range(2)]
        fn(bufs.a, bufs.b, *tiles, np.int64(997), np.int64(9), 0.0, 0.0, 0.6, np.int64(4),
           np.int64(30), np.int64(nchunk))
        outs.append(bufs.b[1:-1].copy())  # 9 steps: odd, newest in nxt
    ref = kern.with_blocking(1).run(x, 9, nu=0.6)
    assert all(np.array_equal(o, ref) for o in outs)


def test_below_threshold_runs_serial(tmp_path):
    kern = compile(LAX_WENDROFF, backend="c", threads=2, unsafe=True,
                   config=KernelConfig(parallel_threshold=5000, cache_dir=tmp_path))
    kern.run(np.zeros(4999), 3, nu=0.5)
    assert kern.last_call["kernel"] == "thr_lw"
    kern.run(np.zeros(5000), 3, nu=0.5)
    assert kern.last_call["kernel"] == "thr_lw_par"


def test_default_threshold_is_the_backends_measured_crossover(tmp_path):
    """OpenMP regions pay from smaller grids than thread teams (bench/threads.py)."""
    from mcgen.codegen.config import DEFAULT_PARALLEL_THRESHOLD

    c = compile(LAX_WENDROFF, backend="c", threads=2, unsafe=True,
                config=KernelConfig(cache_dir=tmp_path))
    assert c.parallel_threshold == DEFAULT_PARALLEL_THRESHOLD["c"] < \
        DEFAULT_PARALLEL_THRESHOLD["numba"] == DEFAULT_PARALLEL_THRESHOLD["llvm"]
    n = DEFAULT_PARALLEL_THRESHOLD["c"]
    c.run(np.zeros(n - 1), 2, nu=0.5)
    assert c.last_call["kernel"] == "thr_lw"
    c.run(np.zeros(n), 2, nu=0.5)
    assert c.last_call["kernel"] == "thr_lw_par"
    with pytest.raises(Exception, match="parallel_threshold"):
        compile(LAX_WENDROFF, backend="c", unsafe=True,
                config=KernelConfig(parallel_threshold=-1, cache_dir=tmp_path))
