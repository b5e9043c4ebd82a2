"""Temporal blocking (overlapped tiles, k steps per sweep) computes every cell with the same
floating-point operations on the same inputs as step-by-step, so the results are bitwise equal:
``np.array_equal``, not a tolerance, for several k, tile sizes, boundaries and odd step counts."""

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen import compile
from mcgen.codegen.config import KernelConfig
from mcgen.codegen.temporal_blocking import (
    MIN_GRID_BYTES,
    TILE_BYTES,
    choose_blocking,
    tile_scratch_size,
)
from mcgen.errors import CodegenError
from mcgen.model import Dirichlet, Field, Scheme
from mcgen.model.boundary import DirichletSeries

u, v = Field("u"), Field("v")
nu, lam, c = sp.Symbol("nu"), sp.Symbol("lam"), sp.Symbol("c")

UPWIND = Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1])}, name="tb_upwind")
LAX_WENDROFF = Scheme(("u",), 1, {"u": u[0] - nu / 2 * (u[1] - u[-1])
                                  + nu**2 / 2 * (u[1] - 2 * u[0] + u[-1])}, name="tb_lw")


def _rusanov(a, b):
    return (a**2 / 2 + b**2 / 2) / 2 - sp.Max(sp.Abs(a), sp.Abs(b)) / 2 * (b - a)


BURGERS = Scheme(("u",), 1, {"u": u[0] - lam * (_rusanov(u[0], u[1]) - _rusanov(u[-1], u[0]))},
                 name="tb_burgers", params=(lam,))
# radius 2 (ghost width 2, halo 2k) and a system of two fields (field stride in the tile)
WIDE = Scheme(("u",), 1, {"u": u[0] - nu * (3 * u[0] - 4 * u[-1] + u[-2]) / 2},
              name="tb_beam_warming")
ACOUSTICS = Scheme(("u", "v"), 1, {"u": u[0] - c / 2 * (v[1] - v[-1]) + c / 2 * (u[1] - 2 * u[0]
                                                                               + u[-1]),
                                   "v": v[0] - c / 2 * (u[1] - u[-1]) + c / 2 * (v[1] - 2 * v[0]
                                                                               + v[-1])},
                   name="tb_acoustics", params=(c,))

BCS = ("periodic", "outflow", Dirichlet(0.25), "reflecting", [("absorbing", "outflow")])


def _pair(scheme, backend, bc, k, tile, tmp_path):
    common = dict(backend=backend, bc=bc, unsafe=True)
    ref = compile(scheme, config=KernelConfig(time_block=1, cache_dir=tmp_path), **common)
    blk = compile(scheme, config=KernelConfig(time_block=k, tile=tile, cache_dir=tmp_path),
                  **common)
    return ref, blk


def _data(scheme, n, seed=0):
    rng = np.random.default_rng(seed)
    if len(scheme.fields) == 1:
        return rng.standard_normal(n)
    return {f: rng.standard_normal(n) for f in scheme.fields}


def _equal(a, b):
    if isinstance(a, dict):
        return all(np.array_equal(a[f], b[f]) for f in a)
    return np.array_equal(a, b)


@pytest.mark.parametrize("scheme, params", [
    (UPWIND, {"nu": 0.4}), (LAX_WENDROFF, {"nu": 0.7}), (BURGERS, {"lam": 0.3}),
    (WIDE, {"nu": 0.6}), (ACOUSTICS, {"c": 0.5})])
def test_c_blocked_is_bitwise_step_by_step(scheme, params, tmp_path):
    n = 1003  # not a multiple of any tile below: the last tile is short
    x = _data(scheme, n)
    for bc in BCS:
        for k, tile in ((2, 7), (3, 37), (5, 64)):
            ref, blk = _pair(scheme, "c", bc, k, tile, tmp_path)
            assert blk.blocking_unsupported is None
            for nsteps in (1, 2, 7, 13):
                a, b = ref.run(x, nsteps, **params), blk.run(x, nsteps, **params)
                assert blk.last_call["time_block"] == (k if nsteps > 1 else 1)
                assert _equal(a, b), (scheme.name, bc, k, tile, nsteps)


@pytest.mark.parametrize("scheme, params", [(UPWIND, {"nu": 0.4}), (LAX_WENDROFF, {"nu": 0.7})])
def test_numba_blocked_is_bitwise_step_by_step(scheme, params, tmp_path):
    n = 517
    x = _data(scheme, n, seed=1)
    for bc in ("periodic", "outflow", Dirichlet(-1.5)):
        # k and tile are run-time arguments: one build serves every (k, tile)
        ref, blk = _pair(scheme, "numba", bc, 4, 16, tmp_path)
        for k, tile in ((2, 5), (4, 16), (8, 50)):
            blk = blk.with_blocking(k, tile)
            for nsteps in (2, 9, 16):
                assert np.array_equal(ref.run(x, nsteps, **params), blk.run(x, nsteps, **params))
                assert blk.last_call == {"kernel": "tb_upwind_tb" if scheme is UPWIND
                                         else "tb_lw_tb", "time_block": k, "tile": tile,
                                         "nchunk": 1, "form": "trapezoid"}


def test_f32_blocked_is_bitwise_step_by_step(tmp_path):
    common = dict(backend="c", bc="outflow", dtype="f32", unsafe=True)
    ref = compile(LAX_WENDROFF, config=KernelConfig(time_block=1, cache_dir=tmp_path), **common)
    blk = compile(LAX_WENDROFF, config=KernelConfig(time_block=6, tile=33, cache_dir=tmp_path),
                  **common)
    x = _data(LAX_WENDROFF, 401, seed=6).astype(np.float32)
    a, b = ref.run(x, 17, nu=0.7), blk.run(x, 17, nu=0.7)
    assert a.dtype == np.float32 and np.array_equal(a, b)


def test_blocked_then_unblocked_calls_continue_the_same_trajectory(tmp_path):
    """advance() on prepared buffers: the parity bookkeeping (sweeps of nsteps' parity) leaves
    the newest values where step-by-step would, so calls can be mixed."""
    ref, blk = _pair(UPWIND, "c", "outflow", 3, 20, tmp_path)
    x = _data(UPWIND, 301, seed=2)
    b1, b2 = ref.prepare(x), blk.prepare(x)
    for nsteps in (5, 1, 4, 3):
        ref.advance(b1, nsteps, nu=0.3)
        blk.advance(b2, nsteps, nu=0.3)
        assert np.array_equal(ref.interior(b1), blk.interior(b2))


def test_rule_keeps_tiles_in_l1_and_halo_work_small_and_is_off_for_small_grids():
    small = MIN_GRID_BYTES // 16 - 1  # two f64 buffers fit in L2
    assert choose_blocking(small, 1) == (1, 0)
    for ghost, nfields, nflux in ((1, 1, 0), (2, 1, 0), (1, 2, 0), (1, 1, 1)):
        k, b = choose_blocking(10**7, ghost, nfields, nflux)
        assert k > 1
        tile_cells = b + 2 * k * ghost + 2 * ghost
        assert (2 + nflux) * nfields * tile_cells * 8 <= TILE_BYTES
        assert 2 * k * ghost <= 0.02 * b  # redundant halo work under 2 %
    assert choose_blocking(10**7, 1, time_block=1) == (1, 0)
    assert choose_blocking(10**7, 1, time_block=3, tile=100) == (3, 100)
    assert choose_blocking(300, 1, time_block=3, tile=100) == (1, 0)  # fewer than 4 tiles
    assert tile_scratch_size(2, 1, 3, 100, 4) == 4 * 2 * (100 + 6 + 2)


def test_large_grid_is_blocked_by_default_and_small_is_not(tmp_path):
    k = compile(UPWIND, backend="c", unsafe=True, config=KernelConfig(cache_dir=tmp_path))
    assert k.blocking_for((10**4,)) == (1, 0)
    kb, b = k.blocking_for((10**6,))
    assert kb > 1 and b > 0
    assert k.blocking_for((10**6,), nsteps=1) == (1, 0)
    assert k.blocking_for((10**6,), nsteps=4) == (1, 0)  # too few steps to pay: one sweep each
    x = _data(UPWIND, 10**5 + 3, seed=3)
    ref = compile(UPWIND, backend="c", unsafe=True,
                  config=KernelConfig(time_block=1, cache_dir=tmp_path))
    assert np.array_equal(k.run(x, 21, nu=0.5), ref.run(x, 21, nu=0.5))
    assert k.last_call["time_block"] > 1


def test_unsupported_cases_fall_back_and_say_why(tmp_path):
    t = sp.Symbol("t")
    # Dirichlet(t) blocks (each sub-step sets its own t); per-step series do not
    k = compile(UPWIND, backend="c", bc=Dirichlet(sp.sin(t)), unsafe=True,
                config=KernelConfig(time_block=4, tile=16, cache_dir=tmp_path))
    assert k.blocking_unsupported is None
    x = _data(UPWIND, 200)
    got = k.run(x, 13, nu=0.5, dt=0.1, t0=0.3)
    assert k.last_call["time_block"] == 4
    assert np.array_equal(got, k.with_blocking(1).run(x, 13, nu=0.5, dt=0.1, t0=0.3))
    ks = compile(UPWIND, backend="c", bc=[(DirichletSeries("left"), "outflow")], unsafe=True,
                 config=KernelConfig(time_block=4, tile=16, cache_dir=tmp_path))
    assert "DirichletSeries" in ks.blocking_unsupported
    ks.run(x, 5, nu=0.5, left=np.arange(5.0))
    assert ks.last_call["time_block"] == 1
    w = Field("u", dim=2)
    heat2 = Scheme(("u",), 2, {"u": w[0, 0] + nu * (w[1, 0] + w[-1, 0] + w[0, 1] + w[0, -1]
                                                    - 4 * w[0, 0])}, name="tb_heat2")
    k2 = compile(heat2, backend="c", unsafe=True,
                 config=KernelConfig(time_block=4, cache_dir=tmp_path))
    assert k2.blocking_unsupported is None  # 2-D grids block too: test_temporal_blocking_nd
    kn = compile(BURGERS, backend="numba", unsafe=True,
                 config=KernelConfig(time_block=4, tile=16, cache_dir=tmp_path), warm=False)
    assert "numba" in kn.blocking_unsupported


def test_bad_block_options_are_refused():
    for bad in ({"time_block": -1}, {"tile": 2.5}, {"time_block": True}):
        with pytest.raises(CodegenError, match="non-negative integer"):
            KernelConfig(**bad).validated(1)


@pytest.mark.parametrize("scheme, params", [(UPWIND, {"nu": 0.4}), (BURGERS, {"lam": 0.3})])
def test_llvm_blocked_is_bitwise_step_by_step_serial_and_as_a_team(scheme, params, tmp_path):
    """LLVM is IEEE (no fast-math), so a nonlinear flux is blocked too; with threads the tile
    chunks run as a thread team."""
    x = _data(scheme, 1003, seed=2)
    for bc in ("periodic", "outflow"):
        common = dict(backend="llvm", bc=bc, unsafe=True, threads=2)
        ref = compile(scheme, config=KernelConfig(time_block=1, cache_dir=tmp_path), **common)
        blk = compile(scheme, config=KernelConfig(time_block=4, tile=37, parallel_threshold=0,
                                                  cache_dir=tmp_path), **common)
        for nsteps in (2, 9):
            want = ref.run(x, nsteps, threads=1, **params)
            assert np.array_equal(want, blk.run(x, nsteps, threads=1, **params))
            assert blk.last_call["kernel"].endswith("_tb")
            assert np.array_equal(want, blk.run(x, nsteps, threads=2, **params))
            assert blk.last_call["kernel"].endswith("_tb_team")
