"""Catalogue schemes compiled on the C and numba backends: textbook facts and the oracle.

Facts used (../shared/known-results.md): upwind applied to a unit mass is Binomial(n, nu)
(22); Lax-Wendroff multiplies a Fourier mode by G with |G|^2 = 1 - nu^2 (1-nu^2)(1-cos theta)^2
(5); the five-point heat stencil multiplies sin modes by 1 - 4 r_x sin^2(theta_x/2)
- 4 r_y sin^2(theta_y/2) (7); a conservative scheme with outflow boundaries changes the total
mass by lambda (F_in - F_out) per step.
"""

import tempfile
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from scipy.stats import binom

from mcgen.codegen import KernelConfig, compile
from mcgen.model import Field, Scheme
from mcgen.run.numpy_stepper import oracle_run

CFG = KernelConfig(cache_dir=Path(tempfile.gettempdir()) / "mcgen-test-cache")
u, v = Field("u"), Field("v", 2)
nu, lam, r = sp.Symbol("nu"), sp.Symbol("lambda", positive=True), sp.Symbol("r")
rx, ry, ax, ay = sp.symbols("r_x r_y nu_x nu_y")


def f_burgers(w):
    return w**2 / 2


def rusanov_flux(a, b):
    return (f_burgers(a) + f_burgers(b)) / 2 - sp.Max(sp.Abs(a), sp.Abs(b)) / 2 * (b - a)


def godunov_flux(a, b):
    return sp.Max(f_burgers(sp.Max(a, 0)), f_burgers(sp.Min(b, 0)))


UPWIND = Scheme(("u",), 1, {"u": u[0] - nu * (u[0] - u[-1])}, name="upwind")
LAX_WENDROFF = Scheme(("u",), 1, {"u": u[0] - nu / 2 * (u[1] - u[-1])
                                  + nu**2 / 2 * (u[1] - 2 * u[0] + u[-1])}, name="lax_wendroff")
RUSANOV = Scheme(("u",), 1, {"u": u[0] - lam * (rusanov_flux(u[0], u[1])
                                                - rusanov_flux(u[-1], u[0]))},
                 name="burgers_rusanov")
GODUNOV = Scheme(("u",), 1, {"u": u[0] - lam * (godunov_flux(u[0], u[1])
                                                - godunov_flux(u[-1], u[0]))},
                 name="burgers_godunov")
HEAT2 = Scheme(("v",), 2, {"v": v[0, 0] + rx * (v[1, 0] - 2 * v[0, 0] + v[-1, 0])
                           + ry * (v[0, 1] - 2 * v[0, 0] + v[0, -1])}, name="heat_five_point")
DONOR2 = Scheme(("v",), 2, {"v": v[0, 0] - ax * (v[0, 0] - v[-1, 0])
                            - ay * (v[0, 0] - v[0, -1])}, name="donor_cell")

BACKENDS = ["c", "numba"]


def kernel(scheme, backend, bc="periodic"):
    if backend == "llvm":
        pytest.importorskip("mcgen.codegen.backends.llvm_backend")
    return compile(scheme, backend=backend, bc=bc, config=CFG, unsafe=True)


@pytest.mark.parametrize("backend", BACKENDS)
def test_upwind_on_a_unit_mass_is_the_binomial_law(backend):
    n, nsteps, nuv = 64, 20, 0.3
    u0 = np.zeros(n)
    u0[5] = 1.0
    out = kernel(UPWIND, backend).run(u0, nsteps, nu=nuv)
    expect = np.zeros(n)
    expect[5:5 + nsteps + 1] = binom.pmf(np.arange(nsteps + 1), nsteps, nuv)
    assert np.abs(out - expect).max() < 1e-14


def test_lax_wendroff_damps_a_fourier_mode_by_its_amplification_factor():
    n, m, nuv, nsteps = 32, 3, 0.6, 10
    theta = 2 * np.pi * m / n
    j = np.arange(n)
    k = kernel(LAX_WENDROFF, "c")
    re, im = k.run(np.cos(theta * j), nsteps, nu=nuv), k.run(np.sin(theta * j), nsteps, nu=nuv)
    g2 = 1 - nuv**2 * (1 - nuv**2) * (1 - np.cos(theta))**2
    amp = np.sqrt(re**2 + im**2)
    assert np.abs(amp - g2 ** (nsteps / 2)).max() < 1e-13


def test_five_point_heat_multiplies_sine_modes_by_its_symbol():
    n0, n1, k0, k1, rxv, ryv, nsteps = 16, 12, 2, 3, 0.2, 0.15, 7
    x = np.arange(n0)[:, None] * 2 * np.pi * k0 / n0
    y = np.arange(n1)[None, :] * 2 * np.pi * k1 / n1
    mode = np.sin(x) * np.sin(y)
    out = kernel(HEAT2, "c").run(mode, nsteps, r_x=rxv, r_y=ryv)
    g = 1 - 4 * rxv * np.sin(np.pi * k0 / n0)**2 - 4 * ryv * np.sin(np.pi * k1 / n1)**2
    assert np.abs(out - g**nsteps * mode).max() < 1e-13


@pytest.mark.parametrize("backend", BACKENDS + ["llvm"])
def test_donor_cell_is_positive_conservative_and_matches_the_oracle(backend):
    rng = np.random.default_rng(1)
    v0 = rng.random((20, 24))
    params = {"nu_x": 0.45, "nu_y": 0.5}  # nu_x + nu_y <= 1: a convex combination
    out = kernel(DONOR2, backend).run(v0, 9, **params)
    assert abs(out.sum() - v0.sum()) < 1e-11 and out.min() >= 0
    ref = oracle_run(DONOR2, v0, 9, **params)
    assert np.abs(out - ref).max() < 1e-13


@pytest.mark.parametrize("backend,scheme", [("c", RUSANOV), ("c", GODUNOV),
                                            ("numba", GODUNOV), ("llvm", RUSANOV)])
def test_burgers_mass_balance_with_outflow_and_oracle(backend, scheme):
    # Riemann data u_L = 1 > u_R = 0 (a shock); outflow ghosts hold u_L and u_R, so the mass
    # grows by lambda*(F(1,1) - F(0,0)) = lambda/2 per step while the waves stay inside.
    n, nsteps, lamv = 60, 12, 0.4
    u0 = np.where(np.arange(n) < n // 2, 1.0, 0.0)
    out = kernel(scheme, backend, bc="outflow").run(u0, nsteps, **{"lambda": lamv})
    assert abs(out.sum() - u0.sum() - nsteps * lamv / 2) < 1e-12
    assert out.max() <= 1 + 1e-15 and out.min() >= -1e-15  # monotone at lambda*max|f'| <= 1
    ref = oracle_run(scheme, u0, nsteps, bc="outflow", **{"lambda": lamv})
    assert np.abs(out - ref).max() < 1e-13


def test_rusanov_conserves_mass_on_a_ring_and_matches_the_oracle_on_smooth_data():
    n = 50
    u0 = np.sin(2 * np.pi * np.arange(n) / n) + 0.3
    k = kernel(RUSANOV, "c")
    out = k.run(u0, 15, **{"lambda": 0.5})
    assert abs(out.sum() - u0.sum()) < 1e-12
    assert np.abs(out - oracle_run(RUSANOV, u0, 15, **{"lambda": 0.5})).max() < 1e-13
    assert k.layout.scratch == ("flux0",)  # each interface flux computed once per step
