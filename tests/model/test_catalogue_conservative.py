"""Conservative schemes from a symbolic flux: consistency and the textbook Riemann fluxes."""

import itertools

import pytest
import sympy as sp

from mcgen.errors import ModelError
from mcgen.model.catalogue.conservative import FLUXES, UL, UR, conservative_scheme
from mcgen.model.law import Law, scalar_law
from mcgen.model.read import Field
from mcgen.model.symbols import lam

u = sp.Symbol("u", real=True)
R = sp.Rational
POINTS = [R(k, 4) for k in range(-4, 5)]


def burgers_riemann_value_at_origin(ul, ur):
    """u(0, t) of the Burgers Riemann solution (known result 18)."""
    if ul > ur:  # shock at speed (ul + ur)/2
        return ul if (ul + ur) / 2 > 0 else ur if (ul + ur) / 2 < 0 else ul
    if ul >= 0:
        return ul
    if ur <= 0:
        return ur
    return sp.S.Zero  # fan u = x/t through the origin


@pytest.mark.parametrize("kind", FLUXES)
def test_consistency_F_uu_is_f(kind):
    for f in (u ** 2 / 2, u * (1 - u)):
        s = conservative_scheme(scalar_law(u, f), kind, data_range=(-1, 1))
        F = s.numerical_flux[0]
        for v in POINTS[::2]:
            assert F.subs({UL: v, UR: v}) == f.subs(u, v)


def test_update_is_conservative_form():
    s = conservative_scheme(scalar_law(u, u ** 2 / 2), "rusanov")
    F = s.numerical_flux[0]
    w = Field("u")
    expect = w[0] - lam * (F.subs({UL: w[0], UR: w[1]}, simultaneous=True) -
                           F.subs({UL: w[-1], UR: w[0]}, simultaneous=True))
    assert sp.simplify(s.update["u"] - expect) == 0


def test_godunov_flux_is_exact_riemann_flux_for_burgers():  # known result 18
    F = conservative_scheme(scalar_law(u, u ** 2 / 2), "godunov").numerical_flux[0]
    for ul, ur in itertools.product(POINTS, POINTS):
        u0 = burgers_riemann_value_at_origin(ul, ur)
        assert F.subs({UL: ul, UR: ur}) == u0 ** 2 / 2, (ul, ur)


def test_engquist_osher_is_integral_of_abs_fprime():
    # F = (f(uL) + f(uR))/2 - (1/2) int_uL^uR |f'|; f is monotone on each side of the sonic
    # point s, so the integral is |f(b) - f(s)| + |f(s) - f(a)| (s inside) or |f(b) - f(a)|
    for f, s in ((u ** 2 / 2, 0), (u * (1 - u), R(1, 2))):
        F = conservative_scheme(scalar_law(u, f), "engquist_osher").numerical_flux[0]
        for ul, ur in itertools.product(POINTS[::2], POINTS[::2]):
            a, b = min(ul, ur), max(ul, ur)
            fa, fb, fs = f.subs(u, a), f.subs(u, b), f.subs(u, s)
            total = abs(fb - fs) + abs(fs - fa) if a <= s <= b else abs(fb - fa)
            sign = 1 if ur >= ul else -1
            ref = (f.subs(u, ul) + f.subs(u, ur)) / 2 - sign * total / 2
            assert F.subs({UL: ul, UR: ur}) == ref, (f, ul, ur)


def test_roe_speed_and_global_lf_alpha():
    F = conservative_scheme(scalar_law(u, u ** 2 / 2), "roe").numerical_flux[0]
    expect = (UL ** 2 + UR ** 2) / 4 - sp.Abs((UL + UR) / 2) * (UR - UL) / 2
    assert sp.simplify(F - expect) == 0
    m, M = sp.symbols("m M", real=True)
    Flf = conservative_scheme(scalar_law(u, u ** 2 / 2), "lax_friedrichs").numerical_flux[0]
    alpha = sp.Max(sp.Abs(m), sp.Abs(M))
    assert sp.simplify(Flf - ((UL ** 2 + UR ** 2) / 4 - alpha * (UR - UL) / 2)) == 0


def test_bad_input_named():
    with pytest.raises(ModelError, match="one of"):
        conservative_scheme(scalar_law(u, u ** 2 / 2), "upwind2")
    with pytest.raises(ModelError, match="convex or concave"):
        conservative_scheme(scalar_law(u, u ** 3), "godunov")
    h, q = sp.symbols("h q", positive=True)
    with pytest.raises(ModelError, match="scalar"):
        conservative_scheme(Law((h, q), ((q, q ** 2 / h),)), "rusanov")


def test_engquist_osher_for_a_flux_with_two_sonic_points():
    from mcgen.analysis.monotonicity import monotonicity
    from mcgen.model.catalogue.conservative import numerical_flux

    u = sp.Symbol("u", real=True)
    law = scalar_law(u, u**3 - 3 * u, name="cubic")   # sonic points -1, 1: not convex
    F = numerical_flux(law, "engquist_osher")
    # F = f(-1) + int_{-1}^{uL} f'^+ + int_{-1}^{uR} f'^-  (by hand: 2 + 4 - 2 at (2, 0))
    assert F.subs({UL: 2, UR: 0}) == 4
    for v in (sp.Rational(-3, 2), sp.Rational(1, 3), sp.Rational(7, 5)):
        assert F.subs({UL: v, UR: v}) == v**3 - 3 * v                     # consistent
    # 1/2 lies in the decreasing piece: f^+(1/2) = 0; f^-(2) = f(1) - f(-1) = -4
    assert F.subs({UL: sp.Rational(1, 2), UR: 2}) == 2 + 0 - 4
    scheme = conservative_scheme(law, "engquist_osher", data_range=(-2, 2))
    cond = monotonicity(scheme, (-2, 2)).result
    assert cond.status == "proved" and cond.holds(**{"lambda": sp.Rational(1, 9)}) \
        and not cond.holds(**{"lambda": sp.Rational(1, 8)})


def test_engquist_osher_with_irrational_sonic_points_runs_in_generated_kernels():
    import numpy as np

    from mcgen.run import Simulation
    from mcgen.run.grid import Grid

    u = sp.Symbol("u", real=True)
    law = scalar_law(u, u**4 / 4 - u**2 + u / 5, name="quartic")  # three irrational sonic pts
    scheme = conservative_scheme(law, "engquist_osher", data_range=(-2, 2))
    assert scheme.numerical_flux[0].atoms(sp.CRootOf)     # exact algebraic sonic points
    out = {}
    for backend in ("numpy", "numba"):
        sim = Simulation(scheme, Grid((200,), ((-1.0, 1.0),)),
                         lambda x: np.where(np.abs(x) < 0.5, 1.5, -1.5), bc="periodic",
                         data_range=(-2.0, 2.0), backend=backend, progress=False)
        sim.run(0.2)
        out[backend] = sim.u
    assert np.max(np.abs(out["numpy"] - out["numba"])) < 1e-12
    assert out["numba"].min() >= -1.5 - 1e-12 and out["numba"].max() <= 1.5 + 1e-12
