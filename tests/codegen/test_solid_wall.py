"""Solid walls for systems: ``Reflecting(odd=("q",))`` mirrors the state with the normal momentum
negated and lets the scheme compute its own flux at the wall.

The method of images gives an exact check: shallow water between two walls on [0, L] is the
restriction of the periodic problem on [0, 2L] whose second half is the mirror image of the first
with q negated (every wall face is then a symmetry face of the periodic solution). The kernel's
wall run must equal that periodic run, cell for cell, on every backend, in the oracle and in the
NumPy stepper; the mass flux through a wall vanishes by symmetry (mass conserved to rounding)
while the momentum flux is the wall's pressure g h^2 / 2, which the zero-flux treatment of
scalar densities would wrongly remove.
"""

import tempfile
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen import KernelConfig, compile
from mcgen.errors import CodegenError, ModelError
from mcgen.model import Field, Reflecting, Scheme
from mcgen.run.numpy_stepper import oracle_run

CFG = KernelConfig(cache_dir=Path(tempfile.gettempdir()) / "mcgen-test-cache", time_block=1)
H, Q = Field("h"), Field("q")
LAM, G = sp.Symbol("lam", positive=True), sp.Rational(1)


def _flux(h: sp.Expr, q: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    return q, q**2 / h + G * h**2 / 2


def _rusanov(k: int) -> tuple[sp.Expr, sp.Expr]:
    """The Rusanov flux at the interface between cells k and k + 1."""
    hl, ql, hr, qr = H[k], Q[k], H[k + 1], Q[k + 1]
    a = sp.Max(sp.Abs(ql / hl) + sp.sqrt(G * hl), sp.Abs(qr / hr) + sp.sqrt(G * hr))
    fl, fr = _flux(hl, ql), _flux(hr, qr)
    return ((fl[0] + fr[0]) / 2 - a / 2 * (hr - hl), (fl[1] + fr[1]) / 2 - a / 2 * (qr - ql))


RIGHT, LEFT = _rusanov(0), _rusanov(-1)
SHALLOW_WATER = Scheme(("h", "q"), 1, {"h": H[0] - LAM * (RIGHT[0] - LEFT[0]),
                                       "q": Q[0] - LAM * (RIGHT[1] - LEFT[1])},
                       params=(LAM,), reading="forward", name="shallow_water_rusanov")
WALL = Reflecting(odd=("q",))


def _dam(n: int = 60) -> dict[str, np.ndarray]:
    x = (np.arange(n) + 0.5) / n
    return {"h": 1.0 + 0.5 * (x < 0.3) + 0.1 * np.sin(7 * x), "q": 0.2 * np.cos(5 * x)}


def _images(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {"h": np.concatenate([state["h"], state["h"][::-1]]),
            "q": np.concatenate([state["q"], -state["q"][::-1]])}


@pytest.mark.parametrize("backend", ["numba", "c", "llvm"])
def test_wall_run_is_the_periodic_run_of_the_mirror_image(backend):
    state, steps, lam = _dam(), 40, 0.2
    wall = compile(SHALLOW_WATER, backend=backend, bc=WALL, unsafe=True, config=CFG)
    ring = compile(SHALLOW_WATER, backend=backend, bc="periodic", unsafe=True, config=CFG)
    got = wall.run(state, steps, lam=lam)
    big = ring.run(_images(state), steps, lam=lam)
    n = state["h"].size
    for f in ("h", "q"):
        np.testing.assert_allclose(got[f], big[f][:n], rtol=0, atol=1e-13)
    # no mass through the walls; the momentum is not conserved (the walls push back)
    assert abs(got["h"].sum() - state["h"].sum()) < 1e-12
    assert abs(got["q"].sum() - state["q"].sum()) > 1e-3


def test_oracle_and_numpy_stepper_agree_with_the_kernel():
    from mcgen.run.grid import Grid
    from mcgen.run.numpy_stepper import NumpyStepper

    state, steps, lam = _dam(40), 25, 0.2
    kern = compile(SHALLOW_WATER, backend="c", bc=WALL, unsafe=True, config=CFG)
    got = kern.run(state, steps, lam=lam)
    ref = oracle_run(SHALLOW_WATER, state, steps, bc=kern.config.bc, lam=lam)
    stepper = NumpyStepper(SHALLOW_WATER, Grid.uniform((40,), ((0.0, 1.0),)), WALL,
                           {"lam": lam})
    cur = dict(state)
    for _ in range(steps):
        cur = stepper.step(cur, 0.0, 0.01)
    for f in ("h", "q"):
        np.testing.assert_allclose(got[f], ref[f], rtol=0, atol=1e-13)
        np.testing.assert_allclose(cur[f], ref[f], rtol=0, atol=1e-13)


def test_blocked_and_threaded_walls_keep_the_bits():
    state, lam = _dam(3001), 0.2
    ref = compile(SHALLOW_WATER, backend="c", bc=WALL, unsafe=True, config=CFG)
    blk = compile(SHALLOW_WATER, backend="c", bc=WALL, unsafe=True, threads=2,
                  config=KernelConfig(cache_dir=CFG.cache_dir, time_block=4, tile=97,
                                      parallel_threshold=0))
    want = ref.run(state, 9, lam=lam)
    for threads in (1, 2):
        got = blk.run(state, 9, lam=lam, threads=threads)
        assert blk.last_call["time_block"] == 4
        assert all(np.array_equal(got[f], want[f]) for f in ("h", "q"))


def test_zero_flux_walls_stay_for_walls_without_odd_fields():
    """Without odd fields a wall of a forward-reading system is still zero flux (mass and
    momentum kept): the two treatments differ, so the option matters."""
    state, lam = _dam(40), 0.2
    plain = compile(SHALLOW_WATER, backend="c", bc=Reflecting(), unsafe=True, config=CFG)
    solid = compile(SHALLOW_WATER, backend="c", bc=WALL, unsafe=True, config=CFG)
    assert plain.program.sweeps.wall_zeros and not solid.program.sweeps.wall_zeros
    a, b = plain.run(state, 10, lam=lam), solid.run(state, 10, lam=lam)
    assert abs(a["q"].sum() - state["q"].sum()) < 1e-12
    assert np.abs(a["q"] - b["q"]).max() > 1e-4


def test_bad_odd_fields_are_refused_with_the_fix():
    with pytest.raises(CodegenError, match="not a field"):
        compile(SHALLOW_WATER, backend="c", bc=Reflecting(odd=("hu",)), unsafe=True, config=CFG)
    with pytest.raises(ModelError, match="field names"):
        Reflecting(odd=("1q",))
    assert Reflecting(odd="q").odd == ("q",)
