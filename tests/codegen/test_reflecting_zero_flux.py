"""Reflecting walls follow the reading (DESIGN.md section 1).

For a density or a conservative scheme the update is u_j + G(j) - G(j+1) with G the interface
flux, so sum_j u_j^(n+1) - sum_j u_j^n = G(wall low) - G(wall high): zero flux at both walls
conserves the total mass exactly (to rounding) whatever the drift. The even mirror alone lets the
advective part of G through (for LF with f = u/2, alpha = 1: G(wall) = lam (3 u_ghost - u_0)/4
with u_ghost = u_0, i.e. lam u_0 / 2 != 0), which the leak test below measures. For expectations
(backward reading) Reflecting stays the even mirror, v_x = 0.
"""

import dataclasses
import tempfile
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from mcgen.codegen import KernelConfig, compile
from mcgen.model import Field, Reflecting, Scheme, scalar_law
from mcgen.model.catalogue.conservative import conservative_scheme
from mcgen.run.numpy_stepper import oracle_run

CFG = KernelConfig(cache_dir=Path(tempfile.gettempdir()) / "mcgen-test-cache")
U = sp.Symbol("u")
LAM = {"lambda": 0.4}
N, STEPS = 48, 500


def bump(n: int = N) -> np.ndarray:
    x = np.linspace(0.0, 1.0, n)
    return np.exp(-((x - 0.3) / 0.1) ** 2) + 0.1


#: advection-diffusion in conservative form: f(u) = u/2 (drift to the right), LF viscosity 1
ADV_DIFF = conservative_scheme(scalar_law(U, U / 2), flux="lax_friedrichs", alpha=1)


@pytest.mark.parametrize("backend", ["numba", "c", "llvm"])
def test_mass_is_conserved_with_drift_against_a_reflecting_wall(backend):
    k = compile(ADV_DIFF, backend=backend, bc=Reflecting(), config=CFG)
    u0 = bump()
    out = k.run(u0, STEPS, **LAM)
    assert abs(out.sum() - u0.sum()) <= 1e-12 * u0.sum()
    # the drift has pushed mass against the high wall (so the wall flux mattered)
    assert out[-1] > 10 * u0[-1]
    ref = oracle_run(ADV_DIFF, u0, STEPS, bc=k.config.bc, **LAM)
    assert abs(ref.sum() - u0.sum()) <= 1e-12 * u0.sum()
    assert np.abs(out - ref).max() <= 1e-12 * (1 + np.abs(ref).max())


def test_the_mirror_alone_would_leak_mass():
    """The same update read as an expectation keeps the even mirror: one step leaks exactly
    G(low) - G(high) = lam (u_0 - u_{n-1}) / 2 (f = u/2, ghosts equal to the edge cells)."""
    mirror = dataclasses.replace(ADV_DIFF, reading="backward", numerical_flux=None)
    k = compile(mirror, backend="c", bc=Reflecting(), config=CFG)
    u0 = bump() + np.linspace(0.0, 1.0, N)
    out = k.run(u0, 1, **LAM)
    leak = 0.4 * (u0[0] - u0[-1]) / 2
    assert abs((out.sum() - u0.sum()) - leak) <= 1e-13 * u0.sum()
    assert abs(leak) > 0.1


def test_burgers_rusanov_conserves_mass_between_reflecting_walls():
    """The mass piles up against the high wall (the zero-flux steady state of Rusanov/Burgers
    grows like (1 + sqrt 2)^j towards it); lam = 0.1 keeps lam max|u| <= 1 all along."""
    burgers = conservative_scheme(scalar_law(U, U**2 / 2), flux="rusanov")
    u0 = bump()
    ref = oracle_run(burgers, u0, STEPS, bc=Reflecting(), **{"lambda": 0.1})
    assert 0.1 * np.abs(ref).max() <= 1.0
    assert ref[-1] > 2 * u0[-1]
    for backend in ("c", "numba"):
        k = compile(burgers, backend=backend, bc=Reflecting(), config=CFG, unsafe=True)
        out = k.run(u0, STEPS, **{"lambda": 0.1})
        assert abs(out.sum() - u0.sum()) <= 1e-12 * u0.sum()
        assert np.abs(out - ref).max() <= 1e-12 * (1 + np.abs(ref).max())


def test_forward_linear_walk_with_drift_is_a_reflecting_walk():
    """A forward-reading walk (p right, q left, no numerical_flux) is put in flux form: at the
    wall the jump out is suppressed, so u_0 -> (1 - p) u_0 + q u_1 exactly (and mass is kept)."""
    u = Field("u")
    p, q = sp.Rational(3, 10), sp.Rational(1, 10)
    walk = Scheme(("u",), 1, {"u": p * u[-1] + (1 - p - q) * u[0] + q * u[1]},
                  reading="forward", name="walk")
    k = compile(walk, backend="c", bc=Reflecting(), config=CFG, unsafe=True)
    u0 = bump(12)
    one = k.run(u0, 1)
    assert abs(one[0] - ((1 - 0.3) * u0[0] + 0.1 * u0[1])) <= 1e-15
    assert abs(one[-1] - ((1 - 0.1) * u0[-1] + 0.3 * u0[-2])) <= 1e-15
    out = k.run(u0, STEPS)
    assert abs(out.sum() - u0.sum()) <= 1e-12 * u0.sum()


def test_two_d_forward_drift_keeps_mass_on_both_axes():
    u = Field("u", 2)
    w = {(-1, 0): 0.25, (1, 0): 0.05, (0, -1): 0.1, (0, 1): 0.2}
    upd = (1 - sum(w.values())) * u[0, 0] + sum(c * u[o] for o, c in w.items())
    s = Scheme(("u",), 2, {"u": upd}, reading="forward", name="drift2d")
    k = compile(s, backend="c", bc=Reflecting(), config=CFG, unsafe=True)
    u0 = np.random.default_rng(1).uniform(0.0, 1.0, (9, 11))
    out = k.run(u0, 200)
    assert abs(out.sum() - u0.sum()) <= 1e-12 * u0.sum()
    ref = oracle_run(s, u0, 200, bc=k.config.bc)
    assert np.abs(out - ref).max() <= 1e-12


@pytest.mark.parametrize("backend", ["numba", "c"])
def test_backward_diffusion_keeps_the_even_mirror(backend):
    """Expectations: v_x = 0 by the even mirror, v_j += r (v_{j-1} - 2 v_j + v_{j+1}) on the
    array padded by np.pad(mode='symmetric') (a hand-written stepper, not the oracle)."""
    v, r = Field("v"), sp.Symbol("r", positive=True)
    heat = Scheme(("v",), 1, {"v": v[0] + r * (v[-1] - 2 * v[0] + v[1])}, params=(r,),
                  reading="backward", name="heat")
    k = compile(heat, backend=backend, bc=Reflecting(), config=CFG, unsafe=True)
    assert k.program.sweeps.wall_zeros == ()
    v0 = np.random.default_rng(2).uniform(0.0, 1.0, 20)
    ref = v0.copy()
    for _ in range(50):
        p = np.pad(ref, 1, mode="symmetric")
        ref = p[1:-1] + 0.3 * (p[:-2] - 2 * p[1:-1] + p[2:])
    out = k.run(v0, 50, r=0.3)
    assert np.abs(out - ref).max() <= 1e-13
    # the same heat scheme read as a density: zero flux, which for pure diffusion is the mirror
    fwd = compile(dataclasses.replace(heat, reading="forward"), backend=backend,
                  bc=Reflecting(), config=CFG, unsafe=True)
    assert fwd.program.sweeps.wall_zeros == ((0, 0, "low"), (0, 0, "high"))
    assert np.abs(fwd.run(v0, 50, r=0.3) - ref).max() <= 1e-13
